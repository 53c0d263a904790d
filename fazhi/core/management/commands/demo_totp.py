"""Print the current two-factor code of a demo login (never in production)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (the key ./dev demo created)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if settings.FAZHI_ENV == "production":
            raise CommandError("demo_totp is refused when FAZHI_ENV=production")
        path = settings.VAR_DIR / "demo_logins.txt"
        stored = json.loads(path.read_text()) if path.exists() else {}
        key = stored.get(f"totp:{username}")
        # Only the demo's own authenticator: a key someone enrolled by hand stays secret.
        device = TOTPDevice.objects.filter(user__username=username, key=key or "-").first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator (run ./dev demo first)")
        generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        generator.time = time.time()
        left = device.step - int(generator.time - device.t0) % device.step
        self.stdout.write(f"{generator.token():0{device.digits}d}  (valid for {left} s)")
