"""执行 — payment, 加处罚款, 延期/分期, 催告 and application to the court.

- 加处罚款 (行政处罚法 Art. 72 ¶1(1); 行政强制法 Art. 45): each day a fine
  (or an instalment) is overdue adds a percentage of the overdue amount, the
  total capped at a percentage of the fine. Both numbers are ``CaseRule`` rows
  (purpose ``late_payment``), never typed: ``surcharge_compute`` is pure and
  returns its derivation.
- 延期/分期 (行政处罚法 Art. 66 ¶2): on the party's application and the
  agency's approval the due dates change; the schedule is the approved one.
- 催告 (行政强制法 Art. 35, 54, 69): the demand served, the court may be
  asked once 10 working days have passed (clock ``enforcement_demand``).
- 申请法院强制执行 (行政强制法 Art. 53): only after the periods for 复议 and
  诉讼 have ended, and within 3 months of that (clock rule
  ``court_enforcement_application``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from fazhi.cases.choices import EventKind, RuleCondition, RulePurpose
from fazhi.cases.rules import RuleRow, most_specific, rule_rows_for
from fazhi.core.clocks import DeadlineResult, deadline_compute_for_rule
from fazhi.core.errors import DomainError
from fazhi.core.formats import cn_date

if TYPE_CHECKING:
    from fazhi.cases.models import Case

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PAYMENT = "penalty_payment"
DEMAND = "enforcement_demand"
COURT = "court_enforcement_application"


@dataclass(frozen=True)
class Instalment:
    due: datetime.date
    amount: Decimal


@dataclass(frozen=True)
class Surcharge:
    """加处罚款 on one day, with how it was computed."""

    amount: Decimal
    rate: Decimal
    cap: Decimal
    capped: bool
    source: str
    lines: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "amount": str(self.amount),
            "rate": str(self.rate),
            "cap": str(self.cap),
            "capped": self.capped,
            "source": self.source,
            "lines": list(self.lines),
        }


def surcharge_compute(
    *,
    fine: Decimal,
    schedule: Sequence[Instalment],
    payments: Sequence[tuple[datetime.date, Decimal]],
    on: datetime.date,
    rate: RuleRow,
    cap: RuleRow,
) -> Surcharge:
    """Return the 加处罚款 owed on ``on``.

    Payments go to the earliest instalment first. Each overdue amount adds
    ``rate``% a day from the day after its due date until the day it is paid
    (or ``on``); the total is at most ``cap``% of the fine.
    """
    assert rate.amount is not None
    assert cap.amount is not None
    daily = rate.amount / HUNDRED
    remaining = sorted(payments)
    total = Decimal(0)
    lines: list[str] = []
    for inst in sorted(schedule, key=lambda i: i.due):
        outstanding = inst.amount
        counted_to = inst.due
        while outstanding > 0 and remaining and remaining[0][0] <= on:
            paid_on, paid = remaining[0]
            if paid_on > counted_to:
                days = (paid_on - counted_to).days
                part = outstanding * daily * days
                total += part
                lines.append(
                    _("%(amount)s yuan due %(due)s, %(days)d days late: %(part)s yuan")
                    % {
                        "amount": outstanding,
                        "due": cn_date(inst.due),
                        "days": days,
                        "part": part.quantize(CENT, ROUND_HALF_UP),
                    }
                )
                counted_to = paid_on
            used = min(paid, outstanding)
            outstanding -= used
            if paid > used:
                remaining[0] = (paid_on, paid - used)
            else:
                remaining.pop(0)
        if outstanding > 0 and on > counted_to:
            days = (on - counted_to).days
            part = outstanding * daily * days
            total += part
            lines.append(
                _("%(amount)s yuan due %(due)s, unpaid %(days)d days: %(part)s yuan")
                % {
                    "amount": outstanding,
                    "due": cn_date(inst.due),
                    "days": days,
                    "part": part.quantize(CENT, ROUND_HALF_UP),
                }
            )
    ceiling = fine * cap.amount / HUNDRED
    capped = total > ceiling
    amount = (ceiling if capped else total).quantize(CENT, ROUND_HALF_UP)
    if capped:
        lines.append(
            _("capped at %(cap)s%% of the fine: %(amount)s yuan")
            % {"cap": cap.amount, "amount": amount}
        )
    return Surcharge(
        amount=amount,
        rate=rate.amount,
        cap=cap.amount,
        capped=capped,
        source=rate.source,
        lines=tuple(lines),
    )


def late_payment_rules(case: Case, on: datetime.date) -> tuple[RuleRow, RuleRow]:
    """The daily rate and the cap in force for ``case`` on ``on``."""
    rows = most_specific(
        r for r in rule_rows_for(case.unit, on) if r.purpose == RulePurpose.LATE_PAYMENT
    )
    rate = next((r for r in rows if r.condition == RuleCondition.DAILY_PERCENT), None)
    cap = next((r for r in rows if r.condition == RuleCondition.CAP_PERCENT), None)
    if rate is None or cap is None:
        raise DomainError(
            _("No rule for the additional fine is in force; an administrator must enter it.")
        )
    return rate, cap


# -- reading a case ------------------------------------------------------------------


def payment_due(case: Case) -> datetime.date | None:
    """The due date of the fine before any deferral (the payment clock)."""
    from fazhi.core.workflow import clocks_for

    clock = clocks_for(case).filter(rule_code=PAYMENT).first()
    if clock is not None:
        return clock.due_on
    if case.served_on is None:
        return None
    return deadline_compute_for_rule(code=PAYMENT, start=case.served_on).due


def deferral(case: Case) -> Any:
    return case.events.filter(kind=EventKind.DEFERRAL).order_by("pk").last()


def schedule(case: Case) -> list[Instalment]:
    """The instalments due: the approved deferral's, else the whole fine at once."""
    if not case.fine:
        return []
    event = deferral(case)
    if event is not None:
        return [
            Instalment(datetime.date.fromisoformat(r["due"]), Decimal(r["amount"]))
            for r in event.data["schedule"]
        ]
    due = payment_due(case)
    return [Instalment(due, case.fine)] if due else []


