"""Each guard of the case workflows, refused and allowed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from fazhi.cases import guards
from fazhi.cases.choices import (
    CaseFlag,
    EventKind,
    PartyKind,
    PenaltyKind,
    RuleCondition,
    RulePurpose,
)
from fazhi.cases.models import CaseEvent, CaseRule
from fazhi.cases.rules import PenaltyPlan, RuleRow, rule_rows_for, rules_met, summary_problems
from fazhi.cases.tests import factories
from fazhi.core.clocks import deadline_compute
from fazhi.core.models import ClockRule
from fazhi.core.tests.factories import SYSTEM
from fazhi.registry import services as registry_services

D = datetime.date
FINE = PenaltyKind.FINE


@dataclass
class Ctx:
    today: datetime.date
    data: dict[str, Any] = field(default_factory=dict)
    actor: Any = SYSTEM


def plan(fine: int | None = None, kinds: tuple[str, ...] = (FINE,), **kw: Any) -> PenaltyPlan:
    return PenaltyPlan(
        party_kind=kw.pop("party_kind", PartyKind.ORGANISATION),
        kinds=frozenset(kinds),
        fine=Decimal(fine) if fine is not None else None,
        **kw,
    )


def row(purpose: str, condition: str, amount: int | None = None, **kw: Any) -> RuleRow:
    return RuleRow(
        code=kw.pop("code", "r"),
        purpose=purpose,
        condition=condition,
        source="测试依据",
        amount=Decimal(amount) if amount is not None else None,
        **kw,
    )


# -- pure rules -------------------------------------------------------------------


def test_threshold_inclusive_and_exclusive() -> None:
    inclusive = row(RulePurpose.HEARING_RIGHT, RuleCondition.FINE_AT_LEAST, 30000)
    exclusive = row(RulePurpose.HEARING_RIGHT, RuleCondition.FINE_AT_LEAST, 30000, inclusive=False)
    assert rules_met(plan(30000), [inclusive], RulePurpose.HEARING_RIGHT) == [inclusive]
    assert rules_met(plan(30000), [exclusive], RulePurpose.HEARING_RIGHT) == []
    assert rules_met(plan(29999), [inclusive], RulePurpose.HEARING_RIGHT) == []


def test_threshold_applies_to_its_party_kind_only() -> None:
    person = row(
        RulePurpose.HEARING_RIGHT, RuleCondition.FINE_AT_LEAST, 10000, party_kind=PartyKind.PERSON
    )
    assert rules_met(plan(20000), [person], RulePurpose.HEARING_RIGHT) == []
    assert rules_met(
        plan(20000, party_kind=PartyKind.PERSON), [person], RulePurpose.HEARING_RIGHT
    ) == [person]


def test_agency_row_replaces_the_default_of_the_same_key() -> None:
    default = row(RulePurpose.LEGAL_REVIEW, RuleCondition.FINE_AT_LEAST, 30000)
    own = row(RulePurpose.LEGAL_REVIEW, RuleCondition.FINE_AT_LEAST, 50000, owner_depth=1)
    assert rules_met(plan(40000), [default, own], RulePurpose.LEGAL_REVIEW) == []
    assert rules_met(plan(50000), [default, own], RulePurpose.LEGAL_REVIEW) == [own]


def test_kind_and_flag_conditions() -> None:
    kind = row(RulePurpose.HEARING_RIGHT, RuleCondition.PENALTY_KIND, penalty_kind="suspension")
    flag = row(RulePurpose.LEGAL_REVIEW, RuleCondition.CASE_FLAG, flag=CaseFlag.COMPLEX)
    assert rules_met(plan(kinds=("suspension",)), [kind], RulePurpose.HEARING_RIGHT) == [kind]
    assert rules_met(plan(100), [kind], RulePurpose.HEARING_RIGHT) == []
    assert rules_met(
        plan(100, flags=frozenset({CaseFlag.COMPLEX})), [flag], RulePurpose.LEGAL_REVIEW
    ) == [flag]


SUMMARY = [
    row(RulePurpose.SUMMARY_LIMIT, RuleCondition.FINE_AT_MOST, 200, party_kind=PartyKind.PERSON),
    row(
        RulePurpose.SUMMARY_LIMIT,
        RuleCondition.FINE_AT_MOST,
        3000,
        party_kind=PartyKind.ORGANISATION,
    ),
    row(RulePurpose.SUMMARY_LIMIT, RuleCondition.PENALTY_KIND, penalty_kind="warning"),
    row(RulePurpose.SUMMARY_LIMIT, RuleCondition.PENALTY_KIND, penalty_kind="fine"),
]


@pytest.mark.parametrize(
    ("party", "fine", "ok"),
    [
        (PartyKind.PERSON, 200, True),
        (PartyKind.PERSON, 201, False),
        (PartyKind.ORGANISATION, 3000, True),
        (PartyKind.ORGANISATION, 3001, False),
    ],
)
def test_summary_fine_limits(party: str, fine: int, ok: bool) -> None:
    problems = summary_problems(plan(fine, party_kind=party), SUMMARY)
    assert (problems == []) is ok


def test_summary_allows_warning_but_not_suspension() -> None:
    assert summary_problems(plan(kinds=("warning",)), SUMMARY) == []
    assert summary_problems(plan(kinds=("suspension",)), SUMMARY)
    assert summary_problems(plan(kinds=()), SUMMARY)
    assert summary_problems(plan(100), []) != []


# -- pure checks --------------------------------------------------------------------


def test_no_decision_without_notice() -> None:
    assert guards.notice_problem(notice_given_on=None)
    assert guards.notice_problem(notice_given_on=D(2026, 12, 1)) is None


def test_statement_must_be_closed_and_hearing_held() -> None:
    assert guards.statement_problem(
        statement_closed_on=None, hearing_requested_on=None, hearing_held_on=None
    )
    assert guards.statement_problem(
        statement_closed_on=D(2026, 12, 1),
        hearing_requested_on=D(2026, 12, 1),
        hearing_held_on=None,
    )
    assert (
        guards.statement_problem(
            statement_closed_on=D(2026, 12, 1), hearing_requested_on=None, hearing_held_on=None
        )
        is None
    )


def test_hearing_offer_required_when_due() -> None:
    due = [row(RulePurpose.HEARING_RIGHT, RuleCondition.FINE_AT_LEAST, 30000)]
    assert guards.hearing_offer_problem(due=due, offered=False)
    assert guards.hearing_offer_problem(due=due, offered=True) is None
    assert guards.hearing_offer_problem(due=[], offered=False) is None


def test_legal_review_must_pass_cover_the_penalty_and_follow_the_hearing() -> None:
    required = [row(RulePurpose.LEGAL_REVIEW, RuleCondition.FINE_AT_LEAST, 30000)]
    p = plan(40000)
    ok = guards.Review(on=D(2026, 12, 3), passed=True, fine=Decimal(40000), kinds=p.kinds)
    assert guards.legal_review_problem(required=required, review=None, plan=p, not_before=None)
    failed = guards.Review(on=D(2026, 12, 3), passed=False, fine=Decimal(40000), kinds=p.kinds)
    assert guards.legal_review_problem(required=required, review=failed, plan=p, not_before=None)
    assert guards.legal_review_problem(
        required=required, review=ok, plan=p, not_before=D(2026, 12, 4)
    )
    assert guards.legal_review_problem(
        required=required, review=ok, plan=plan(45000), not_before=None
    )
    assert (
        guards.legal_review_problem(
            required=required, review=ok, plan=p, not_before=D(2026, 12, 3)
        )
        is None
    )
    assert guards.legal_review_problem(required=[], review=None, plan=p, not_before=None) is None


def test_collective_discussion_where_required() -> None:
    required = [row(RulePurpose.COLLECTIVE_DISCUSSION, RuleCondition.CASE_FLAG, flag="serious")]
    p = plan(40000)
    held = guards.Review(on=D(2026, 12, 3), passed=True, fine=Decimal(40000), kinds=p.kinds)
    assert guards.discussion_problem(required=required, discussion=None, plan=p)
    assert guards.discussion_problem(required=required, discussion=held, plan=plan(30000))
    assert guards.discussion_problem(required=required, discussion=held, plan=p) is None
    assert guards.discussion_problem(required=[], discussion=None, plan=p) is None


def test_penalty_may_not_rise_after_the_defence() -> None:
    notified = plan(20000)
    assert guards.no_increase_problem(notified=notified, decided=plan(20001))
    assert guards.no_increase_problem(
        notified=notified, decided=plan(20000, kinds=(FINE, "suspension"))
    )
    assert guards.no_increase_problem(notified=notified, decided=plan(15000)) is None
    assert guards.no_increase_problem(notified=notified, decided=plan(kinds=("warning",))) is None


def test_law_in_force_at_the_act_unless_the_new_one_is_lighter() -> None:
    act = D(2025, 6, 1)
    kw: dict[str, Any] = {"description": "违法行为", "act_on": act}
    assert (
        guards.law_version_problem(
            in_force_from=D(2021, 9, 1), in_force_to=None, lighter_reason="", **kw
        )
        is None
    )
    assert guards.law_version_problem(
        in_force_from=D(2026, 2, 1), in_force_to=None, lighter_reason="", **kw
    )
    assert (
        guards.law_version_problem(
            in_force_from=D(2026, 2, 1),
            in_force_to=None,
            lighter_reason="新规定罚款上限更低",
            **kw,
        )
        is None
    )
    assert guards.law_version_problem(
        in_force_from=D(2014, 12, 1), in_force_to=D(2021, 8, 31), lighter_reason="", **kw
    )


def _rule(code: str, length: int, unit: str, **kw: Any) -> ClockRule:
    return ClockRule(
        code=code,
        name=code,
        length=length,
        unit=unit,
        source="测试",
        roll_forward=kw.pop("roll_forward", True),
        effective_from=D(2021, 7, 15),
        **kw,
    )


@pytest.mark.django_db
def test_limitation_two_years_from_the_end_of_the_act() -> None:
    expiry = deadline_compute(start=D(2024, 3, 10), rule=_rule("l", 2, "year", roll_forward=False))
    assert expiry.due == D(2026, 3, 10)
    assert (
        guards.limitation_problem(
            act_ended_on=D(2024, 3, 10), discovered_on=D(2026, 3, 10), expiry=expiry
        )
        is None
    )
    assert guards.limitation_problem(
        act_ended_on=D(2024, 3, 10), discovered_on=D(2026, 3, 11), expiry=expiry
    )


@pytest.mark.django_db
def test_decision_deadline() -> None:
    due = deadline_compute(start=D(2026, 9, 1), rule=_rule("d", 90, "calendar"))
    assert guards.deadline_problem(today=due.due, due=due) is None
    assert guards.deadline_problem(today=due.due + datetime.timedelta(days=1), due=due)


# -- guards on cases (rule data from the seed) ------------------------------------------


@pytest.fixture
def county_case(personas: Any) -> Any:
    return factories.case(personas.county_a_brigade)


def test_seeded_rules_are_flagged_where_unverified(db: None) -> None:
    hearing = CaseRule.objects.get(code="hearing_fine_organisation", unit=None)
    assert hearing.amount == Decimal(30000)
    assert not hearing.verified
    assert hearing.source
    summary = CaseRule.objects.get(code="summary_fine_person", unit=None)
    assert summary.amount == Decimal(200)
    assert summary.verified
    assert not ClockRule.objects.get(code="penalty_decision_extension").verified


def test_team_needs_two_certified_officers(county_case: Any) -> None:
    ctx = Ctx(today=D(2026, 12, 1))
    assert guards.guard_team(county_case, ctx) is None
    county_case.officers.filter(role="assist").delete()
    assert "2" in str(guards.guard_team(county_case, ctx))


def test_team_refuses_an_uncertified_officer(county_case: Any, personas: Any) -> None:
    from fazhi.registry.tests import factories as rf

    factories.add_officer(county_case, rf.officer(personas.county_a, certified=False))
    assert guards.guard_team(county_case, Ctx(today=D(2026, 12, 1)))


def test_team_refuses_an_officer_who_must_recuse(county_case: Any) -> None:
    officer = county_case.officers.first().officer
    registry_services.conflict_record(
        actor=SYSTEM,
        officer=officer,
        entity=county_case.entity,
        kind="relative",
        source="declared",
        valid_from=D(2026, 1, 1),
    )
    reason = guards.guard_team(county_case, Ctx(today=D(2026, 12, 1)))
    assert reason is not None
    assert officer.full_name in reason


def test_limitation_guard_uses_the_five_year_rule_for_harm(county_case: Any) -> None:
    county_case.act_ended_on = D(2022, 1, 10)
    county_case.discovered_on = D(2025, 6, 1)
    assert guards.guard_limitation(county_case, Ctx(today=D(2026, 12, 1)))
    county_case.life_health_harm = True
    assert guards.guard_limitation(county_case, Ctx(today=D(2026, 12, 1))) is None


def test_hearing_threshold_from_rule_data(county_case: Any) -> None:
    county_case.hearing_offered = False
    ctx = Ctx(today=D(2026, 12, 1), data={"fine": "30000", "penalty_kinds": [FINE]})
    assert guards.guard_hearing_offered(county_case, ctx)
    ctx.data["fine"] = "29999"
    assert guards.guard_hearing_offered(county_case, ctx) is None


def test_agency_catalogue_row_replaces_the_default(county_case: Any, personas: Any) -> None:
    CaseRule.objects.create(
        code="review_fine_organisation",
        purpose=RulePurpose.LEGAL_REVIEW,
        condition=RuleCondition.FINE_AT_LEAST,
        party_kind=PartyKind.ORGANISATION,
        amount=Decimal(50000),
        unit=personas.city,
        source="本局目录",
        effective_from=D(2026, 1, 1),
    )
    rows = rule_rows_for(personas.county_a_brigade, D(2026, 12, 1))
    met = rules_met(plan(40000), rows, RulePurpose.LEGAL_REVIEW)
    assert met == []
    assert [r.source for r in rules_met(plan(50000), rows, RulePurpose.LEGAL_REVIEW)] == [
        "本局目录"
    ]


def test_legal_review_guard_reads_the_latest_review(county_case: Any) -> None:
    county_case.notice_given_on = D(2026, 11, 20)
    ctx = Ctx(today=D(2026, 12, 1), data={"fine": "40000", "penalty_kinds": [FINE]})
    assert guards.guard_legal_review(county_case, ctx)
    CaseEvent.objects.create(
        case=county_case,
        kind=EventKind.LEGAL_REVIEW,
        occurred_on=D(2026, 11, 25),
        data={"passed": True, "fine": "40000", "penalty_kinds": [FINE]},
        actor_label="审核员",
    )
    assert guards.guard_legal_review(county_case, ctx) is None
    county_case.flags = [CaseFlag.SERIOUS]
    assert guards.guard_discussion(county_case, ctx)


def test_decision_due_moves_with_an_approved_extension(county_case: Any) -> None:
    county_case.filed_on = D(2026, 9, 1)
    base = guards.decision_due(county_case)
    assert base is not None
    assert base.due == D(2026, 11, 30)
    assert guards.guard_deadline(county_case, Ctx(today=D(2026, 12, 1)))
    CaseEvent.objects.create(
        case=county_case,
        kind=EventKind.EXTENSION,
        occurred_on=D(2026, 11, 20),
        data={"days": 30},
        actor_label="局长",
    )
    extended = guards.decision_due(county_case)
    assert extended is not None
    assert extended.due == D(2026, 12, 30)
    assert guards.guard_deadline(county_case, Ctx(today=D(2026, 12, 1))) is None


def test_hearing_request_period_counts_working_days_over_a_holiday(county_case: Any) -> None:
    from fazhi.core.models import CalendarDay

    CalendarDay.objects.create(date=D(2026, 12, 7), kind="holiday", name="测试假日", source="测试")
    county_case.hearing_offered = True
    county_case.notice_given_on = D(2026, 12, 4)  # Friday
    # 5 working days: Tue 8, Wed 9, Thu 10, Fri 11, Mon 14 (Mon 7 is a holiday).
    assert guards.guard_hearing_request(county_case, Ctx(D(2026, 12, 14))) is None
    assert guards.guard_hearing_request(county_case, Ctx(D(2026, 12, 15)))
    county_case.hearing_offered = False
    assert guards.guard_hearing_request(county_case, Ctx(D(2026, 12, 8)))


def test_education_reason_and_fine_reason(county_case: Any) -> None:
    ctx = Ctx(today=D(2026, 12, 1))
    # listing the actions (no data): the step's form asks for the texts
    assert guards.guard_education(county_case, ctx) is None
    assert guards.guard_reason(county_case, ctx) is None
    ctx.data.update(education=" ", reason="")
    assert guards.guard_education(county_case, ctx)
    assert guards.guard_reason(county_case, ctx)
    ctx.data.update(education="已当场教育", reason="事实不清")
    assert guards.guard_education(county_case, ctx) is None
    assert guards.guard_reason(county_case, ctx) is None
    ctx.data.update(fine="20000", penalty_kinds=[FINE], outside_range=True)
    assert guards.guard_fine_amount(county_case, ctx)
    ctx.data["fine_reason"] = "当事人主动消除危害后果，依法从轻"
    assert guards.guard_fine_amount(county_case, ctx) is None


def test_facts_and_proposal_required(county_case: Any) -> None:
    ctx = Ctx(today=D(2026, 12, 1))
    assert guards.guard_facts(county_case, ctx) is None
    county_case.violations.all().delete()
    assert guards.guard_facts(county_case, ctx)
    assert guards.guard_proposal(county_case, ctx)
    county_case.penalty_kinds = [FINE]
    assert guards.guard_proposal(county_case, ctx)
    county_case.proposed_fine = Decimal(10000)
    assert guards.guard_proposal(county_case, ctx) is None


def test_law_version_guard_reads_each_violation(county_case: Any) -> None:
    ctx = Ctx(today=D(2026, 12, 1))
    assert guards.guard_law_version(county_case, ctx) is None
    county_case.violations.update(law_in_force_from=D(2026, 11, 15))
    assert guards.guard_law_version(county_case, ctx)
