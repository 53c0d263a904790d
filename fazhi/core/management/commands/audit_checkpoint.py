"""./dev manage audit_checkpoint — anchor the audit chain's head outside the database.

Every committed change already writes a checkpoint; run this from a timer as
well (it is a no-op when nothing changed) and copy AUDIT_ANCHOR_FILE off the
host, or publish its last line, so that the file itself cannot be quietly cut.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fazhi.core.anchor import anchor_read, checkpoint_write


class Command(BaseCommand):
    help = "Append a keyed checkpoint of the audit chain's head to AUDIT_ANCHOR_FILE."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.AUDIT_ANCHOR_KEY:
            raise CommandError("AUDIT_ANCHOR_KEY is not set: nothing can be anchored")
        written = checkpoint_write()
        state = anchor_read()
        last = state.last if state is not None else None
        if last is None:
            self.stdout.write("No events to anchor yet.")
            return
        verb = "Anchored" if written is not None else "Already anchored"
        self.stdout.write(f"{verb}: event #{last.seq} {last.hash} at {last.time}")
