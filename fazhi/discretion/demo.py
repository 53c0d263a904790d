"""Demo data: the discretion seed (rules, circumstances, entries, no-penalty list)."""

from __future__ import annotations

from django.db import transaction

from fazhi.core.demo_context import DemoContext
from fazhi.discretion.seed import discretion_seed


@transaction.atomic
def load(ctx: DemoContext) -> list[str]:
    """Load the discretion seed (idempotent); return summary lines."""
    return discretion_seed(actor=ctx.admin)
