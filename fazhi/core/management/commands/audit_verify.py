"""./dev manage audit_verify — prove the audit chain intact or name the break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fazhi.core.anchor import anchor_read
from fazhi.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of audit events; exit non-zero at the first break."

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = audit_verify()
        if broken is not None:
            raise CommandError(f"BROKEN at {broken} ({count} events verified before it)")
        state = anchor_read()
        if state is None:
            self.stdout.write(f"OK ({count} events; not anchored: AUDIT_ANCHOR_KEY is not set)")
        elif state.last is None:
            self.stdout.write(f"OK ({count} events; no checkpoint yet)")
        else:
            self.stdout.write(
                f"OK ({count} events; anchored up to #{state.last.seq} "
                f"by the checkpoint of {state.last.time})"
            )
