"""Referral of a suspected crime: every step allowed and refused, its guards and clocks."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fazhi.cases import services
from fazhi.cases.choices import CaseState, DecisionKind, ReferralState
from fazhi.cases.models import Case, CaseOfficer
from fazhi.cases.models_procedures import CrimeReferral
from fazhi.cases.referral_workflow import REFERRAL
from fazhi.cases.services_procedures import referral_create, referral_transition
from fazhi.cases.tests import factories
from fazhi.core.documents import documents_for
from fazhi.core.errors import Conflict, DomainError, NotAllowed, Refused
from fazhi.core.models import ClockRule
from fazhi.core.workflow import clocks_for

D = datetime.date
ROOT: list[Any] = []


@pytest.fixture(autouse=True)
def _root(personas: Any) -> None:
    ROOT[:] = [factories.superuser(personas.city)]


@pytest.fixture
def case(personas: Any) -> Case:
    target = factories.case(personas.county_a_brigade)
    return services.case_transition(actor=ROOT[0], case=target, name="file", on=D(2026, 9, 21))


def report(case: Case, on: datetime.date | None = None) -> CrimeReferral:
    return referral_create(
        actor=ROOT[0],
        case=case,
        crime="重大责任事故罪",
        report="违规储存液氨造成一人死亡，涉嫌重大责任事故罪。",
        on=on or D(2026, 9, 28),
    )


def step(r: CrimeReferral, name: str, on: datetime.date, actor: Any = None, **data: Any) -> Any:
    return referral_transition(actor=actor or ROOT[0], referral=r, name=name, on=on, **data)


def clocks(r: CrimeReferral) -> dict[str, tuple[str, datetime.date]]:
    return {c.rule_code: (c.state, c.due_on) for c in clocks_for(r)}


def test_rules_quote_the_regulation() -> None:
    rules = {r.code: r for r in ClockRule.objects.filter(code__startswith="crime_referral")}
    assert rules["crime_referral_approval"].length == 3
    assert "第五条第二款" in rules["crime_referral_approval"].source
    assert rules["crime_referral_transfer"].length == 1
    assert "二十四小时" in rules["crime_referral_transfer"].name
    assert "第八条" in rules["crime_referral_police_review"].source
    assert "第十二条" in rules["crime_referral_handover"].source
    assert not any(r.verified for r in rules.values())  # the counting is flagged unverified


def test_referral_through_the_police_not_accepting_and_the_case_coming_back(case: Case) -> None:
    r = report(case)
    assert r.state == ReferralState.REPORTED
    # 3 days from 28 September; not rolled over the National Day holiday.
    assert clocks(r) == {"crime_referral_approval": ("running", D(2026, 10, 1))}
    r = step(r, "approve", D(2026, 9, 29))
    assert clocks(r)["crime_referral_approval"][0] == "stopped"
    assert clocks(r)["crime_referral_transfer"] == ("running", D(2026, 9, 30))
    with pytest.raises(DomainError):
        step(r, "refer", D(2026, 9, 30), receiver=" ")
    r = step(r, "refer", D(2026, 9, 30), receiver="示范市公安局任城分局")
    assert r.state == ReferralState.REFERRED
    assert clocks(r)["crime_referral_police_review"] == ("running", D(2026, 10, 3))
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.state == CaseState.REFERRED
    assert fresh.decision_kind == DecisionKind.REFERRAL
    docs = list(documents_for(fresh).filter(template__code="crime_referral"))
    assert len(docs) == 1
    assert docs[0].number
    with pytest.raises(Refused, match="不予立案"):
        services.case_transition(actor=ROOT[0], case=fresh, name="take_back", on=D(2026, 10, 8))
    r = step(r, "reject", D(2026, 10, 8), text="认为犯罪事实显著轻微，不予立案。")
    assert r.state == ReferralState.NOT_ACCEPTED
    assert clocks(r)["crime_referral_police_review"][0] == "stopped"
    back = services.case_transition(actor=ROOT[0], case=fresh, name="take_back", on=D(2026, 10, 9))
    assert back.state == CaseState.INVESTIGATING
    assert back.decision_kind == ""


def test_accepted_then_handed_over(case: Case) -> None:
    r = step(step(report(case), "approve", D(2026, 9, 29)), "refer", D(2026, 9, 29), receiver="x")
    r = step(r, "accept", D(2026, 10, 9), text="立案通知书")
    assert clocks(r)["crime_referral_handover"] == ("running", D(2026, 10, 12))
    r = step(r, "hand_over", D(2026, 10, 10), text="移交涉案物品清单一份")
    assert r.state == ReferralState.HANDED_OVER
    assert {s for s, _due in clocks(r).values()} == {"stopped"}


def test_refusal_records_the_reason(case: Case) -> None:
    r = report(case)
    with pytest.raises(DomainError):
        step(r, "refuse", D(2026, 9, 29), reason="")
    r = step(r, "refuse", D(2026, 9, 29), reason="未达到追诉标准")
    assert r.state == ReferralState.REFUSED
    assert r.refusal_reason == "未达到追诉标准"
    assert Case.objects.get(pk=case.pk).state == CaseState.INVESTIGATING


def test_report_needs_a_team_of_two(case: Case) -> None:
    CaseOfficer.objects.filter(case=case).exclude(role="lead").delete()
    with pytest.raises(Refused):
        report(case)
    assert not CrimeReferral.objects.exists()


def test_report_needs_text(case: Case) -> None:
    with pytest.raises(DomainError, match="书面报告"):
        referral_create(actor=ROOT[0], case=case, crime=" ", report="x")


def test_report_refused_before_the_case_is_opened(personas: Any) -> None:
    target = factories.case(personas.county_a_brigade)
    with pytest.raises(Refused, match="立案后"):
        report(target)


def test_refer_refused_when_the_case_cannot_be_referred(case: Case) -> None:
    r = step(report(case), "approve", D(2026, 9, 29))
    Case.objects.filter(pk=case.pk).update(state=CaseState.NOTIFIED)
    r.refresh_from_db()
    with pytest.raises(Refused, match="只能在调查取证"):
        step(r, "refer", D(2026, 9, 30), receiver="x")


def test_approval_needs_the_head(case: Case, personas: Any) -> None:
    r = report(case)
    with pytest.raises(NotAllowed):
        step(r, "approve", D(2026, 9, 29), actor=personas.county_a_officer)


ANY = {"reason": "x", "text": "x", "receiver": "x"}


@pytest.mark.parametrize(
    ("name", "state"),
    [
        (t.name, s)
        for t in REFERRAL.transitions
        for s in ReferralState.values
        if s not in t.sources
    ],
)
def test_step_refused_outside_its_states(case: Case, name: str, state: str) -> None:
    r = report(case)
    CrimeReferral.objects.filter(pk=r.pk).update(state=state)
    r.refresh_from_db()
    with pytest.raises(Conflict):
        step(r, name, D(2026, 9, 30), **ANY)


@pytest.mark.parametrize("name", [t.name for t in REFERRAL.transitions])
def test_step_refused_without_permission(case: Case, personas: Any, name: str) -> None:
    r = report(case)
    CrimeReferral.objects.filter(pk=r.pk).update(state=REFERRAL.get(name).sources[0])
    r.refresh_from_db()
    with pytest.raises(NotAllowed):
        step(r, name, D(2026, 9, 30), actor=personas.supervisor, **ANY)
