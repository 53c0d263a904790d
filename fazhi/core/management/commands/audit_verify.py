"""./dev manage audit_verify — prove the audit chain intact or name the break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fazhi.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of audit events; exit non-zero at the first break."

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = audit_verify()
        if broken is not None:
            raise CommandError(f"BROKEN at {broken} ({count} events verified before it)")
        self.stdout.write(f"OK ({count} events)")
