"""Every allowed and refused transition of both procedures, through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from fazhi.cases import services
from fazhi.cases.choices import CaseFlag, CaseState, EventKind, PenaltyKind, Procedure
from fazhi.cases.models import Case
from fazhi.cases.tests import factories
from fazhi.cases.workflow import ORDINARY, SUMMARY
from fazhi.core.errors import Conflict, DomainError, NotAllowed, Refused
from fazhi.core.models import AuditEvent
from fazhi.core.tests.factories import SYSTEM
from fazhi.core.workflow import clocks_for

D = datetime.date
FINE = PenaltyKind.FINE


def fire(
    case: Case, name: str, actor: Any = None, on: datetime.date | None = None, **data: Any
) -> Case:
    return services.case_transition(
        actor=actor or ROOT[0], case=case, name=name, on=on or D(2026, 11, 5), **data
    )


def propose(case: Case, fine: int, *flags: str) -> Case:
    return services.case_update(
        actor=SYSTEM,
        case=case,
        penalty_kinds=[FINE],
        proposed_fine=Decimal(fine),
        flags=list(flags),
    )


def clock_states(case: Case) -> dict[str, str]:
    return {c.rule_code: c.state for c in clocks_for(case)}


ROOT: list[Any] = []


@pytest.fixture(autouse=True)
def _root(personas: Any) -> None:
    ROOT[:] = [factories.superuser(personas.city)]


@pytest.fixture
def case(personas: Any) -> Case:
    return factories.case(personas.county_a_brigade)


def to_pending(case: Case, fine: int = 5000, *flags: str) -> Case:
    case = fire(case, "file", on=D(2026, 11, 4))
    case = fire(case, "end_investigation", on=D(2026, 11, 10))
    case = propose(case, fine, *flags)
    case = fire(case, "give_notice", on=D(2026, 11, 11))
    return fire(case, "close_statement", on=D(2026, 11, 16), text="当事人无异议")


# -- the main journey -------------------------------------------------------------------


def test_journey_with_hearing_legal_review_and_discussion(case: Case, personas: Any) -> None:
    leader, officer, reviewer = personas.leader, personas.county_a_officer, personas.city_reviewer
    case = fire(case, "file", leader, on=D(2026, 11, 4))
    assert case.number
    assert clock_states(case) == {"penalty_decision": "running"}
    case = fire(case, "end_investigation", officer, on=D(2026, 11, 10))
    case = propose(case, 40000, CaseFlag.SERIOUS)
    with pytest.raises(Refused, match="听证"):
        fire(case, "give_notice", officer, on=D(2026, 11, 11))
    case = fire(case, "give_notice_hearing", officer, on=D(2026, 11, 11))
    assert case.hearing_offered
    assert clock_states(case)["penalty_hearing_request"] == "running"
    case = fire(case, "request_hearing", officer, on=D(2026, 11, 13), requested_on=D(2026, 11, 13))
    assert clock_states(case)["penalty_hearing_request"] == "stopped"
    case = fire(
        case, "hold_hearing", officer, on=D(2026, 11, 24), held_on=D(2026, 11, 24), text="笔录"
    )
    decision = {"penalty_kinds": [FINE], "fine": "40000", "fine_reason": "依基准"}
    with pytest.raises(Refused, match="法制审核"):
        fire(case, "decide", leader, on=D(2026, 11, 25), **decision)
    case = fire(case, "send_review", officer, on=D(2026, 11, 25))
    with pytest.raises(NotAllowed):
        fire(case, "pass_review", officer, on=D(2026, 11, 26), text="同意")
    case = fire(case, "pass_review", reviewer, on=D(2026, 11, 26), text="同意")
    with pytest.raises(Refused, match="集体讨论"):
        fire(case, "decide", leader, on=D(2026, 11, 27), **decision)
    case = fire(case, "record_discussion", leader, on=D(2026, 11, 27), text="同意罚款四万元")
    with pytest.raises(NotAllowed):
        fire(case, "decide", officer, on=D(2026, 11, 27), **decision)
    case = fire(case, "decide", leader, on=D(2026, 11, 27), **decision)
    assert case.state == CaseState.DECIDED
    assert case.fine == Decimal(40000)
    assert clock_states(case)["penalty_decision"] == "stopped"
    assert clock_states(case)["penalty_service"] == "running"
    case = fire(
        case, "serve", officer, on=D(2026, 11, 30), served_on=D(2026, 11, 30), method="直接送达"
    )
    with pytest.raises(Refused, match="尚未缴纳"):
        fire(case, "close", leader, on=D(2026, 12, 1))
    case = fire(case, "record_payment", officer, on=D(2026, 12, 8), paid_on=D(2026, 12, 8))
    case = fire(case, "close", leader, on=D(2026, 12, 9))
    case = fire(case, "archive", officer, on=D(2026, 12, 10))
    assert case.state == CaseState.ARCHIVED
    assert set(clock_states(case).values()) == {"stopped"}
    kinds = list(case.events.values_list("kind", flat=True))
    for kind in (
        EventKind.HEARING,
        EventKind.LEGAL_REVIEW,
        EventKind.DISCUSSION,
        EventKind.PAYMENT,
    ):
        assert kind in kinds
    verbs = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("verb", flat=True))
    assert "cases.case.decide" in verbs


def test_small_fine_needs_no_hearing_review_or_discussion(case: Case) -> None:
    case = fire(case, "file", on=D(2026, 11, 4))
    case = fire(case, "end_investigation", on=D(2026, 11, 10))
    case = propose(case, 5000)
    with pytest.raises(Refused, match="不适用听证"):
        fire(case, "give_notice_hearing", on=D(2026, 11, 11))
    case = fire(case, "give_notice", on=D(2026, 11, 11))
    with pytest.raises(Refused, match="未告知听证"):
        fire(case, "close_statement_no_hearing", on=D(2026, 11, 16))
    case = fire(case, "close_statement", on=D(2026, 11, 16))
    case = fire(case, "decide", on=D(2026, 11, 17), penalty_kinds=[FINE], fine="5000")
    assert case.state == CaseState.DECIDED


def test_hearing_offered_then_waived_or_lapsed(case: Case) -> None:
    case = fire(case, "file", on=D(2026, 11, 4))
    case = fire(case, "end_investigation", on=D(2026, 11, 10))
    case = propose(case, 30000)
    case = fire(case, "give_notice_hearing", on=D(2026, 11, 11))
    with pytest.raises(Refused, match="仍可要求听证"):
        fire(case, "close_statement_no_hearing", on=D(2026, 11, 12))
    with pytest.raises(Refused):
        fire(case, "close_statement", on=D(2026, 11, 12))
    with pytest.raises(Refused, match="期限已于"):
        fire(case, "request_hearing", on=D(2026, 11, 30), requested_on=D(2026, 11, 30))
    case = fire(case, "close_statement_no_hearing", on=D(2026, 11, 12), hearing_waived=True)
    assert clock_states(case)["penalty_hearing_request"] == "stopped"


def test_penalty_may_not_rise_after_the_defence(case: Case) -> None:
    case = to_pending(case, 5000)
    with pytest.raises(Refused, match="更重的处罚"):
        fire(case, "decide", on=D(2026, 11, 17), penalty_kinds=[FINE], fine="6000")


def test_return_review_blocks_the_decision(case: Case) -> None:
    case = to_pending(case, 5000, CaseFlag.COMPLEX)
    case = fire(case, "send_review", on=D(2026, 11, 17))
    case = fire(case, "return_review", on=D(2026, 11, 18), text="证据不足")
    with pytest.raises(Refused, match="未通过"):
        fire(case, "decide", on=D(2026, 11, 19), penalty_kinds=[FINE], fine="5000")
    case = fire(case, "reopen", on=D(2026, 11, 19), reason="补充调查")
    assert case.state == CaseState.INVESTIGATING


def test_decision_after_the_time_limit_needs_an_extension(case: Case) -> None:
    case = to_pending(case, 5000)
    with pytest.raises(Refused, match="延长"):
        fire(case, "decide", on=D(2027, 2, 5), penalty_kinds=[FINE], fine="5000")


def test_extension_moves_the_clock(case: Case, personas: Any) -> None:
    case = fire(case, "file", on=D(2026, 11, 4))
    before = clocks_for(case).get(rule_code="penalty_decision").due_on
    with pytest.raises(NotAllowed):
        services.case_extend(actor=personas.county_a_officer, case=case, days=30, reason="复杂")
    case = services.case_extend(actor=personas.leader, case=case, days=30, reason="案情复杂")
    after = clocks_for(case).get(rule_code="penalty_decision").due_on
    assert after == before + datetime.timedelta(days=30)
    with pytest.raises(Refused, match="已经延长"):
        services.case_extend(actor=personas.leader, case=case, days=10, reason="再次")


def test_no_penalty_with_education(case: Case) -> None:
    case = fire(case, "file", on=D(2026, 11, 4))
    case = fire(case, "end_investigation", on=D(2026, 11, 10))
    with pytest.raises(DomainError) as refused:
        fire(case, "decide_no_penalty", on=D(2026, 11, 11), reason="首违不罚", education="")
    assert refused.value.field == "education"
    case = fire(
        case, "decide_no_penalty", on=D(2026, 11, 11), reason="首违不罚", education="已教育"
    )
    with pytest.raises(Refused):
        fire(case, "serve", on=D(2026, 11, 12), served_on=D(2026, 11, 12), method="直接送达")
    case = fire(
        case, "serve_no_fine", on=D(2026, 11, 12), served_on=D(2026, 11, 12), method="直接送达"
    )
    case = fire(case, "close", on=D(2026, 11, 13))
    assert case.state == CaseState.CLOSED


def test_refer_and_decline(case: Case, personas: Any) -> None:
    other = factories.case(personas.county_a_brigade)
    other = fire(other, "decline", on=D(2026, 11, 4), reason="不属于本机关管辖")
    assert other.state == CaseState.DECLINED
    case = fire(case, "file", on=D(2026, 11, 4))
    case = fire(case, "refer", on=D(2026, 11, 6), reason="涉嫌犯罪", receiver="公安机关")
    assert clock_states(case)["penalty_decision"] == "stopped"
    case = fire(case, "close", on=D(2026, 11, 7))
    assert case.state == CaseState.CLOSED


def test_filing_refused_with_one_officer_or_after_limitation(personas: Any) -> None:
    lone = factories.case(personas.county_a_brigade, officers=1)
    with pytest.raises(Refused, match="2"):
        fire(lone, "file", on=D(2026, 11, 4))
    old = factories.case(
        personas.county_a_brigade, act_ended_on=D(2023, 1, 2), discovered_on=D(2026, 11, 3)
    )
    with pytest.raises(Refused, match="时效"):
        fire(old, "file", on=D(2026, 11, 4))


def test_closed_case_is_read_only(case: Case) -> None:
    case = to_pending(case, 5000)
    with pytest.raises(Conflict):
        services.case_update(actor=SYSTEM, case=case, proposed_fine=Decimal(100))


# -- summary procedure -------------------------------------------------------------------


@pytest.fixture
def spot(personas: Any) -> Case:
    return factories.case(personas.county_a_brigade, procedure=Procedure.SUMMARY)


def test_summary_fine_within_the_limit(spot: Case) -> None:
    with pytest.raises(Refused, match="第五十二条"):
        fire(spot, "decide_on_spot", penalty_kinds=[FINE], fine="3000")
    with pytest.raises(Refused, match="超过简易程序"):
        fire(spot, "decide_on_spot", penalty_kinds=[FINE], fine="3001", party_informed=True)
    spot = fire(spot, "decide_on_spot", penalty_kinds=[FINE], fine="3000", party_informed=True)
    assert spot.state == CaseState.SERVED
    assert spot.number
    assert clock_states(spot) == {"penalty_payment": "running"}
    with pytest.raises(Refused):
        fire(spot, "close", on=D(2026, 11, 6))
    spot = fire(spot, "record_payment", on=D(2026, 11, 6), paid_on=D(2026, 11, 6))
    spot = fire(spot, "close", on=D(2026, 11, 7))
    spot = fire(spot, "archive", on=D(2026, 11, 8))
    assert spot.state == CaseState.ARCHIVED


def test_summary_warning_and_citizen_limit(personas: Any) -> None:
    citizen = factories.case(
        personas.county_a_brigade, procedure=Procedure.SUMMARY, party_kind="person"
    )
    with pytest.raises(Refused, match="超过简易程序"):
        fire(citizen, "decide_on_spot", penalty_kinds=[FINE], fine="201", party_informed=True)
    with pytest.raises(Refused, match="有罚款"):
        fire(citizen, "warn_on_spot", penalty_kinds=[FINE], fine="200", party_informed=True)
    with pytest.raises(Refused, match="不适用"):
        fire(citizen, "warn_on_spot", penalty_kinds=["suspension"], party_informed=True)
    citizen = fire(citizen, "warn_on_spot", penalty_kinds=["warning"], party_informed=True)
    assert citizen.state == CaseState.SERVED
    assert clock_states(citizen) == {}
    citizen = fire(citizen, "close", on=D(2026, 11, 6))
    assert citizen.state == CaseState.CLOSED


# Data that satisfies every transition's form, so only the state or permission refuses.
ANY_DATA: dict[str, Any] = {
    "reason": "x",
    "text": "x",
    "education": "x",
    "receiver": "x",
    "method": "x",
    "penalty_kinds": ["warning"],
    "requested_on": D(2026, 11, 5),
    "held_on": D(2026, 11, 5),
    "served_on": D(2026, 11, 5),
    "paid_on": D(2026, 11, 5),
    "party_informed": True,
    "kind": "defer",
    "applied_on": D(2026, 11, 5),
    "schedule": "2026-12-31",
    "amount": "100",
    "court": "x",
    "no_remedy": True,
}


# -- every transition from every state it may not fire from --------------------------------


@pytest.mark.parametrize(
    ("flow", "name", "state"),
    [
        (flow.name, t.name, state)
        for flow in (ORDINARY, SUMMARY)
        for t in flow.transitions
        for state in CaseState.values
        if state not in t.sources
    ],
)
def test_transition_refused_outside_its_source_states(
    personas: Any, flow: str, name: str, state: str
) -> None:
    procedure = Procedure.SUMMARY if flow == SUMMARY.name else Procedure.ORDINARY
    target = factories.case(personas.county_a_brigade, procedure=procedure)
    Case.objects.filter(pk=target.pk).update(state=state)
    target.refresh_from_db()
    with pytest.raises(Conflict):
        fire(target, name, **ANY_DATA)


@pytest.mark.parametrize(
    ("flow", "name", "perm"),
    [(flow.name, t.name, t.permission) for flow in (ORDINARY, SUMMARY) for t in flow.transitions],
)
def test_transition_refused_without_its_permission(
    personas: Any, flow: str, name: str, perm: str
) -> None:
    from fazhi.core.policy import has_permission

    procedure = Procedure.SUMMARY if flow == SUMMARY.name else Procedure.ORDINARY
    target = factories.case(personas.county_a_brigade, procedure=procedure)
    supervisor = personas.supervisor
    assert not has_permission(supervisor, perm)
    with pytest.raises(NotAllowed):
        fire(target, name, supervisor, **ANY_DATA)
