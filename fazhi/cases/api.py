"""Penalty cases at /api/v1/cases: list, read, and fire transitions with the same guards.

No ``from __future__ import annotations``: ninja resolves the annotations of a
``@paginate``-wrapped view in the wrong module (see fazhi/core/api.py).
"""

import datetime
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from ninja import Body, Field, Query, Router, Schema, Status

from fazhi.cases import selectors, services
from fazhi.cases.models import Case
from fazhi.core.actors import Actor
from fazhi.core.api_types import Id
from fazhi.core.models import OrgUnit
from fazhi.registry.keyset import Cursor, keyset_page, with_count
from fazhi.registry.models import Entity, Officer

router = Router(tags=["cases"])


def _actor(request: HttpRequest) -> Actor:
    """The authenticated caller (the API requires authentication)."""
    return cast("Actor", request.user)


class CaseOut(Schema):
    id: int
    number: str
    procedure: str
    state: str
    state_label: str = Field(..., alias="get_state_display")
    title: str
    unit_id: int
    unit: str = Field(..., alias="unit.name")
    source: str
    entity_id: int | None
    party_kind: str
    party_name: str
    act_ended_on: datetime.date
    discovered_on: datetime.date
    filed_on: datetime.date | None
    penalty_kinds: list[str]
    proposed_fine: Decimal | None
    decision_kind: str
    fine: Decimal | None
    decided_on: datetime.date | None
    served_on: datetime.date | None
    paid_on: datetime.date | None
    closed_on: datetime.date | None


class ViolationOut(Schema):
    description: str
    basis: str
    discretion_code: str
    law_in_force_from: datetime.date
    law_in_force_to: datetime.date | None


class EventOut(Schema):
    kind: str
    occurred_on: datetime.date
    text: str
    data: dict[str, Any]
    actor_label: str


class ActionOut(Schema):
    name: str
    label: str
    allowed: bool
    reason: str | None


class ClockOut(Schema):
    rule: str
    key: str
    state: str
    started_on: datetime.date
    due_on: datetime.date
    stopped_on: datetime.date | None
    derivation: dict[str, Any]


class CaseDetailOut(CaseOut):
    facts: str
    flags: list[str]
    violations: list[ViolationOut] = Field(..., alias="api_violations")
    events: list[EventOut] = Field(..., alias="api_events")
    actions: list[ActionOut] = Field(..., alias="api_actions")
    clocks: list[ClockOut] = Field(..., alias="api_clocks")


class CaseFilter(Schema):
    q: str = ""
    state: str = ""
    procedure: str = ""
    cursor: str = Field("", description="next_cursor or prev_cursor of a page.")
    per_page: int = Field(50, ge=1, le=200)


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None
    prev_cursor: str | None
    count: int | None
    count_is_estimate: bool
    count_capped: bool


class CaseIn(Schema):
    unit_id: int
    procedure: str = "ordinary"
    title: str
    source: str
    source_ref: str = ""
    entity_id: int | None = None
    party_kind: str
    party_name: str = ""
    party_code: str = ""
    party_address: str = ""
    facts: str = ""
    act_ended_on: datetime.date
    discovered_on: datetime.date
    life_health_harm: bool = False
    officer_ids: list[int]


class ExtendIn(Schema):
    days: int
    reason: str


def _detail(request: HttpRequest, case: Case) -> Case:
    """Attach what the detail schema shows (records, actions, clocks) to ``case``."""
    case.api_violations = list(case.violations.all())  # type: ignore[attr-defined]
    case.api_events = list(selectors.case_events(case))  # type: ignore[attr-defined]
    case.api_actions = [  # type: ignore[attr-defined]
        a.__dict__ for a in selectors.case_actions(actor=_actor(request), case=case)
    ]
    case.api_clocks = [  # type: ignore[attr-defined]
        {
            "rule": c.rule_code,
            "key": c.key,
            "state": c.state,
            "started_on": c.started_on,
            "due_on": c.due_on,
            "stopped_on": c.stopped_on,
            "derivation": c.derivation,
        }
        for c in selectors.case_clocks(case)
    ]
    return case


@router.get("/cases", response=CasePage)
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    """Cases in scope, newest first; follow ``next_cursor`` for more (keyset pages)."""
    items = selectors.case_list(
        actor=_actor(request), q=filters.q, state=filters.state, procedure=filters.procedure
    )
    page = with_count(
        keyset_page(items, cursor=Cursor.parse(filters.cursor), per_page=filters.per_page), items
    )
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "count": page.count,
        "count_is_estimate": page.count_is_estimate,
        "count_capped": page.count_capped,
    }


@router.get("/cases/{case_id}", response=CaseDetailOut)
def case_get(request: HttpRequest, case_id: Id) -> Any:
    return _detail(request, selectors.case_get(actor=_actor(request), pk=case_id))


@router.post("/cases", response={201: CaseDetailOut})
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    fields = payload.dict()
    unit = OrgUnit.objects.get(pk=fields.pop("unit_id"))
    entity_id = fields.pop("entity_id")
    officers = list(Officer.objects.filter(pk__in=fields.pop("officer_ids")))
    case = services.case_create(
        actor=_actor(request),
        unit=unit,
        entity=Entity.objects.get(pk=entity_id) if entity_id else None,
        officers=officers,
        **fields,
    )
    return Status(201, _detail(request, case))


@router.post("/cases/{case_id}/transitions/{name}", response=CaseDetailOut)
def case_transition(
    request: HttpRequest, case_id: Id, name: str, payload: Body[dict[str, Any]]
) -> Any:
    """Fire a transition; the body is the transition's data (reason, record, fine …)."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    payload.pop("on", None)  # the date of a step is today's; only code may backdate
    case = services.case_transition(actor=_actor(request), case=case, name=name, **payload)
    return _detail(request, case)


@router.post("/cases/{case_id}/extend", response=CaseDetailOut)
def case_extend(request: HttpRequest, case_id: Id, payload: ExtendIn) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    case = services.case_extend(
        actor=_actor(request), case=case, days=payload.days, reason=payload.reason
    )
    return _detail(request, case)


from fazhi.cases.api_procedures import router as _procedures  # noqa: E402
from fazhi.cases.api_publication import router as _publication  # noqa: E402
from fazhi.cases.api_records import router as _records  # noqa: E402

router.add_router("", _procedures)
router.add_router("", _records)
router.add_router("", _publication)
