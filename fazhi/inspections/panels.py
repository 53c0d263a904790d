"""Home-page panel contributed by inspections: what is waiting, what is overdue, what is mine."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, Q
from django.http import HttpRequest

from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.inspections import selectors
from fazhi.inspections.choices import InspectionState

SHOWN = 5


def inspections_panel(request: HttpRequest) -> dict[str, Any] | None:
    """In scope: planned, under way, rectifying and overdue; the user's own next inspections."""
    user = cast(Actor, request.user)
    if not policy.has_permission(user, "inspections.view_inspection"):
        return None
    rows = selectors.inspection_list(actor=user)
    counts = rows.order_by().aggregate(
        planned=Count("pk", filter=Q(state=InspectionState.PLANNED)),
        in_progress=Count("pk", filter=Q(state=InspectionState.IN_PROGRESS)),
        rectifying=Count("pk", filter=Q(state=InspectionState.RECTIFYING)),
    )
    overdue = selectors.inspection_list(
        actor=user, filters=selectors.InspectionFilters(overdue=True)
    ).count()
    mine = (
        rows.filter(
            officers__user_id=user.pk,
            state__in=[InspectionState.PLANNED, InspectionState.IN_PROGRESS],
        )
        .order_by("planned_on", "pk")
        .distinct()
    )
    return {
        "template": "inspections/panels/inspections.html",
        "counts": counts,
        "overdue": overdue,
        "mine": list(mine[:SHOWN]),
    }
