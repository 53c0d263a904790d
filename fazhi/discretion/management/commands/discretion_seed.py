"""Load the discretion rule data (bands, circumstances, 38 entries, no-penalty rows).

Idempotent: existing rows are left as they are, so an administrator's
corrections survive a second run. Imports 安全生产法 and 行政处罚法 from the
vendored texts first if the law library lacks them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fazhi.core.actors import SystemActor
from fazhi.discretion.seed import discretion_seed


class Command(BaseCommand):
    help = "Load the seeded discretion baselines and rules (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in discretion_seed(actor=SystemActor("discretion_seed")):
            self.stdout.write(line)
