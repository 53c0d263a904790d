"""The domain writes of the execution rows (called by ``services.case_transition``).

Each ``apply`` runs on the locked case inside the transition, before it is
saved; ``after`` runs in the same transaction once the kit moved the clocks.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fazhi.cases import execution as x
from fazhi.cases.choices import EventKind
from fazhi.cases.events import event_record
from fazhi.cases.execution_workflow import owed_on
from fazhi.cases.guards import decimal_or_none
from fazhi.cases.models import Case
from fazhi.core.actors import Actor
from fazhi.core.clocks import deadline_compute_for_rule
from fazhi.core.models import ObjectClock
from fazhi.core.workflow import clocks_for

Apply = Callable[[Case, Mapping[str, Any], Actor], None]


def _day(data: Mapping[str, Any], key: str = "on") -> datetime.date:
    value = data.get(key)
    if isinstance(value, datetime.date):
        return value
    on = data.get("on")
    return on if isinstance(on, datetime.date) else timezone.localdate()


def _apply_deferral(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    assert case.fine is not None
    owed = case.fine - x.paid_total(case)
    rows = [
        {"due": r["due"], "amount": r["amount"] or str(owed)} for r in data.get("schedule") or []
    ]
    before = x.payment_due(case)
    event_record(
        case,
        EventKind.DEFERRAL,
        actor=actor,
        on=_day(data),
        text=str(data.get("reason", "")).strip(),
        deferral_kind=str(data["kind"]),
        applied_on=str(data["applied_on"]),
        schedule=rows,
        due_before=before.isoformat() if before else None,
    )
    # The payment clock now ends on the last approved due date.
    clock = clocks_for(case).filter(rule_code=x.PAYMENT).first()
    if clock is not None:
        clock = ObjectClock.objects.select_for_update().get(pk=clock.pk)
        clock.due_on = datetime.date.fromisoformat(rows[-1]["due"])
        clock.derivation = {**clock.derivation, "deferred": rows, "deferred_from": str(before)}
        clock.save(update_fields=["due_on", "derivation", "updated_at"])


def _payment(final: bool) -> Apply:
    def apply(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
        paid_on = _day(data, "paid_on")
        fine_left, surcharge = owed_on(case, paid_on)
        amount = decimal_or_none(data.get("amount")) if "amount" in data else None
        if amount is None:
            amount = fine_left + surcharge if final else Decimal(0)
        toward_fine = min(amount, fine_left)
        if final:
            case.paid_on = paid_on
        event_record(
            case,
            EventKind.PAYMENT,
            actor=actor,
            on=paid_on,
            text=str(data.get("receipt", "") or ""),
            fine=str(case.fine),
            amount=str(amount),
            toward_fine=str(toward_fine),
            surcharge_paid=str(amount - toward_fine if final else Decimal(0)),
            surcharge_owed=str(surcharge),
        )

    return apply


def _apply_demand(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    served = _day(data, "served_on")
    fine_left, surcharge = owed_on(case, served)
    event_record(
        case,
        EventKind.DEMAND,
        actor=actor,
        on=served,
        text=str(data.get("method", "")),
        fine_owed=str(fine_left),
        surcharge=str(surcharge),
    )


def _apply_court(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    event_record(
        case,
        EventKind.COURT,
        actor=actor,
        on=_day(data, "applied_on"),
        text=str(data["court"]),
        court=str(data["court"]),
    )


def _apply_take_back(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    from fazhi.cases.choices import DecisionKind

    case.decision_kind = ""
    case.decided_on = None
    last = case.referrals.order_by("pk").last()
    event_record(
        case,
        EventKind.NOTE,
        actor=actor,
        on=_day(data),
        text=last.outcome_text if last else "",
        referral=last.pk if last else None,
        was=DecisionKind.REFERRAL,
    )


APPLY: dict[str, Apply] = {
    "approve_deferral": _apply_deferral,
    "record_instalment": _payment(final=False),
    "record_payment": _payment(final=True),
    "send_demand": _apply_demand,
    "apply_court": _apply_court,
    "take_back": _apply_take_back,
}


def after(case: Case, name: str, data: Mapping[str, Any]) -> None:
    """Date the demand's clock from the day the demand was served (Art. 54)."""
    if name != "send_demand":
        return
    served = _day(data, "served_on")
    clock = clocks_for(case).filter(rule_code=x.DEMAND).first()
    if clock is None or clock.started_on == served:
        return
    clock = ObjectClock.objects.select_for_update().get(pk=clock.pk)
    result = deadline_compute_for_rule(code=x.DEMAND, start=served)
    clock.started_on = served
    clock.due_on = result.due
    clock.derivation = result.as_dict()
    clock.save(update_fields=["started_on", "due_on", "derivation", "updated_at"])
