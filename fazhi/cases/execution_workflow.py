"""The execution rows of the case procedures (执行), shared by both workflows.

served ─ approve_deferral (self) ─ record_instalment (self) ─ record_payment → executed
served ─ send_demand → demanded ─ apply_court → court ─ record_payment → executed
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.cases import execution as x
from fazhi.cases import guards as g
from fazhi.cases import permissions as p
from fazhi.cases.choices import CaseState as S
from fazhi.cases.choices import DeferralKind, EventKind
from fazhi.cases.forms_procedures import (
    CourtForm,
    DeferralForm,
    DemandForm,
    InstalmentForm,
    PaymentAmountForm,
)
from fazhi.cases.models import Case
from fazhi.core.clocks import deadline_compute_for_rule
from fazhi.core.formats import cn_date
from fazhi.core.workflow import ClockEffect, Transition, guard_label


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


@guard_label(gettext_lazy("A fine was decided and is not fully paid"))
def guard_fine_unpaid(case: Case, ctx: g.Context) -> str | None:
    """A fine was decided and is not fully paid."""
    if not case.fine or case.paid_on is not None:
        return _("There is no unpaid fine.")
    return None


def deferral_problem(
    *,
    kind: str,
    rows: list[dict[str, str]],
    owed: Decimal,
    current_due: datetime.date | None,
    applied_on: datetime.date | None,
    today: datetime.date,
    already: bool,
) -> str | None:
    """Check a deferral or instalment plan against the fine still owed (Art. 66 ¶2)."""
    if already:
        return _("A deferral or instalment plan has already been approved for this fine.")
    if applied_on is None or applied_on > today:
        return _("Record the day the party applied; the approval follows an application.")
    if not rows:
        return _("Give the new due date or the instalments.")
    dues = [datetime.date.fromisoformat(r["due"]) for r in rows]
    if dues != sorted(dues) or len(set(dues)) != len(dues):
        return _("The due dates must be in order, each after the previous one.")
    if current_due is not None and dues[-1] <= current_due:
        return _("The last due date must be after the present one (%(due)s).") % {
            "due": cn_date(current_due)
        }
    if kind == DeferralKind.DEFER:
        if len(rows) != 1:
            return _("A deferral has one new due date; use instalments for several.")
        if rows[0]["amount"] and Decimal(rows[0]["amount"]) != owed:
            return _("A deferral covers the whole %(owed)s yuan still owed.") % {"owed": owed}
        return None
    if len(rows) < 2:
        return _("Instalments need at least two due dates.")
    if any(not r["amount"] for r in rows):
        return _("Give the amount of each instalment.")
    total = sum(Decimal(r["amount"]) for r in rows)
    if total != owed:
        return _("The instalments add up to %(total)s yuan; %(owed)s yuan is owed.") % {
            "total": total,
            "owed": owed,
        }
    return None


@guard_label(
    gettext_lazy("One approved plan, on the party's application, covering what is owed (Art. 66)")
)
def guard_deferral(case: Case, ctx: g.Context) -> str | None:
    """One approved plan, after an application, covering what is owed (Art. 66 ¶2)."""
    if not ctx.data:
        return None  # the page offers the form; the data is checked when it is sent
    assert case.fine is not None
    return deferral_problem(
        kind=str(ctx.data.get("kind", "")),
        rows=list(ctx.data.get("schedule") or []),
        owed=case.fine - x.paid_total(case),
        current_due=x.payment_due(case),
        applied_on=_date(ctx.data.get("applied_on")),
        today=ctx.today,
        already=x.deferral(case) is not None,
    )


@guard_label(
    gettext_lazy("The fine or an instalment is past due (Administrative Coercion Law Art. 35, 54)")
)
def guard_overdue(case: Case, ctx: g.Context) -> str | None:
    """The fine (or an instalment) is past due (行政强制法 Art. 35, 54)."""
    if x.overdue_since(case, ctx.today) is None:
        plan = x.schedule(case)
        due = plan[-1].due if plan else None
        return _("Nothing is overdue yet%(until)s: a demand follows a missed due date.") % {
            "until": _("; the fine is due by %(due)s") % {"due": cn_date(due)} if due else ""
        }
    return None


def _amount(ctx: g.Context) -> Decimal | None:
    return g.decimal_or_none(ctx.data.get("amount"))


def _paid_on(ctx: g.Context) -> datetime.date:
    return _date(ctx.data.get("paid_on")) or ctx.today


def owed_on(case: Case, on: datetime.date) -> tuple[Decimal, Decimal]:
    """The fine still owed and the 加处罚款 not yet paid, on ``on``."""
    assert case.fine is not None
    fine_left = case.fine - x.paid_total(case)
    surcharge = x.surcharge_on(case, on)
    paid_surcharge = sum(
        (
            Decimal(e.data.get("surcharge_paid") or 0)
            for e in case.events.filter(kind=EventKind.PAYMENT)
        ),
        Decimal(0),
    )
    return fine_left, (surcharge.amount if surcharge else Decimal(0)) - paid_surcharge


@guard_label(gettext_lazy("The payment covers the fine owed and the additional fine (Art. 72)"))
def guard_payment_complete(case: Case, ctx: g.Context) -> str | None:
    """The payment covers the fine owed and the 加处罚款 (Art. 72 ¶1(1))."""
    if not ctx.data or not case.fine:
        return None
    amount = _amount(ctx)
    if amount is None:
        return None
    fine_left, surcharge = owed_on(case, _paid_on(ctx))
    if amount < fine_left + surcharge:
        return _(
            "%(total)s yuan is owed on that day: fine %(fine)s yuan and additional fine "
            "%(extra)s yuan; record a smaller payment as an instalment."
        ) % {"total": fine_left + surcharge, "fine": fine_left, "extra": surcharge}
    return None


@guard_label(gettext_lazy("A part payment that leaves some of the fine owed"))
def guard_instalment(case: Case, ctx: g.Context) -> str | None:
    """A part payment, leaving some of the fine owed."""
    if not ctx.data:
        return None
    amount = _amount(ctx)
    assert case.fine is not None
    left = case.fine - x.paid_total(case)
    if amount is None or amount >= left:
        return _(
            "A part payment is less than the %(left)s yuan owed; else record the payment."
        ) % {"left": left}
    return None


def latest_demand_due(case: Case) -> object:
    event = case.events.filter(kind=EventKind.DEMAND).order_by("pk").last()
    if event is None:
        return None
    return deadline_compute_for_rule(code=x.DEMAND, start=event.occurred_on)


@guard_label(
    gettext_lazy(
        "The period after the demand was served has passed (Administrative Coercion Law Art. 54)"
    )
)
def guard_demand_waited(case: Case, ctx: g.Context) -> str | None:
    """10 working days have passed since the demand was served (行政强制法 Art. 54, 69)."""
    due = latest_demand_due(case)
    if due is None:
        return _("Serve a demand to perform first (行政强制法 Art. 54).")
    return x.demand_wait_problem(today=ctx.today, due=due)  # type: ignore[arg-type]


@guard_label(
    gettext_lazy("Within the period to apply to the court (Administrative Coercion Law Art. 53)")
)
def guard_court_window(case: Case, ctx: g.Context) -> str | None:
    """After the 复议/诉讼 periods end and within 3 months (行政强制法 Art. 53)."""
    window = x.court_window(case)
    if window is None:
        return _("The decision has not been served.")
    on = _date(ctx.data.get("applied_on")) or ctx.today
    return x.court_problem(today=on, remedies_end=window[0], window=window[1])


@guard_label(gettext_lazy("The public security organ did not open a case"))
def guard_not_accepted(case: Case, ctx: g.Context) -> str | None:
    """The public security organ did not open a case (移送规定 Art. 10)."""
    from fazhi.cases.choices import ReferralState

    last = case.referrals.order_by("pk").last()
    if last is None or last.state != ReferralState.NOT_ACCEPTED:
        return _("Only a case the public security organ did not accept comes back (Art. 10).")
    return None


PAID_FROM = (S.SERVED, S.DEMANDED, S.COURT)

EXECUTION = (
    Transition(
        name="approve_deferral",
        label=gettext_lazy("Approve deferred or instalment payment"),
        sources=(S.SERVED,),
        target=S.SERVED,
        permission=p.DECIDE,
        guards=(guard_fine_unpaid, guard_deferral),
        form=DeferralForm,
    ),
    Transition(
        name="record_instalment",
        label=gettext_lazy("Record a part payment"),
        sources=(S.SERVED,),
        target=S.SERVED,
        permission=p.CHANGE,
        guards=(guard_fine_unpaid, guard_instalment),
        form=InstalmentForm,
    ),
    Transition(
        name="record_payment",
        label=gettext_lazy("Record the payment"),
        sources=PAID_FROM,
        target=S.EXECUTED,
        permission=p.CHANGE,
        guards=(guard_fine_unpaid, guard_payment_complete),
        clocks=(ClockEffect(rule=x.PAYMENT, action="stop"),),
        form=PaymentAmountForm,
    ),
    Transition(
        name="send_demand",
        label=gettext_lazy("Serve a demand to perform"),
        sources=(S.SERVED,),
        target=S.DEMANDED,
        permission=p.CHANGE,
        guards=(guard_fine_unpaid, guard_overdue),
        clocks=(ClockEffect(rule=x.DEMAND, action="start"),),
        form=DemandForm,
    ),
    Transition(
        name="apply_court",
        label=gettext_lazy("Apply to the court for enforcement"),
        sources=(S.DEMANDED,),
        target=S.COURT,
        permission=p.DECIDE,
        guards=(guard_fine_unpaid, guard_demand_waited, guard_court_window),
        clocks=(ClockEffect(rule=x.DEMAND, action="stop"),),
        form=CourtForm,
    ),
)

TAKE_BACK = Transition(
    name="take_back",
    label=gettext_lazy("Resume the case (referral not accepted)"),
    sources=(S.REFERRED,),
    target=S.INVESTIGATING,
    permission=p.DECIDE,
    guards=(guard_not_accepted,),
)
