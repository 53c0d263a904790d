"""执法公示 in the API: /api/v1/public/penalties for anyone; publish and withdraw for staff.

The public endpoints need no authentication and read published rows only.
Its router joins the cases router (at the end of fazhi/cases/api.py).
"""

import datetime
from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from fazhi.cases import publication_services as pub
from fazhi.cases import selectors
from fazhi.cases.publication import CasePublication
from fazhi.core.actors import Actor
from fazhi.core.api_types import Id
from fazhi.core.read_cache import anyone, cached_read

router = Router(tags=["cases"])


def _actor(request: HttpRequest) -> Actor:
    return cast("Actor", request.user)


class PublicPenaltyOut(Schema):
    """A published decision; a withdrawal notice has no content, only its reason."""

    id: int
    withdrawn: bool
    document_number: str
    party_kind: str
    party_name: str
    violation: str
    basis: str
    penalty: str
    penalty_kinds: list[str]
    agency: str
    decided_on: datetime.date
    published_on: datetime.date
    withdrawn_on: datetime.date | None
    withdrawal_reason: str


class PublicFilter(Schema):
    q: str = ""
    agency: str = ""
    year: int | None = Field(None, ge=1996, le=2100)
    kind: str = ""
    withdrawn: bool = Field(False, description="List the withdrawal notices instead.")
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(20, ge=1, le=100)


class PublicPage(Schema):
    items: list[PublicPenaltyOut]
    count: int
    page: int
    per_page: int


def _public(row: CasePublication) -> dict[str, Any]:
    return {name: getattr(row, name) for name in pub.PUBLIC_FIELDS if name != "unit_id"} | {
        "withdrawn": row.withdrawn
    }


@router.get("/public/penalties", response=PublicPage, auth=None)
@cached_read(check=anyone)
def public_list(request: HttpRequest, filters: Query[PublicFilter]) -> Any:
    """Published penalty decisions (Art. 48), newest decision first; no login."""
    rows = pub.public_list(
        pub.PublicFilters(
            q=filters.q,
            agency=filters.agency,
            year=filters.year,
            kind=filters.kind,
            withdrawn=filters.withdrawn,
        )
    )
    start = (filters.page - 1) * filters.per_page
    return {
        "items": [_public(r) for r in rows[start : start + filters.per_page]],
        "count": rows.count(),
        "page": filters.page,
        "per_page": filters.per_page,
    }


@router.get("/public/penalties/{publication_id}", response=PublicPenaltyOut, auth=None)
@cached_read(check=anyone)
def public_get(request: HttpRequest, publication_id: Id) -> Any:
    return _public(pub.public_get(publication_id))


class PublicationOut(PublicPenaltyOut):
    state: str
    case_id: int
    change: str
    change_ground: str
    changed_on: datetime.date | None
    withdrawal_due_on: datetime.date | None


def _staff(row: CasePublication) -> dict[str, Any]:
    clock = pub.withdrawal_clock(row)
    return _public(row) | {
        "state": row.state,
        "case_id": row.case_id,
        "change": row.change,
        "change_ground": row.change_ground,
        "changed_on": row.changed_on,
        "withdrawal_due_on": clock.due_on if clock is not None else None,
    }


class DecisionChangeIn(Schema):
    change: str = Field(..., description="changed | revoked | illegal | void")
    ground: str = Field(
        ..., description="reconsideration | litigation | self_correction | supervision"
    )
    reason: str


class WithdrawIn(Schema):
    reason: str


@router.get("/cases/{case_id}/publications", response=list[PublicationOut])
def publication_list(request: HttpRequest, case_id: Id) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return [_staff(r) for r in pub.case_publications(case)]


@router.post("/cases/{case_id}/publications", response={201: PublicationOut})
def publication_publish(request: HttpRequest, case_id: Id) -> Any:
    """Publish the case's penalty decision (a citizen's name is masked)."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return Status(201, _staff(pub.publication_publish(actor=_actor(request), case=case)))


@router.post("/cases/{case_id}/decision-change", response=list[PublicationOut])
def decision_change(request: HttpRequest, case_id: Id, payload: DecisionChangeIn) -> Any:
    """Record that the decision was changed, revoked or held illegal or void.

    A published decision's 3-working-day withdrawal time limit starts.
    """
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    case = pub.decision_change_record(actor=_actor(request), case=case, **payload.dict())
    return [_staff(r) for r in pub.case_publications(case)]


@router.post("/cases/publications/{publication_id}/withdraw", response=PublicationOut)
def publication_withdraw(request: HttpRequest, publication_id: Id, payload: WithdrawIn) -> Any:
    publication = pub.publication_get(actor=_actor(request), pk=publication_id)
    return _staff(
        pub.publication_withdraw(
            actor=_actor(request), publication=publication, reason=payload.reason
        )
    )
