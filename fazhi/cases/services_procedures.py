"""Writes of the case sub-procedures: 查封、扣押 and referral of a suspected crime.

Each step goes through the kit's ``transition()`` with the sub-procedure's
workflow, in one transaction with its records on the case's timeline, its
clocks and its 文书 (numbered through the kit).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhi.cases import permissions as p
from fazhi.cases.choices import (
    CaseState,
    CoercionState,
    DisposalKind,
    EventKind,
    ReleaseGround,
    TestKind,
)
from fazhi.cases.coercion_workflow import COERCION, OPEN_CASE, SEIZURE, seizure_due
from fazhi.cases.events import event_day, event_record
from fazhi.cases.models import Case
from fazhi.cases.models_procedures import Coercion, CrimeReferral
from fazhi.cases.referral_workflow import REFERRAL
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.choices import ClockState
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.formats import cn_date
from fazhi.core.locks import lock_row
from fazhi.core.models import ObjectClock
from fazhi.core.workflow import clocks_for, transition

Apply = Callable[[Any, Mapping[str, Any], Actor], None]


# -- 查封、扣押 -------------------------------------------------------------------------


@policy.requires(p.CHANGE)
def coercion_create(
    *, actor: Actor, case: Case, kind: str, items: str, reason: str, basis: str, **data: Any
) -> Coercion:
    """报告 — ask the head to approve a sealing up or seizure (行政强制法 Art. 18(1))."""
    policy.require(actor, p.CHANGE, unit=case.unit)
    on = event_day(data)
    with transaction.atomic():
        case = lock_row(case)
        if case.state not in OPEN_CASE:
            raise Conflict(
                _("The case is %(state)s: no coercive measure can be taken now.")
                % {"state": case.get_state_display()}
            )
        coercion = Coercion(
            case=case,
            kind=kind,
            items=items.strip(),
            reason=reason.strip(),
            basis=basis.strip(),
            proposed_on=on,
        )
        coercion.full_clean()
        coercion.save()
        event_record(
            case,
            EventKind.COERCION,
            actor=actor,
            on=on,
            text=coercion.reason,
            coercion=coercion.pk,
            step="report",
        )
        audit_record(
            actor=actor,
            verb="cases.coercion.create",
            obj=coercion,
            after=snapshot(coercion),
            unit=case.unit,
        )
    return coercion


def _c_approve(c: Coercion, data: Mapping[str, Any], actor: Actor) -> None:
    c.started_on = event_day(data)


def _c_refuse(c: Coercion, data: Mapping[str, Any], actor: Actor) -> None:
    c.ended_on = event_day(data)
    c.outcome = str(data["reason"])


def _c_extend(c: Coercion, data: Mapping[str, Any], actor: Actor) -> None:
    c.extended_on = event_day(data)
    c.extension_reason = str(data["reason"]).strip()


def _c_test(c: Coercion, data: Mapping[str, Any], actor: Actor) -> None:
    c.test_kind = str(data["test_kind"])


def _c_release(c: Coercion, data: Mapping[str, Any], actor: Actor) -> None:
    c.ended_on = event_day(data)
    c.release_ground = str(data["ground"])
    c.outcome = str(data.get("text") or "")


def _c_dispose(c: Coercion, data: Mapping[str, Any], actor: Actor) -> None:
    c.ended_on = event_day(data)
    c.disposal = str(data["disposal"])
    c.outcome = str(data["text"])


_COERCION_APPLY: dict[str, Apply] = {
    "approve": _c_approve,
    "refuse": _c_refuse,
    "extend": _c_extend,
    "start_test": _c_test,
    "release": _c_release,
    "dispose": _c_dispose,
}

# transition → (template, number kind)
COERCION_DOCUMENTS = {
    "approve": ("coercion_decision", "coercion_decision"),
    "extend": ("coercion_extension", "coercion_extension"),
    "start_test": ("coercion_test_notice", None),
    "release": ("coercion_release", "coercion_release"),
}


def _sync_clock(coercion: Coercion) -> None:
    """Put the extension after the base limit, both without the test periods (Art. 25)."""
    clock = clocks_for(coercion).filter(rule_code=SEIZURE).first()
    if clock is None or clock.state != ClockState.RUNNING:
        return
    due = seizure_due(coercion)
    assert due is not None
    if clock.due_on == due.due and not coercion.extended_on:
        return
    clock = ObjectClock.objects.select_for_update().get(pk=clock.pk)
    clock.due_on = due.due
    clock.derivation = {**due.as_dict(), "extended_on": str(coercion.extended_on or "")}
    clock.save(update_fields=["due_on", "derivation", "updated_at"])


def _pause_reason(data: Mapping[str, Any]) -> str:
    kind = data.get("test_kind")
    label = str(TestKind(kind).label) if kind in TestKind.values else ""
    until = data.get("until")
    until_text = cn_date(until) if isinstance(until, datetime.date) else str(until or "")
    return f"{label}（{data.get('agency', '')}），{_('expected to end on')} {until_text}"


def _step_text(name: str, c: Coercion, data: Mapping[str, Any]) -> str:
    if name == "release":
        return f"{ReleaseGround(c.release_ground).label} {c.outcome}".strip()
    if name == "dispose":
        return f"{DisposalKind(c.disposal).label}：{c.outcome}"
    if name == "start_test":
        return str(data["pause_reason"])
    return str(data.get("text") or data.get("reason") or "")


def _coercion_context(case: Case, c: Coercion, actor: Actor, on: datetime.date) -> dict[str, Any]:
    from fazhi.cases.documents import _rule_period, case_context

    due = seizure_due(c)
    return {
        **case_context(case, actor=actor, on=on),
        "measure": str(c.get_kind_display()),
        "items": c.items,
        "coercion_reason": c.reason,
        "coercion_basis": c.basis,
        "started_on": c.started_on or on,
        "due_on": due.due if due else on,
        "seizure_period": _rule_period(c.case, SEIZURE, c.started_on or on),
        "extension_reason": c.extension_reason,
        "test_text": "",
        "release_ground": str(c.get_release_ground_display()),
        "outcome": c.outcome,
        "on": on,
    }


@policy.requires(p.VIEW)
def coercion_transition(*, actor: Actor, coercion: Coercion, name: str, **data: Any) -> Coercion:
    """Fire step ``name`` of a sealing up or seizure, with its record, clock and 文书."""
    from fazhi.core.documents import document_render

    apply = _COERCION_APPLY.get(name)
    if name == "start_test":
        data = {**data, "pause_reason": _pause_reason(data)}
    with transaction.atomic():
        fresh = transition(
            coercion,
            name,
            actor=actor,
            workflow=COERCION,
            on_apply=(lambda obj, d: apply(obj, d, actor)) if apply else None,
            **data,
        )
        _sync_clock(fresh)
        case = fresh.case
        on = event_day(data)
        text = _step_text(name, fresh, data)
        event_record(
            case, EventKind.COERCION, actor=actor, on=on, text=text, coercion=fresh.pk, step=name
        )
        if name in COERCION_DOCUMENTS:
            code, number_kind = COERCION_DOCUMENTS[name]
            context = _coercion_context(case, fresh, actor, on)
            if name == "start_test":
                context["test_text"] = text
            document_render(
                actor=actor,
                template_code=code,
                obj=case,
                unit=case.unit,
                context=context,
                number_kind=number_kind,
                on=on,
            )
    return fresh


# -- 移送涉嫌犯罪案件 -----------------------------------------------------------------------


@policy.requires(p.CHANGE)
def referral_create(
    *, actor: Actor, case: Case, crime: str, report: str, **data: Any
) -> CrimeReferral:
    """专案组's written report, submitted for the head's approval (移送规定 Art. 5)."""
    policy.require(actor, p.CHANGE, unit=case.unit)
    if not crime.strip() or not report.strip():
        raise DomainError(
            _("Write the report: the suspected crime and the facts checked (Art. 5).")
        )
    with transaction.atomic():
        referral = CrimeReferral(
            case=case, crime=crime.strip(), report=report.strip(), reported_on=event_day(data)
        )
        referral.full_clean()
        referral.save()
        audit_record(
            actor=actor,
            verb="cases.crimereferral.create",
            obj=referral,
            after=snapshot(referral),
            unit=case.unit,
        )
        return referral_transition(actor=actor, referral=referral, name="report", **data)


def _r_decided(r: CrimeReferral, data: Mapping[str, Any], actor: Actor) -> None:
    r.decided_on = event_day(data)
    if data.get("reason"):
        r.refusal_reason = str(data["reason"]).strip()


def _r_refer(r: CrimeReferral, data: Mapping[str, Any], actor: Actor) -> None:
    r.referred_on = event_day(data)
    r.receiver = str(data["receiver"]).strip()


def _r_outcome(r: CrimeReferral, data: Mapping[str, Any], actor: Actor) -> None:
    r.outcome_on = event_day(data)
    r.outcome_text = str(data["text"]).strip()


_REFERRAL_APPLY: dict[str, Apply] = {
    "approve": _r_decided,
    "refuse": _r_decided,
    "refer": _r_refer,
    "accept": _r_outcome,
    "reject": _r_outcome,
}


@policy.requires(p.VIEW)
def referral_transition(
    *, actor: Actor, referral: CrimeReferral, name: str, **data: Any
) -> CrimeReferral:
    """Fire step ``name`` of a referral; referring also moves the case to 移送司法."""
    from fazhi.cases.documents import case_context
    from fazhi.cases.services import case_transition
    from fazhi.core.documents import document_render

    apply = _REFERRAL_APPLY.get(name)
    with transaction.atomic():
        fresh = transition(
            referral,
            name,
            actor=actor,
            workflow=REFERRAL,
            on_apply=(lambda obj, d: apply(obj, d, actor)) if apply else None,
            **data,
        )
        on = event_day(data)
        case = fresh.case
        text = {
            "report": fresh.report,
            "refuse": fresh.refusal_reason,
            "refer": fresh.receiver,
            "accept": fresh.outcome_text,
            "reject": fresh.outcome_text,
        }.get(name, str(data.get("text") or ""))
        event_record(
            case, EventKind.REFERRAL, actor=actor, on=on, text=text, referral=fresh.pk, step=name
        )
        if name == "refer":
            document_render(
                actor=actor,
                template_code="crime_referral",
                obj=case,
                unit=case.unit,
                context={
                    **case_context(case, actor=actor, on=on),
                    "crime": fresh.crime,
                    "report": fresh.report,
                    "receiver": fresh.receiver,
                    "referred_on": on,
                },
                number_kind="crime_referral",
                on=on,
            )
            if case.state != CaseState.REFERRED:
                case_transition(
                    actor=actor,
                    case=case,
                    name="refer",
                    on=on,
                    reason=_("Suspected crime: %(crime)s") % {"crime": fresh.crime},
                    receiver=fresh.receiver,
                )
    return fresh


def coercions_of(case: Case) -> list[Coercion]:
    return list(Coercion.objects.filter(case=case).order_by("pk"))


def referrals_of(case: Case) -> list[CrimeReferral]:
    return list(CrimeReferral.objects.filter(case=case).order_by("pk"))


def in_force(coercion: Coercion) -> bool:
    return coercion.state in (CoercionState.IN_FORCE, CoercionState.TESTING)
