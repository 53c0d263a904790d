"""Load the demo bureau and every app's demo data; print the logins."""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from fazhi.core import demo


class Command(BaseCommand):
    help = "Build the demo bureau (idempotent) and print one login per role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        ctx, logins = demo.load(seed)
        self.stdout.write(
            f"core: {ctx.city} with {len(ctx.counties)} counties, {len(ctx.officers)} officers"
        )
        for app in settings.INSTALLED_APPS:
            if not app.startswith("fazhi.") or app == "fazhi.core":
                continue
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            for line in module.load(ctx):
                self.stdout.write(f"{app.removeprefix('fazhi.')}: {line}")
        self.stdout.write("")
        self.stdout.write("Logins (user name / password / role):")
        for username, role, _unit, full_name in demo.LOGINS:
            self.stdout.write(f"  {username:<15} {logins[username]:<18} {role} ({full_name})")
        secrets = demo.totp_secrets()
        if secrets:
            self.stdout.write("")
            self.stdout.write(
                "Two-factor login (these roles need a code after the password): add the "
                "secret to an authenticator app, or print the current code with "
                "./dev manage demo_totp USER"
            )
            for username, secret in secrets.items():
                self.stdout.write(f"  {username:<15} TOTP secret {secret}")
