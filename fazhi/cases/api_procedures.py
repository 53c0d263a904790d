"""/api/v1/cases/{id}/coercions, …/referrals and …/execution, with the same guards as the page.

The execution steps themselves (延期/分期, payments, 催告, court) are case
transitions: ``POST /cases/{id}/transitions/{name}``.
No ``from __future__ import annotations`` (ninja resolves the annotations).
"""

import datetime
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Body, Router, Schema, Status

from fazhi.cases import execution as x
from fazhi.cases import selectors
from fazhi.cases.coercion_workflow import COERCION
from fazhi.cases.models_procedures import Coercion, CrimeReferral
from fazhi.cases.referral_workflow import REFERRAL
from fazhi.cases.services_procedures import (
    coercion_create,
    coercion_transition,
    referral_create,
    referral_transition,
)
from fazhi.core.actors import Actor
from fazhi.core.api_types import Id
from fazhi.core.workflow import Workflow, available_actions, clocks_for

router = Router(tags=["cases"])


def _actor(request: HttpRequest) -> Actor:
    return cast("Actor", request.user)


class StepOut(Schema):
    name: str
    label: str
    allowed: bool
    reason: str | None


class ProcClockOut(Schema):
    rule: str
    state: str
    started_on: datetime.date
    due_on: datetime.date
    pauses: list[dict[str, Any]]
    derivation: dict[str, Any]


class CoercionOut(Schema):
    id: int
    kind: str
    state: str
    items: str
    reason: str
    basis: str
    proposed_on: datetime.date
    started_on: datetime.date | None
    extended_on: datetime.date | None
    test_kind: str
    ended_on: datetime.date | None
    release_ground: str
    disposal: str
    outcome: str
    clocks: list[ProcClockOut]
    actions: list[StepOut]


class ReferralOut(Schema):
    id: int
    state: str
    crime: str
    report: str
    reported_on: datetime.date
    decided_on: datetime.date | None
    refusal_reason: str
    receiver: str
    referred_on: datetime.date | None
    outcome_on: datetime.date | None
    outcome_text: str
    clocks: list[ProcClockOut]
    actions: list[StepOut]


class CoercionIn(Schema):
    kind: str
    items: str
    reason: str
    basis: str


class ReferralIn(Schema):
    crime: str
    report: str


class InstalmentOut(Schema):
    due: datetime.date
    amount: Decimal


class ExecutionOut(Schema):
    fine: Decimal | None
    schedule: list[InstalmentOut]
    paid: Decimal
    surcharge: Decimal | None
    surcharge_lines: list[str]
    remedies_end: datetime.date | None
    court_until: datetime.date | None


def _out(request: HttpRequest, obj: Any, flow: Workflow) -> dict[str, Any]:
    fields = {f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields}
    fields["clocks"] = [
        {
            "rule": c.rule_code,
            "state": c.state,
            "started_on": c.started_on,
            "due_on": c.due_on,
            "pauses": c.pauses,
            "derivation": c.derivation,
        }
        for c in clocks_for(obj).order_by("started_on", "pk")
    ]
    fields["actions"] = [
        a.__dict__ for a in available_actions(obj, actor=_actor(request), workflow=flow)
    ]
    return fields


@router.get("/cases/{case_id}/coercions", response=list[CoercionOut])
def coercion_list(request: HttpRequest, case_id: Id) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return [_out(request, c, COERCION) for c in Coercion.objects.filter(case=case)]


@router.post("/cases/{case_id}/coercions", response={201: CoercionOut})
def coercion_add(request: HttpRequest, case_id: Id, payload: CoercionIn) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    coercion = coercion_create(actor=_actor(request), case=case, **payload.dict())
    return Status(201, _out(request, coercion, COERCION))


@router.post("/cases/{case_id}/coercions/{coercion_id}/transitions/{name}", response=CoercionOut)
def coercion_step(
    request: HttpRequest, case_id: Id, coercion_id: Id, name: str, payload: Body[dict[str, Any]]
) -> Any:
    """Fire a step of the measure: approve, refuse, extend, start_test, end_test, release …"""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    coercion = get_object_or_404(Coercion, pk=coercion_id, case=case)
    payload.pop("on", None)  # only code may backdate a step
    coercion = coercion_transition(actor=_actor(request), coercion=coercion, name=name, **payload)
    return _out(request, coercion, COERCION)


@router.get("/cases/{case_id}/referrals", response=list[ReferralOut])
def referral_list(request: HttpRequest, case_id: Id) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return [_out(request, r, REFERRAL) for r in CrimeReferral.objects.filter(case=case)]


@router.post("/cases/{case_id}/referrals", response={201: ReferralOut})
def referral_add(request: HttpRequest, case_id: Id, payload: ReferralIn) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    referral = referral_create(actor=_actor(request), case=case, **payload.dict())
    return Status(201, _out(request, referral, REFERRAL))


@router.post("/cases/{case_id}/referrals/{referral_id}/transitions/{name}", response=ReferralOut)
def referral_step(
    request: HttpRequest, case_id: Id, referral_id: Id, name: str, payload: Body[dict[str, Any]]
) -> Any:
    """Fire a step of the referral: approve, refuse, refer, accept, reject, hand_over."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    referral = get_object_or_404(CrimeReferral, pk=referral_id, case=case)
    payload.pop("on", None)
    referral = referral_transition(actor=_actor(request), referral=referral, name=name, **payload)
    return _out(request, referral, REFERRAL)


@router.get("/cases/{case_id}/execution", response=ExecutionOut)
def execution_get(request: HttpRequest, case_id: Id) -> Any:
    """The schedule, what was paid, today's 加处罚款 and the court window (Art. 53)."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    today = timezone.localdate()
    surcharge = x.surcharge_on(case, today) if case.fine and case.served_on else None
    window = x.court_window(case)
    return {
        "fine": case.fine,
        "schedule": [{"due": i.due, "amount": i.amount} for i in x.schedule(case)],
        "paid": x.paid_total(case),
        "surcharge": surcharge.amount if surcharge else None,
        "surcharge_lines": list(surcharge.lines) if surcharge else [],
        "remedies_end": window[0] if window else None,
        "court_until": window[1].due if window else None,
    }
