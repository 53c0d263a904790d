"""Home-page panel contributed by cases: the user's 待办 and the deadlines near or past."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from fazhi.cases import permissions as p
from fazhi.cases import selectors
from fazhi.core import policy
from fazhi.core.actors import Actor


def cases_panel(request: HttpRequest) -> dict[str, Any] | None:
    """待办 cases and case deadlines in scope: past due (red) and due soon (yellow)."""
    user = cast(Actor, request.user)
    if not policy.has_permission(user, p.VIEW):
        return None
    today = timezone.localdate()
    deadlines = (
        selectors.deadline_board(actor=user, today=today)
        .order_by()
        .aggregate(
            past=Count("pk", filter=Q(due_on__lt=today)),
            soon=Count("pk", filter=Q(due_on__gte=today)),
        )
    )
    return {
        "template": "cases/panels/cases.html",
        "inbox": selectors.case_inbox(actor=user).count(),
        "deadlines": deadlines,
        "warning_days": selectors.WARNING_DAYS,
    }
