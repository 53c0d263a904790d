"""API: rule proposals (/api/v1/rule-proposals).

No ``from __future__ import annotations``: see fazhi/core/api.py.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from fazhi.core import policy, proposals
from fazhi.core.api_types import Id

router = Router(tags=["rule proposals"])


class ProposalIn(Schema):
    subject: str = Field(min_length=1, max_length=200)
    proposal: str = Field(min_length=1, max_length=10_000)
    national: bool = False


class DecisionIn(Schema):
    accept: bool
    note: str = Field("", max_length=2_000)


class ProposalOut(Schema):
    id: int
    proposer_id: int
    proposer_unit_id: int
    owner_id: int | None
    subject: str
    proposal: str
    status: str
    decided_by_id: int | None
    decided_at: datetime.datetime | None
    decision_note: str
    created_at: datetime.datetime


@router.get("/rule-proposals", response=list[ProposalOut])
@paginate
def proposal_list(request: HttpRequest) -> Any:
    """Proposals the caller's agency made or may decide (all for administrators)."""
    policy.page_require(request.user, "core.view_ruleproposal")
    return proposals.proposal_list(actor=request.user)


@router.post("/rule-proposals", response={201: ProposalOut})
def proposal_create(request: HttpRequest, payload: ProposalIn) -> Any:
    """Propose a change to rule data owned by the level above (or national)."""
    return Status(201, proposals.proposal_create(actor=request.user, **payload.dict()))


@router.post("/rule-proposals/{proposal_id}/decide", response=ProposalOut)
def proposal_decide(request: HttpRequest, proposal_id: Id, payload: DecisionIn) -> Any:
    """The owner of the rule data accepts or rejects a pending proposal."""
    row = proposals.proposal_list(actor=request.user).get(pk=proposal_id)
    return proposals.proposal_decide(
        actor=request.user, proposal=row, accept=payload.accept, note=payload.note
    )
