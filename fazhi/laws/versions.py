"""Which version of a law is in force on a day (used by selectors, terms and citations)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from fazhi.laws.models import Law, LawWork


def law_in_force(*, work: LawWork, on: datetime.date | None = None) -> Law | None:
    """Return the version of ``work`` in force on ``on`` (default today), if any."""
    on = on or timezone.localdate()
    return (
        Law.objects.filter(work=work, effective_date__lte=on)
        .filter(Q(repealed_on__isnull=True) | Q(repealed_on__gt=on))
        .order_by("-effective_date", "-version_date")
        .first()
    )