def payments(case: Case) -> list[tuple[datetime.date, Decimal]]:
    """The payments toward the fine (a surcharge paid is not counted here)."""
    return [
        (e.occurred_on, Decimal(e.data.get("toward_fine") or e.data.get("fine") or 0))
        for e in case.events.filter(kind=EventKind.PAYMENT).order_by("occurred_on", "pk")
    ]


def paid_total(case: Case) -> Decimal:
    return sum((amount for _on, amount in payments(case)), Decimal(0))


def surcharge_on(case: Case, on: datetime.date) -> Surcharge | None:
    """The 加处罚款 owed on ``on`` (None when the case imposes no fine)."""
    plan = schedule(case)
    if not plan or not case.fine:
        return None
    rate, cap = late_payment_rules(case, on)
    return surcharge_compute(
        fine=case.fine, schedule=plan, payments=payments(case), on=on, rate=rate, cap=cap
    )


def overdue_since(case: Case, on: datetime.date) -> datetime.date | None:
    """The due date of the earliest instalment still unpaid on ``on`` and past due."""
    paid = paid_total(case)
    running = Decimal(0)
    for inst in schedule(case):
        running += inst.amount
        if running > paid and inst.due < on:
            return inst.due
    return None


def remedies_end(case: Case) -> datetime.date | None:
    """The day both the 复议 and the 诉讼 periods have ended (Art. 53)."""
    if case.served_on is None:
        return None
    ends = [
        deadline_compute_for_rule(code=code, start=case.served_on).due
        for code in ("reconsideration_application", "litigation_filing")
    ]
    return max(ends)


def court_window(case: Case) -> tuple[datetime.date, DeadlineResult] | None:
    """The application window: after the remedies end, within the Art. 53 period."""
    end = remedies_end(case)
    if end is None:
        return None
    return end, deadline_compute_for_rule(code=COURT, start=end)


def court_problem(
    *, today: datetime.date, remedies_end: datetime.date, window: DeadlineResult
) -> str | None:
    """Refuse an application before the remedies end or after the 3 months (Art. 53)."""
    if today <= remedies_end:
        return _(
            "The party may still apply for reconsideration or sue until %(end)s: the court "
            "may be asked only after that (行政强制法 Art. 53)."
        ) % {"end": cn_date(remedies_end)}
    if today > window.due:
        return _("The period to apply to the court ended on %(due)s (%(source)s).") % {
            "due": cn_date(window.due),
            "source": window.rule.source if window.rule else "",
        }
    return None


def demand_wait_problem(*, today: datetime.date, due: DeadlineResult) -> str | None:
    """The court may be asked only after the demand's period (行政强制法 Art. 54, 69)."""
    if today <= due.due:
        return _(
            "The demand was served on %(start)s; the party has until %(due)s to perform "
            "(%(source)s)."
        ) % {
            "start": cn_date(due.start),
            "due": cn_date(due.due),
            "source": due.rule.source if due.rule else "",
        }
    return None
