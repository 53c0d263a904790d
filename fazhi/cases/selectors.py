"""Reads on penalty cases, always scoped to what the actor may see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from fazhi.cases import permissions as p
from fazhi.cases.choices import CaseState
from fazhi.cases.models import Case, CaseEvent
from fazhi.cases.workflow import workflow_of
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.documents import documents_for
from fazhi.core.models import Document, ObjectClock, OrgUnit
from fazhi.core.workflow import (
    Action,
    available_actions,
    clocks_due,
    clocks_for,
)

# How many days before a due date the board turns yellow: a display choice of
# this page, not a legal number.
WARNING_DAYS = 5


def case_list(
    *, actor: Actor, q: str = "", state: str = "", procedure: str = "", unit: Any = None
) -> QuerySet[Case]:
    """Return the cases the actor may see, newest first, filtered."""
    policy.require(actor, p.VIEW)
    cases = scoped_cases(actor).select_related("unit")
    if q:
        # Chinese has no letter case: a plain LIKE keeps the columns' statistics, so
        # PostgreSQL walks the newest rows and stops at a page (UPPER() hid them and
        # made it read and sort a whole county). Codes are compared in capitals.
        cases = cases.filter(
            Q(number__contains=q)
            | Q(title__contains=q)
            | Q(party_name__contains=q)
            | Q(party_code=q.upper())
        )
    if state:
        cases = cases.filter(state=state)
    if procedure:
        cases = cases.filter(procedure=procedure)
    if unit is not None:
        cases = cases.filter(unit__path__startswith=unit.path)
    return cases.order_by("-pk")


def scoped_cases(actor: Actor) -> QuerySet[Case]:
    """The cases in the actor's scope, filtered by the ids of the units in it.

    An id list (read first, a few rows) instead of a join on the units' paths
    lets PostgreSQL walk the (unit, id) index newest first and stop after one
    page, rather than read and sort a whole county's cases.
    """
    if policy.scope_paths(actor) is None:
        return Case.objects.all()
    units = OrgUnit.objects.filter(policy.scope_q(actor, "path")).values_list("pk", flat=True)
    return Case.objects.filter(unit_id__in=list(units))


def case_get(*, actor: Actor, pk: int) -> Case:
    """Return one case; outside the actor's scope it does not exist (404)."""
    policy.require(actor, p.VIEW)
    case = Case.objects.select_related("unit", "entity").get(pk=pk)
    policy.require_in_scope(actor, case.unit)
    return case


def case_actions(*, actor: Actor, case: Case) -> list[Action]:
    """The next steps, each allowed or with why not.

    A guard that only checks what the step's form asks for (the record's text,
    a reason) passes while the actions are listed (no data yet) and is checked
    when the form is sent; the guards themselves say so (``if not ctx.data``).
    """
    return available_actions(case, actor=actor, workflow=workflow_of(case))


def case_clocks(case: Case) -> QuerySet[ObjectClock]:
    return clocks_for(case).order_by("started_on", "pk")


def case_documents(case: Case) -> QuerySet[Document]:
    """The case's 文书, oldest first."""
    return documents_for(case).order_by("created_at", "pk")


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("occurred_on", "pk")


# 待办: which permission makes a case in a state "yours to act on next".
NEXT_STEP: dict[str, str] = {
    CaseState.INTAKE: p.FILE,
    CaseState.INVESTIGATING: p.CHANGE,
    CaseState.REVIEW: p.CHANGE,
    CaseState.NOTIFIED: p.CHANGE,
    CaseState.HEARING: p.CHANGE,
    CaseState.PENDING_DECISION: p.DECIDE,
    CaseState.LEGAL_REVIEW: p.REVIEW,
    CaseState.DECIDED: p.CHANGE,
    CaseState.SERVED: p.CHANGE,
    CaseState.EXECUTED: p.DECIDE,
    CaseState.REFERRED: p.DECIDE,
    CaseState.CLOSED: p.CHANGE,
}


def case_inbox(*, actor: Actor) -> QuerySet[Case]:
    """待办 — the cases whose next step is the actor's.

    Officers see the cases they are assigned to; the legal section and the
    leadership see every case in scope waiting for them.
    """
    policy.require(actor, p.VIEW)
    states = [s for s, perm in NEXT_STEP.items() if policy.has_permission(actor, perm)]
    mine = Q(state__in=states)
    if policy.has_permission(actor, p.REVIEW):
        # A decision outside the recommended range is flagged to the legal section.
        mine |= Q(state=CaseState.DECIDED, amount_flagged=True)
    cases = Case.objects.filter(policy.scope_q(actor)).filter(mine).select_related("unit")
    officer_only = not any(
        policy.has_permission(actor, perm) for perm in (p.FILE, p.DECIDE, p.REVIEW)
    )
    if officer_only and not getattr(actor, "is_superuser", False):
        cases = cases.filter(officers__officer__user_id=actor.pk)
    return cases.distinct().order_by("updated_at", "pk")


@dataclass(frozen=True)
class BoardRow:
    clock: ObjectClock
    case: Case
    level: str  # "danger" (past due) or "warning" (due soon)
    days_left: int

    @property
    def days_over(self) -> int:
        return -self.days_left


def deadline_board(
    *, actor: Actor, today: datetime.date, mine: bool = False, unit: Any = None
) -> QuerySet[ObjectClock]:
    """Running case clocks past due or due within WARNING_DAYS, earliest first.

    ``mine``: only the cases the actor is an officer on; ``unit``: one
    unit's subtree (within the actor's scope).
    """
    policy.require(actor, p.VIEW)
    case_type = ContentType.objects.get_for_model(Case)
    clocks = clocks_due(actor=actor, before=today + datetime.timedelta(days=WARNING_DAYS + 1))
    clocks = clocks.filter(content_type=case_type)
    if mine:
        clocks = clocks.filter(
            object_id__in=Case.objects.filter(officers__officer__user_id=actor.pk).values("pk")
        )
    if unit is not None:
        clocks = clocks.filter(unit__path__startswith=unit.path)
    return clocks


def board_rows(clocks: Iterable[ObjectClock], today: datetime.date) -> list[BoardRow]:
    """Pair one page of clocks with their cases, coloured by how near they are."""
    clocks = list(clocks)
    cases = Case.objects.in_bulk([c.object_id for c in clocks])
    rows = []
    for clock in clocks:
        case = cases.get(clock.object_id)
        if case is None:
            continue
        days_left = (clock.due_on - today).days
        rows.append(BoardRow(clock, case, "danger" if days_left < 0 else "warning", days_left))
    return rows
