"""./dev manage case_preservation_backfill — clocks for notices issued before they existed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fazhi.cases.preservation import preservation_backfill
from fazhi.core.actors import SystemActor


class Command(BaseCommand):
    help = (
        "Start the 7-working-day clock (行政处罚法 Art. 56) of every evidence preservation "
        "notice that has none (notices issued before the clock existed). Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = preservation_backfill(actor=SystemActor("case_preservation_backfill"))
        for clock in started:
            self.stdout.write(
                f"case {clock.object_id} {clock.key}: {clock.started_on} → {clock.due_on} "
                f"({clock.state})"
            )
        self.stdout.write(f"OK ({len(started)} clocks started)")
