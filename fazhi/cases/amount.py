"""The amount against the discretion benchmark, flagged to the legal reviewer.

When the case goes to 法制审核, the intended fine is compared with the range
the discretion calculator recommends; outside it, the officer must write why,
and the case is flagged: the review page shows the range and the reason, and
the reviewer's 待办 marks it. A decision outside the range (guards: a written
reason) flags the case too, and it stays in the legal reviewers' 待办 until
it is served.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.cases.choices import EventKind
from fazhi.cases.events import event_day, event_record
from fazhi.cases.guards import Context, decimal_or_none
from fazhi.cases.models import Case, CaseEvent
from fazhi.core.actors import Actor
from fazhi.core.workflow import guard_label


def proposal_check(actor: Actor, case: Case, data: Mapping[str, Any]) -> dict[str, Any]:
    """Compare the intended fine with the calculator's range (for ``send_review``)."""
    from fazhi.cases.discretion import amount_advice

    fine = case.proposed_fine
    advice = amount_advice(actor=actor, case=case)
    outside = bool(advice) and fine is not None and not any(a.contains(fine) for a in advice)
    return {
        "outside_range": outside,
        "discretion": [a.as_dict() for a in advice],
        "amount_reason": str(data.get("amount_reason") or "").strip(),
    }


@guard_label(gettext_lazy("An intended fine outside the recommended range has a written reason"))
def guard_amount_reason(case: Case, ctx: Context) -> str | None:
    """An intended fine outside the recommended range needs a written reason."""
    if ctx.data.get("outside_range") and not ctx.data.get("amount_reason"):
        return _(
            "The intended fine is outside the range the discretion benchmark recommends: "
            "write the reason for the legal reviewer."
        )
    return None


def apply_send_review(case: Case, data: Mapping[str, Any], actor: Actor) -> None:
    """Record the comparison; outside the range, flag the case to the reviewer."""
    outside = bool(data.get("outside_range"))
    case.amount_flagged = outside
    if outside:
        fine = decimal_or_none(case.proposed_fine)
        event_record(
            case,
            EventKind.AMOUNT,
            actor=actor,
            on=event_day(data),
            text=str(data.get("amount_reason", "")),
            stage="proposal",
            fine=str(fine) if fine is not None else None,
            outside_range=True,
            ranges=[a.get("range") for a in data.get("discretion") or []],
        )


def amount_flag(case: Case) -> dict[str, Any] | None:
    """The latest flag on the case for the review page: fine, ranges, reason."""
    if not (case.amount_flagged or case.fine_outside_range):
        return None
    event = CaseEvent.objects.filter(case=case, kind=EventKind.AMOUNT).order_by("-pk").first()
    if event is None:
        return None
    return {
        "fine": event.data.get("fine"),
        "reason": event.text,
        "ranges": event.data.get("ranges") or [],
        "stage": event.data.get("stage", "decision"),
        "on": event.occurred_on,
    }
