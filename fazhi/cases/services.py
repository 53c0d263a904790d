"""Writes on penalty cases: intake, editing before the decision, transitions.

Every state change goes through the kit's ``transition()`` with the case's
workflow (fazhi/cases/workflow.py); this module supplies the domain writes of
each transition (``_APPLY``), the 文书 it produces and the audit of the
edits that are not transitions. A case that is decided is read-only: later
corrections are new records (``CaseEvent``), never edits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.cases import execution_services
from fazhi.cases import permissions as p
from fazhi.cases.amount import apply_send_review, proposal_check
from fazhi.cases.choices import CaseState, DecisionKind, EventKind, OfficerRole
from fazhi.cases.events import event_day, event_record, event_user
from fazhi.cases.guards import case_rule, decimal_or_none, decision_due
from fazhi.cases.models import Case, CaseEvent, CaseOfficer, CaseViolation
from fazhi.cases.workflow import workflow_of
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.errors import Conflict, DomainError, Refused
from fazhi.core.locks import lock_row
from fazhi.core.models import ObjectClock, OrgUnit
from fazhi.core.workflow import clocks_for, transition
from fazhi.registry.models import Entity, Officer

EDITABLE = (CaseState.INTAKE, CaseState.INVESTIGATING, CaseState.REVIEW)


def _plan_data(case: Case) -> dict[str, Any]:
    return {
        "fine": str(case.proposed_fine) if case.proposed_fine is not None else None,
        "penalty_kinds": sorted(case.penalty_kinds),
    }


# -- intake and edits -------------------------------------------------------------------


@policy.requires(p.ADD)
def case_create(
    *,
    actor: Actor,
    unit: OrgUnit,
    officers: Iterable[Officer],
    entity: Entity | None = None,
    **fields: Any,
) -> Case:
    """案源登记 — register a case for ``unit`` with its officers."""
    policy.require(actor, p.ADD, unit=unit)
    team = list(officers)
    for officer in team:
        home = officer.unit
        if home is None or not policy.unit_in_scope(actor, home):
            raise DomainError(
                _("The officer %(name)s is outside your scope.") % {"name": officer.full_name},
                field="officers",
            )
    with transaction.atomic():
        case = Case(unit=unit, entity=entity, created_by=event_user(actor), **fields)
        if entity is not None:
            case.party_name = case.party_name or entity.name
            case.party_code = case.party_code or entity.uscc
            case.party_address = case.party_address or entity.address
        case.full_clean()
        case.save()
        for n, officer in enumerate(team):
            CaseOfficer.objects.create(
                case=case, officer=officer, role=OfficerRole.LEAD if n == 0 else OfficerRole.ASSIST
            )
        after = snapshot(case)
        after["officers"] = [o.pk for o in team]
        audit_record(actor=actor, verb="cases.case.create", obj=case, after=after, unit=unit)
    return case


def _editable(case: Case, actor: Actor) -> Case:
    policy.require(actor, p.CHANGE, unit=case.unit)
    case = lock_row(case)
    if case.state not in EDITABLE:
        raise Conflict(
            _("The case is %(state)s: it can no longer be edited; add a record instead.")
            % {"state": case.get_state_display()}
        )
    return case


@policy.requires(p.CHANGE)
def case_update(*, actor: Actor, case: Case, **fields: Any) -> Case:
    """Change the facts, circumstances or intended penalty before the notice."""
    allowed = {"facts", "flags", "penalty_kinds", "proposed_fine", "confiscation", "title"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        case = _editable(case, actor)
        before = snapshot(case, list(fields))
        for name, value in fields.items():
            setattr(case, name, value)
        case.full_clean()
        case.save()
        audit_record(
            actor=actor,
            verb="cases.case.update",
            obj=case,
            before=before,
            after=snapshot(case, list(fields)),
            unit=case.unit,
        )
    return case


@policy.requires(p.CHANGE)
def case_violation_add(*, actor: Actor, case: Case, **fields: Any) -> CaseViolation:
    """Add a violation charged, with the provision version applied (Art. 37)."""
    with transaction.atomic():
        case = _editable(case, actor)
        violation = CaseViolation(case=case, **fields)
        violation.full_clean()
        violation.save()
        audit_record(
            actor=actor,
            verb="cases.violation.add",
            obj=case,
            after=snapshot(violation),
            unit=case.unit,
        )
    return violation


@policy.requires(p.CHANGE)
def case_officer_add(*, actor: Actor, case: Case, officer: Officer) -> CaseOfficer:
    """Add an officer to the team (the team guard checks certificates and recusal)."""
    with transaction.atomic():
        case = _editable(case, actor)
        if officer.unit is None or not policy.unit_in_scope(actor, officer.unit):
            raise DomainError(
                _("The officer %(name)s is outside your scope.") % {"name": officer.full_name}
            )
        row, created = CaseOfficer.objects.get_or_create(
            case=case, officer=officer, defaults={"role": OfficerRole.ASSIST}
        )
        if created:
            audit_record(
                actor=actor,
                verb="cases.officer.add",
                obj=case,
                after={"officer": officer.pk},
                unit=case.unit,
            )
    return row


@policy.requires(p.CHANGE)
def case_note_add(*, actor: Actor, case: Case, text: str) -> CaseEvent:
    """Append a note (a correction is a new note, never an edit)."""
    policy.require(actor, p.VIEW, unit=case.unit)
    policy.require(actor, p.CHANGE, unit=case.unit)
    if not text.strip():
        raise DomainError(_("Write the note."), field="text")
    with transaction.atomic():
        event = event_record(
            case, EventKind.NOTE, actor=actor, on=timezone.localdate(), text=text.strip()
        )
        audit_record(
            actor=actor,
            verb="cases.case.note",
            obj=case,
            after={"text": text.strip()},
            unit=case.unit,
        )
    return event


# -- transitions -------------------------------------------------------------------------


def _apply_file(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    from fazhi.cases.documents import case_number_assign

    case.filed_on = event_day(data)
    case_number_assign(case)


def _apply_decline(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.closed_on = event_day(data)
    event_record(case, EventKind.NOTE, actor=actor, on=event_day(data), text=data["reason"])


def _apply_notice(hearing: bool) -> Callable[[Case, Mapping[str, Any], Actor], None]:
    def apply(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
        case.notice_given_on = event_day(data)
        case.notice_kinds = list(case.penalty_kinds)
        case.notice_fine = case.proposed_fine
        case.hearing_offered = hearing

    return apply


def _apply_hearing_request(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.hearing_requested_on = data.get("requested_on") or event_day(data)


def _apply_statement(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.statement_closed_on = event_day(data)
    text = str(data.get("text") or "").strip() or _("The party made no statement.")
    event_record(
        case,
        EventKind.STATEMENT,
        actor=actor,
        on=event_day(data),
        text=text,
        hearing_waived=bool(data.get("hearing_waived")),
    )


def _apply_hearing(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.hearing_held_on = data.get("held_on") or event_day(data)
    case.statement_closed_on = case.hearing_held_on
    event_record(case, EventKind.HEARING, actor=actor, on=case.hearing_held_on, text=data["text"])


def _apply_review(passed: bool) -> Callable[[Case, Mapping[str, Any], Actor], None]:
    def apply(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
        event_record(
            case,
            EventKind.LEGAL_REVIEW,
            actor=actor,
            on=event_day(data),
            text=data["text"],
            passed=passed,
            **_plan_data(case),
        )

    return apply


def _apply_discussion(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    event_record(
        case,
        EventKind.DISCUSSION,
        actor=actor,
        on=event_day(data),
        text=data["text"],
        passed=True,
        **_plan_data(case),
    )


def _apply_reopen(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    event_record(case, EventKind.NOTE, actor=actor, on=event_day(data), text=data["reason"])


def _apply_decide(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.decision_kind = DecisionKind.PENALTY
    case.penalty_kinds = sorted(data.get("penalty_kinds") or case.penalty_kinds)
    case.fine = decimal_or_none(data.get("fine")) if "fine" in data else case.proposed_fine
    case.fine_reason = str(data.get("fine_reason") or "")
    case.fine_outside_range = bool(data.get("outside_range"))
    case.amount_flagged = case.fine_outside_range
    case.discretion = {"advice": list(data.get("discretion") or [])}
    case.decided_on = event_day(data)
    event_record(
        case,
        EventKind.AMOUNT,
        actor=actor,
        on=case.decided_on,
        text=case.fine_reason,
        fine=str(case.fine) if case.fine is not None else None,
        outside_range=case.fine_outside_range,
        ranges=[a.get("range") for a in case.discretion["advice"]],
    )


def _apply_no_penalty(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.decision_kind = DecisionKind.NO_PENALTY
    case.fine = None
    case.decided_on = event_day(data)
    event_record(
        case,
        EventKind.EDUCATION,
        actor=actor,
        on=case.decided_on,
        text=data["education"],
        ground=data["reason"],
    )


def _apply_refer(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.decision_kind = DecisionKind.REFERRAL
    case.decided_on = event_day(data)
    event_record(
        case,
        EventKind.NOTE,
        actor=actor,
        on=case.decided_on,
        text=data["reason"],
        receiver=data["receiver"],
    )


def _apply_serve(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.served_on = data.get("served_on") or event_day(data)
    event_record(
        case, EventKind.SERVICE, actor=actor, on=case.served_on, text=str(data.get("method", ""))
    )


def _apply_close(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    case.closed_on = event_day(data)


def _apply_on_spot(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    from fazhi.cases.documents import case_number_assign

    case.decision_kind = DecisionKind.PENALTY
    case.penalty_kinds = sorted(data.get("penalty_kinds") or [])
    case.fine = decimal_or_none(data.get("fine"))
    case.proposed_fine = case.fine
    case.notice_kinds = list(case.penalty_kinds)
    case.notice_fine = case.fine
    case.filed_on = case.decided_on = case.served_on = case.notice_given_on = event_day(data)
    case.statement_closed_on = case.decided_on
    case_number_assign(case)


_APPLY: dict[str, Callable[[Case, Mapping[str, Any], Actor], None]] = {
    "file": _apply_file,
    "decline": _apply_decline,
    "give_notice": _apply_notice(hearing=False),
    "give_notice_hearing": _apply_notice(hearing=True),
    "request_hearing": _apply_hearing_request,
    "close_statement": _apply_statement,
    "close_statement_no_hearing": _apply_statement,
    "hold_hearing": _apply_hearing,
    "pass_review": _apply_review(passed=True),
    "return_review": _apply_review(passed=False),
    "send_review": apply_send_review,
    "record_discussion": _apply_discussion,
    "reopen": _apply_reopen,
    "decide": _apply_decide,
    "decide_no_penalty": _apply_no_penalty,
    "refer": _apply_refer,
    "serve": _apply_serve,
    "serve_no_fine": _apply_serve,
    "close": _apply_close,
    "decide_on_spot": _apply_on_spot,
    "warn_on_spot": _apply_on_spot,
    **execution_services.APPLY,
}


@policy.requires(p.VIEW)
def case_transition(*, actor: Actor, case: Case, name: str, **data: Any) -> Case:
    """Fire transition ``name`` on ``case`` (its procedure's workflow) and make its 文书.

    One transaction: the state change, the domain records, the audit event,
    the clocks, the 文书 and its number — a refusal or a race leaves nothing.
    """
    from fazhi.cases.documents import documents_after

    apply = _APPLY.get(name)
    if name == "decide":
        data = {**data, **_amount_check(actor, case, data)}
    elif name == "send_review":
        data = {**data, **proposal_check(actor, case, data)}
    with transaction.atomic():
        fresh = transition(
            case,
            name,
            actor=actor,
            workflow=workflow_of(case),
            on_apply=(lambda obj, d: apply(obj, d, actor)) if apply else None,
            **data,
        )
        assert isinstance(fresh, Case)
        execution_services.after(fresh, name, data)
        documents_after(fresh, name, actor=actor, on=event_day(data))
    return fresh


def _amount_check(actor: Actor, case: Case, data: Mapping[str, Any]) -> dict[str, Any]:
    """Compare the fine decided with the calculator's range (outside needs a reason)."""
    from fazhi.cases.discretion import amount_advice

    advice = amount_advice(actor=actor, case=case)
    fine = decimal_or_none(data.get("fine"))
    outside = bool(advice) and fine is not None and not any(a.contains(fine) for a in advice)
    return {"outside_range": outside, "discretion": [a.as_dict() for a in advice]}


@policy.requires(p.DECIDE)
def case_extend(*, actor: Actor, case: Case, days: int, reason: str) -> Case:
    """Extend the decision time limit by an approved number of days (Art. 60).

    The running 90-day clock is moved in place: its new due date is the
    extension rule applied from the old one, with the derivation of both.
    """

    policy.require(actor, p.DECIDE, unit=case.unit)
    if not reason.strip():
        raise DomainError(_("Give the reason."), field="reason")
    today = timezone.localdate()
    with transaction.atomic():
        case = lock_row(case)
        if case.state not in (
            CaseState.INVESTIGATING,
            CaseState.REVIEW,
            CaseState.NOTIFIED,
            CaseState.HEARING,
            CaseState.PENDING_DECISION,
            CaseState.LEGAL_REVIEW,
        ):
            raise Conflict(_("Only an open case's time limit can be extended."))
        due = decision_due(case)
        assert due is not None
        if today > due.due:
            raise Refused(
                _("The time limit ended on %(due)s: it can no longer be extended.")
                % {"due": due.due}
            )
        rule = case_rule(case, "penalty_decision_extension", today)
        if days > rule.length:
            raise DomainError(
                _("An extension may be at most %(n)d days (%(source)s).")
                % {"n": rule.length, "source": rule.source},
                field="days",
            )
        if case.events.filter(kind=EventKind.EXTENSION).exists():
            raise Refused(
                _(
                    "The time limit has already been extended once; a further extension "
                    "needs the higher level's approval outside this system."
                )
            )
        event_record(
            case, EventKind.EXTENSION, actor=actor, on=today, text=reason.strip(), days=days
        )
        moved = decision_due(case)
        assert moved is not None
        clock = clocks_for(case).filter(rule_code="penalty_decision").first()
        if clock is not None:
            clock = ObjectClock.objects.select_for_update().get(pk=clock.pk)
            clock.due_on = moved.due
            clock.derivation = {**moved.as_dict(), "extended_from": due.as_dict()}
            clock.save(update_fields=["due_on", "derivation", "updated_at"])
        audit_record(
            actor=actor,
            verb="cases.case.extend",
            obj=case,
            before={"due_on": due.due.isoformat()},
            after={"due_on": moved.due.isoformat(), "days": days, "reason": reason.strip()},
            unit=case.unit,
        )
    return case
