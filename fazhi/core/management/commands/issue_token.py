"""./dev manage issue_token USERNAME — print a new personal API token."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fazhi.core import services
from fazhi.core.models import User


class Command(BaseCommand):
    help = "Issue a personal API token for a user and print it (shown once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        _token, key = services.token_issue(actor=user, user=user, name=name)
        self.stdout.write(key)
