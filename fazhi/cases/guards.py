"""Guards of the case workflows: each returns the reason to refuse, or None.

Two layers. The ``*_problem`` functions are pure: they take plain values
(dates, amounts, rule rows) and decide. The ``guard_*`` functions have the
workflow's guard signature ``(case, ctx) -> reason | None``; they read the
case, the rule data in force and the transition's data, then ask a
``*_problem`` function. Every number comes from rule data (``CaseRule``,
``ClockRule``, the registry's team rule), never from this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.cases.choices import CaseFlag, EventKind, PenaltyKind, RulePurpose
from fazhi.cases.rules import PenaltyPlan, RuleRow, rule_rows_for, rules_met, summary_problems
from fazhi.core.clock_rules import clock_rule_get
from fazhi.core.clocks import DeadlineResult, deadline_compute
from fazhi.core.errors import DomainError
from fazhi.core.formats import cn_date
from fazhi.core.workflow import guard_label

if TYPE_CHECKING:
    from fazhi.cases.models import Case
    from fazhi.core.models import ClockRule


class Context(Protocol):
    """What a guard is given besides the case (the kit's GuardContext)."""

    @property
    def actor(self) -> Any: ...
    @property
    def today(self) -> datetime.date: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


# -- pure checks -----------------------------------------------------------------


def limitation_problem(
    *, act_ended_on: datetime.date, discovered_on: datetime.date, expiry: DeadlineResult
) -> str | None:
    """Refuse a case whose violation was discovered after the limitation period (Art. 36)."""
    if discovered_on > expiry.due:
        return _(
            "The violation ended on %(end)s and was discovered on %(found)s, after the "
            "limitation period ended on %(due)s (%(source)s): no penalty may be imposed."
        ) % {
            "end": cn_date(act_ended_on),
            "found": cn_date(discovered_on),
            "due": cn_date(expiry.due),
            "source": expiry.rule.source if expiry.rule else "",
        }
    return None


def notice_problem(*, notice_given_on: datetime.date | None) -> str | None:
    """Refuse a penalty decision before the party was notified (Art. 44, 62)."""
    if notice_given_on is None:
        return _(
            "The party has not been notified of the intended penalty and of their rights "
            "(Art. 44, 62): no decision may be made."
        )
    return None


def statement_problem(
    *,
    statement_closed_on: datetime.date | None,
    hearing_requested_on: datetime.date | None,
    hearing_held_on: datetime.date | None,
) -> str | None:
    """Refuse a decision while the party's statement or hearing is still open (Art. 62, 65)."""
    if hearing_requested_on is not None and hearing_held_on is None:
        return _("The party asked for a hearing and it has not been held (Art. 64, 65).")
    if statement_closed_on is None and hearing_held_on is None:
        return _(
            "The party's statement and defence have not been recorded or waived (Art. 45, 62)."
        )
    return None


def hearing_offer_problem(*, due: Sequence[RuleRow], offered: bool) -> str | None:
    """Refuse a penalty that needs a hearing offer when none was offered (Art. 63)."""
    if due and not offered:
        return _(
            "This penalty gives the party a right to a hearing (%(rule)s), which the notice "
            "did not offer (Art. 63, 64): notify the party again."
        ) % {"rule": "；".join(row.label() for row in due)}
    return None


@dataclass(frozen=True)
class Review:
    """The latest legal review (法制审核) or collective discussion of a case."""

    on: datetime.date
    passed: bool
    fine: Decimal | None
    kinds: frozenset[str]


def legal_review_problem(
    *,
    required: Sequence[RuleRow],
    review: Review | None,
    plan: PenaltyPlan,
    not_before: datetime.date | None,
) -> str | None:
    """Refuse a decision that needs a passed legal review of this penalty (Art. 58)."""
    if not required:
        return None
    why = "；".join(row.label() for row in required)
    if review is None:
        return _("A legal review is required (%(why)s) and none has been done (Art. 58).") % {
            "why": why
        }
    if not review.passed:
        return _("The legal review did not pass: no decision may be made (Art. 58).")
    if not_before is not None and review.on < not_before:
        return _(
            "The legal review of %(on)s predates the hearing or the notice of %(after)s; "
            "review the case again (Art. 58)."
        ) % {"on": cn_date(review.on), "after": cn_date(not_before)}
    if review.fine != plan.fine or review.kinds != plan.kinds:
        return _(
            "The legal review approved a different penalty from the one being decided; "
            "review the case again (Art. 58)."
        )
    return None


def discussion_problem(
    *, required: Sequence[RuleRow], discussion: Review | None, plan: PenaltyPlan
) -> str | None:
    """Refuse a decision that needs a collective discussion not recorded (Art. 57)."""
    if not required:
        return None
    if discussion is None or discussion.fine != plan.fine or discussion.kinds != plan.kinds:
        return _(
            "This decision must be discussed collectively by the agency's leadership "
            "(%(why)s; Art. 57) and no record of that discussion for this penalty exists."
        ) % {"why": "；".join(row.label() for row in required)}
    return None


_SEVERITY = {
    PenaltyKind.WARNING: 1,
    PenaltyKind.FINE: 2,
    PenaltyKind.CONFISCATION: 3,
    PenaltyKind.RESTRICTION: 4,
    PenaltyKind.SUSPENSION: 5,
    PenaltyKind.REVOCATION: 6,
    PenaltyKind.CLOSURE: 7,
}


def no_increase_problem(*, notified: PenaltyPlan, decided: PenaltyPlan) -> str | None:
    """Refuse a penalty heavier than the one notified (Art. 45: not raised after defence)."""
    heaviest = max((_SEVERITY.get(PenaltyKind(k), 0) for k in notified.kinds), default=0)
    added = {
        k for k in decided.kinds - notified.kinds if _SEVERITY.get(PenaltyKind(k), 0) > heaviest
    }
    if added:
        return _(
            "The decision adds the penalty “%(kinds)s”, which was not in the notice; a "
            "penalty may not be increased after the party's defence (Art. 45)."
        ) % {"kinds": "、".join(str(PenaltyKind(k).label) for k in sorted(added))}
    for field, label in (("fine", _("fine")), ("confiscation", _("confiscation"))):
        before = getattr(notified, field) or Decimal(0)
        after = getattr(decided, field) or Decimal(0)
        if after > before:
            return _(
                "The %(what)s of %(after)s yuan is more than the %(before)s yuan notified; a "
                "penalty may not be increased after the party's defence (Art. 45)."
            ) % {"what": label, "after": after, "before": before}
    return None


def law_version_problem(
    *,
    description: str,
    act_on: datetime.date,
    in_force_from: datetime.date,
    in_force_to: datetime.date | None,
    lighter_reason: str,
) -> str | None:
    """Refuse a provision that was not the law at the act, unless lighter (Art. 37)."""
    if in_force_from <= act_on and (in_force_to is None or act_on <= in_force_to):
        return None
    if in_force_from > act_on and lighter_reason.strip():
        return None
    if in_force_from > act_on:
        return _(
            "“%(what)s”: the provision applied came into force on %(from)s, after the act "
            "(%(act)s). Apply the law in force at the act, or state why the new law is "
            "lighter (Art. 37)."
        ) % {"what": description, "from": cn_date(in_force_from), "act": cn_date(act_on)}
    return _(
        "“%(what)s”: the provision applied was no longer in force at the act (%(act)s) (Art. 37)."
    ) % {"what": description, "act": cn_date(act_on)}


def deadline_problem(*, today: datetime.date, due: DeadlineResult) -> str | None:
    """Refuse a decision after the time limit without an approved extension (Art. 60)."""
    if today > due.due:
        return _(
            "The time limit for a decision ended on %(due)s (%(source)s); an extension must "
            "be approved first."
        ) % {"due": cn_date(due.due), "source": due.rule.source if due.rule else ""}
    return None


# -- reading the case --------------------------------------------------------------


def decimal_or_none(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def proposed_plan(case: Case) -> PenaltyPlan:
    return PenaltyPlan(
        party_kind=case.party_kind,
        kinds=frozenset(case.penalty_kinds),
        fine=case.proposed_fine,
        confiscation=case.confiscation,
        flags=_flags(case),
    )


def notified_plan(case: Case) -> PenaltyPlan:
    return PenaltyPlan(
        party_kind=case.party_kind,
        kinds=frozenset(case.notice_kinds),
        fine=case.notice_fine,
        confiscation=case.confiscation,
        flags=_flags(case),
    )


def decided_plan(case: Case, data: Mapping[str, Any]) -> PenaltyPlan:
    """The penalty a decision transition would impose: its data, else the proposal."""
    kinds = data.get("penalty_kinds")
    fine = decimal_or_none(data.get("fine")) if "fine" in data else case.proposed_fine
    return PenaltyPlan(
        party_kind=case.party_kind,
        kinds=frozenset(kinds) if kinds is not None else frozenset(case.penalty_kinds),
        fine=fine,
        confiscation=case.confiscation,
        flags=_flags(case),
    )


def _flags(case: Case) -> frozenset[str]:
    flags = set(case.flags)
    if case.hearing_held_on is not None:
        flags.add(CaseFlag.HEARING_HELD)
    return frozenset(flags)


def case_rule(case: Case, code: str, on: datetime.date) -> ClockRule:
    """The version of clock rule ``code`` in force on ``on`` for the case's province."""
    return clock_rule_get(code, on=on, province=case.unit.province() if case.unit_id else "")


def limitation_expiry(case: Case) -> DeadlineResult:
    """The end of the limitation period from the end of the act (Art. 36)."""
    code = "penalty_limitation_extended" if case.life_health_harm else "penalty_limitation"
    rule = case_rule(case, code, case.act_ended_on)
    return deadline_compute(start=case.act_ended_on, rule=rule)


def decision_due(case: Case) -> DeadlineResult | None:
    """The decision time limit from 立案, moved by each approved extension (Art. 60)."""
    if case.filed_on is None:
        return None
    rule = case_rule(case, "penalty_decision", case.filed_on)
    result = deadline_compute(start=case.filed_on, rule=rule)
    for event in case.events.filter(kind=EventKind.EXTENSION).order_by("pk"):
        ext = case_rule(case, "penalty_decision_extension", event.occurred_on)
        days = int(event.data.get("days") or ext.length)
        result = deadline_compute(start=result.due, length=min(days, ext.length), rule=ext)
    return result


def latest_review(case: Case, kind: str) -> Review | None:
    event = case.events.filter(kind=kind).order_by("-occurred_on", "-pk").first()
    if event is None:
        return None
    return Review(
        on=event.occurred_on,
        passed=bool(event.data.get("passed", True)),
        fine=decimal_or_none(event.data.get("fine")),
        kinds=frozenset(event.data.get("penalty_kinds", [])),
    )


# -- the guards the workflows use --------------------------------------------------


@guard_label(
    gettext_lazy("At least two certified officers, none with a conflict of interest (Art. 42, 43)")
)
def guard_team(case: Case, ctx: Context) -> str | None:
    """≥ 2 certified officers, none with a conflict of interest (Art. 42, 43)."""
    from fazhi.registry.services import team_assert_valid

    officers = [row.officer for row in case.officers.select_related("officer")]
    try:
        team_assert_valid(officers=officers, on=ctx.today, entity=case.entity)
    except DomainError as exc:
        return str(exc.message)
    return None


@guard_label(gettext_lazy("The violation was discovered within the limitation period (Art. 36)"))
def guard_limitation(case: Case, ctx: Context) -> str | None:
    return limitation_problem(
        act_ended_on=case.act_ended_on,
        discovered_on=case.discovered_on,
        expiry=limitation_expiry(case),
    )


@guard_label(
    gettext_lazy("The facts found and at least one violation with its basis are recorded")
)
def guard_facts(case: Case, ctx: Context) -> str | None:
    if not case.facts.strip():
        return _("Record the facts found before ending the investigation.")
    if not case.violations.exists():
        return _("Record at least one violation with its penalty basis.")
    return None


@guard_label(gettext_lazy("The intended penalty is recorded (Art. 44)"))
def guard_proposal(case: Case, ctx: Context) -> str | None:
    """告知 needs the intended penalty (Art. 44)."""
    if not case.penalty_kinds:
        return _("Record the intended penalty before notifying the party.")
    if PenaltyKind.FINE in case.penalty_kinds and case.proposed_fine is None:
        return _("Record the intended fine before notifying the party.")
    return None


@guard_label(gettext_lazy("Asked within the period to request a hearing (Art. 64)"))
def guard_hearing_request(case: Case, ctx: Context) -> str | None:
    """The party may ask for a hearing within the period after notice (Art. 64(1))."""
    if not case.hearing_offered:
        return _("The notice did not offer a hearing for this penalty.")
    assert case.notice_given_on is not None
    from fazhi.core.clocks import deadline_compute_for_rule

    due = deadline_compute_for_rule(code="penalty_hearing_request", start=case.notice_given_on)
    asked = ctx.data.get("requested_on") or ctx.today
    if asked > due.due:
        return _("The period to ask for a hearing ended on %(due)s (%(source)s).") % {
            "due": cn_date(due.due),
            "source": due.rule.source if due.rule else "",
        }
    return None


@guard_label(gettext_lazy("Within the decision time limit or its approved extension (Art. 60)"))
def guard_deadline(case: Case, ctx: Context) -> str | None:
    due = decision_due(case)
    return deadline_problem(today=ctx.today, due=due) if due else None


@guard_label(
    gettext_lazy(
        "The party was notified of the intended penalty and of their rights (Art. 44, 62)"
    )
)
def guard_notice(case: Case, ctx: Context) -> str | None:
    return notice_problem(notice_given_on=case.notice_given_on)


@guard_label(gettext_lazy("The statement and defence, or the hearing, is closed (Art. 45)"))
def guard_statement(case: Case, ctx: Context) -> str | None:
    return statement_problem(
        statement_closed_on=case.statement_closed_on,
        hearing_requested_on=case.hearing_requested_on,
        hearing_held_on=case.hearing_held_on,
    )


@guard_label(
    gettext_lazy("A hearing was offered where the penalty gives the right to one (Art. 63)")
)
def guard_hearing_offered(case: Case, ctx: Context) -> str | None:
    rows = rule_rows_for(case.unit, ctx.today)
    due = rules_met(decided_plan(case, ctx.data), rows, RulePurpose.HEARING_RIGHT)
    return hearing_offer_problem(due=due, offered=case.hearing_offered)


@guard_label(gettext_lazy("The legal review passed where it is required (Art. 58)"))
def guard_legal_review(case: Case, ctx: Context) -> str | None:
    plan = decided_plan(case, ctx.data)
    rows = rule_rows_for(case.unit, ctx.today)
    required = rules_met(plan, rows, RulePurpose.LEGAL_REVIEW)
    not_before = case.hearing_held_on or case.notice_given_on
    return legal_review_problem(
        required=required,
        review=latest_review(case, EventKind.LEGAL_REVIEW),
        plan=plan,
        not_before=not_before,
    )


@guard_label(gettext_lazy("The collective discussion is recorded where it is required (Art. 57)"))
def guard_discussion(case: Case, ctx: Context) -> str | None:
    plan = decided_plan(case, ctx.data)
    rows = rule_rows_for(case.unit, ctx.today)
    return discussion_problem(
        required=rules_met(plan, rows, RulePurpose.COLLECTIVE_DISCUSSION),
        discussion=latest_review(case, EventKind.DISCUSSION),
        plan=plan,
    )


@guard_label(gettext_lazy("No heavier penalty than the one notified (Art. 45)"))
def guard_no_increase(case: Case, ctx: Context) -> str | None:
    return no_increase_problem(notified=notified_plan(case), decided=decided_plan(case, ctx.data))


@guard_label(
    gettext_lazy("The law in force when the act was done, unless a later one is lighter (Art. 37)")
)
def guard_law_version(case: Case, ctx: Context) -> str | None:
    for violation in case.violations.all():
        problem = law_version_problem(
            description=violation.description,
            act_on=case.act_ended_on,
            in_force_from=violation.law_in_force_from,
            in_force_to=violation.law_in_force_to,
            lighter_reason=violation.lighter_law_reason,
        )
        if problem:
            return problem
    return None


@guard_label(gettext_lazy("Within the limits of the summary procedure (Art. 51)"))
def guard_summary_limits(case: Case, ctx: Context) -> str | None:
    problems = summary_problems(decided_plan(case, ctx.data), rule_rows_for(case.unit, ctx.today))
    return "；".join(problems) if problems else None


@guard_label(gettext_lazy("The party was told the facts, reasons, basis and rights (Art. 44, 52)"))
def guard_summary_notice(case: Case, ctx: Context) -> str | None:
    """Art. 52: tell the party the facts, reasons, basis and rights before deciding."""
    if not ctx.data:
        return None  # listing the actions: the step's form asks for it
    if not ctx.data.get("party_informed"):
        return _(
            "Tell the party the facts, reasons and basis and their right to state and defend "
            "before deciding on the spot (Art. 44, 52)."
        )
    return None


@guard_label(gettext_lazy("Where no penalty is imposed, the party is educated (Art. 33)"))
def guard_education(case: Case, ctx: Context) -> str | None:
    """Where no penalty is imposed the party must be educated (Art. 33 ¶3)."""
    if not ctx.data:
        return None  # listing the actions: the step's form asks for it
    if not str(ctx.data.get("education", "")).strip():
        return _("Record how the party was educated (Art. 33).")
    return None


@guard_label(gettext_lazy("A reason is given"))
def guard_reason(case: Case, ctx: Context) -> str | None:
    if not ctx.data:
        return None  # listing the actions: the step's form asks for it
    if not str(ctx.data.get("reason", "")).strip():
        return _("Give the reason.")
    return None


@guard_label(
    gettext_lazy("The fine is entered, with a written reason if outside the recommended range")
)
def guard_fine_amount(case: Case, ctx: Context) -> str | None:
    """A fine decision needs the amount, and a written reason outside the range."""
    plan = decided_plan(case, ctx.data)
    if PenaltyKind.FINE in plan.kinds and plan.fine is None:
        return _("Enter the fine decided.")
    if ctx.data.get("outside_range") and not str(ctx.data.get("fine_reason", "")).strip():
        return _(
            "The amount is outside the range the discretion benchmark recommends: give a "
            "written reason."
        )
    return None


@guard_label(gettext_lazy("The fine is paid"))
def guard_served(case: Case, ctx: Context) -> str | None:
    if case.fine and case.paid_on is None and not ctx.data.get("paid_on"):
        return _("Record the payment of the fine first.")
    return None


@guard_label(gettext_lazy("A record (transcript, opinion or minutes) is written"))
def guard_record(case: Case, ctx: Context) -> str | None:
    """A record (transcript, opinion, minutes) must be written."""
    if not ctx.data:
        return None  # listing the actions: the step's form asks for it
    if not str(ctx.data.get("text", "")).strip():
        return _("Write the record: what was said, found or concluded.")
    return None
