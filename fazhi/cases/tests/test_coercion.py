"""查封、扣押: every step allowed and refused, each guard, the clock with holidays and pauses."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fazhi.cases.choices import CaseState, CoercionState, EventKind
from fazhi.cases.coercion_workflow import (
    COERCION,
    expired_problem,
    extension_problem,
    lab_period_problem,
    seizure_due,
)
from fazhi.cases.models import Case, CaseOfficer
from fazhi.cases.models_procedures import Coercion
from fazhi.cases.services_procedures import coercion_create, coercion_transition
from fazhi.cases.tests import factories
from fazhi.core.clocks import deadline_compute_for_rule
from fazhi.core.documents import documents_for
from fazhi.core.errors import Conflict, DomainError, NotAllowed, Refused
from fazhi.core.workflow import clocks_for

D = datetime.date
ROOT: list[Any] = []


@pytest.fixture(autouse=True)
def _root(personas: Any) -> None:
    ROOT[:] = [factories.superuser(personas.city)]


def report(case: Case, on: datetime.date | None = None) -> Coercion:
    return coercion_create(
        actor=ROOT[0],
        case=case,
        kind="seize",
        items="液氨钢瓶 12 只",
        reason="涉嫌非法储存危险化学品",
        basis="《安全生产法》第六十五条第一款第（四）项",
        on=on or D(2026, 9, 1),
    )


def step(c: Coercion, name: str, on: datetime.date, actor: Any = None, **data: Any) -> Coercion:
    return coercion_transition(actor=actor or ROOT[0], coercion=c, name=name, on=on, **data)


def clock(c: Coercion) -> Any:
    return clocks_for(c).get(rule_code="coercion_seizure")


@pytest.fixture
def case(personas: Any) -> Case:
    target = factories.case(personas.county_a_brigade, act_ended_on=D(2026, 8, 20))
    Case.objects.filter(pk=target.pk).update(
        state=CaseState.INVESTIGATING, discovered_on=D(2026, 8, 21)
    )
    target.refresh_from_db()
    return target


@pytest.fixture
def seized(case: Case) -> Coercion:
    return step(report(case), "approve", D(2026, 9, 1))


# -- pure checks -------------------------------------------------------------------


def test_extension_problem() -> None:
    assert extension_problem(extended_on=None, reason="检验机构排期") is None
    assert "理由" in (extension_problem(extended_on=None, reason=" ") or "")
    assert "一次" in (extension_problem(extended_on=D(2026, 9, 20), reason="x") or "")


def test_test_problem() -> None:
    assert lab_period_problem(kind="appraisal", until=D(2026, 9, 20), today=D(2026, 9, 10)) is None
    assert lab_period_problem(kind="x", until=D(2026, 9, 20), today=D(2026, 9, 10))
    assert lab_period_problem(kind="appraisal", until=None, today=D(2026, 9, 10))
    assert lab_period_problem(kind="appraisal", until=D(2026, 9, 9), today=D(2026, 9, 10))


def test_expired_problem() -> None:
    due = deadline_compute_for_rule(code="coercion_seizure", start=D(2026, 9, 1))
    assert expired_problem(today=due.due, due=due) is None
    assert "解除" in (expired_problem(today=due.due + datetime.timedelta(days=1), due=due) or "")


# -- the clock --------------------------------------------------------------------


def test_limit_ends_on_a_holiday_without_rolling(seized: Coercion) -> None:
    # 30 days from 1 September 2026 is 1 October, 国庆节: a limit on the party's
    # property is not extended to the next working day (rule roll_forward=False).
    assert seized.state == CoercionState.IN_FORCE
    assert clock(seized).due_on == D(2026, 10, 1)
    assert clock(seized).state == "running"


def test_testing_pauses_the_limit_with_its_reason(seized: Coercion) -> None:
    c = step(
        seized,
        "start_test",
        D(2026, 9, 10),
        test_kind="appraisal",
        agency="山东省化工产品质量检验站",
        until=D(2026, 9, 19),
    )
    assert c.state == CoercionState.TESTING
    paused = clock(c)
    assert paused.state == "paused"
    assert "技术鉴定" in paused.pauses[0]["reason"]
    assert "山东省化工产品质量检验站" in paused.pauses[0]["reason"]
    with pytest.raises(DomainError, match="必填"):
        step(c, "end_test", D(2026, 9, 20), text="")
    c = step(c, "end_test", D(2026, 9, 20), text="鉴定结论：属于危险化学品")
    resumed = clock(c)
    assert resumed.state == "running"
    # paused 10–19 September (10 days): the limit moves from 1 to 11 October.
    assert resumed.due_on == D(2026, 10, 11)
    assert seizure_due(c).due == D(2026, 10, 11)  # type: ignore[union-attr]
    docs = [d.template.code for d in documents_for(c.case)]
    assert "coercion_test_notice" in docs


def test_one_extension_after_the_base_limit_keeps_the_pauses(seized: Coercion) -> None:
    c = step(
        seized,
        "start_test",
        D(2026, 9, 10),
        test_kind="detection",
        agency="检测中心",
        until=D(2026, 9, 14),
    )
    with pytest.raises(Conflict):
        step(c, "extend", D(2026, 9, 12), reason="情况复杂")
    c = step(c, "end_test", D(2026, 9, 15), text="检测完毕")
    assert clock(c).due_on == D(2026, 10, 6)  # five days paused
    with pytest.raises(DomainError, match="必填"):
        step(c, "extend", D(2026, 9, 30), reason=" ")
    with pytest.raises(NotAllowed):
        step(c, "extend", D(2026, 9, 30), actor=_officer(c), reason="情况复杂")
    c = step(c, "extend", D(2026, 9, 30), reason="涉案物品数量大，需逐一核查来源")
    assert c.extended_on == D(2026, 9, 30)
    assert clock(c).due_on == D(2026, 11, 5)  # 6 October + 30 days
    assert clock(c).derivation["extended_on"] == "2026-09-30"
    with pytest.raises(Refused, match="一次"):
        step(c, "extend", D(2026, 10, 2), reason="再延长")
    # a pause during the extension still counts: 3 days paused
    c = step(
        c, "start_test", D(2026, 10, 12), test_kind="inspection", agency="x", until=D(2026, 10, 14)
    )
    c = step(c, "end_test", D(2026, 10, 15), text="检验完毕")
    assert clock(c).due_on == D(2026, 11, 8)
    assert {"coercion_decision", "coercion_extension"} <= {
        d.template.code for d in documents_for(c.case)
    }


def _officer(c: Coercion) -> Any:
    from fazhi.core.tests.factories import user

    return user("seizure_officer", c.case.unit, "officer")


def test_after_the_limit_only_release(seized: Coercion) -> None:
    late = D(2026, 10, 2)
    with pytest.raises(Refused, match="解除"):
        step(seized, "extend", late, reason="情况复杂")
    with pytest.raises(Refused, match="解除"):
        step(seized, "dispose", late, disposal="confiscate", text="没收")
    with pytest.raises(Refused, match="解除"):
        step(seized, "start_test", late, test_kind="detection", agency="x", until=late)
    c = step(seized, "release", late, ground="expired", text="当场退还")
    assert c.state == CoercionState.RELEASED
    assert clock(c).state == "stopped"
    assert "coercion_release" in {d.template.code for d in documents_for(c.case)}


def test_release_during_testing_stops_the_paused_clock(seized: Coercion) -> None:
    c = step(
        seized,
        "start_test",
        D(2026, 9, 10),
        test_kind="quarantine",
        agency="x",
        until=D(2026, 9, 20),
    )
    c = step(c, "release", D(2026, 9, 15), ground="no_violation")
    assert clock(c).state == "stopped"
    assert clock(c).pauses[0]["to"] == "2026-09-14"


def test_dispose_needs_kind_and_decision(seized: Coercion) -> None:
    on = D(2026, 9, 20)
    with pytest.raises(DomainError, match="必填"):
        step(seized, "dispose", on, disposal="confiscate", text="")
    with pytest.raises(DomainError):
        step(seized, "dispose", on, disposal="sell", text="拍卖")
    c = step(seized, "dispose", on, disposal="destroy", text="依法销毁不合格气瓶")
    assert c.state == CoercionState.DISPOSED
    assert c.ended_on == on


def test_release_needs_a_ground(seized: Coercion) -> None:
    with pytest.raises(DomainError):
        step(seized, "release", D(2026, 9, 5), ground="")


def test_approval_needs_the_head_and_two_officers(case: Case, personas: Any) -> None:
    c = report(case)
    with pytest.raises(NotAllowed):
        step(c, "approve", D(2026, 9, 1), actor=personas.county_a_officer)
    CaseOfficer.objects.filter(case=case).exclude(role="lead").delete()
    with pytest.raises(Refused):
        step(c, "approve", D(2026, 9, 1))


def test_refuse_needs_a_reason(case: Case) -> None:
    c = report(case)
    with pytest.raises(DomainError):
        step(c, "refuse", D(2026, 9, 2), reason="")
    c = step(c, "refuse", D(2026, 9, 2), reason="不属于涉案财物")
    assert c.state == CoercionState.REFUSED
    assert not clocks_for(c).exists()


def test_no_measure_on_a_decided_case(case: Case) -> None:
    c = report(case)
    Case.objects.filter(pk=case.pk).update(state=CaseState.DECIDED)
    with pytest.raises(Refused, match="强制措施"):
        step(c, "approve", D(2026, 9, 1))
    with pytest.raises(Conflict):
        report(Case.objects.get(pk=case.pk))


def test_records_on_the_case_timeline(seized: Coercion) -> None:
    steps = list(
        seized.case.events.filter(kind=EventKind.COERCION).values_list("data__step", flat=True)
    )
    assert steps == ["report", "approve"]


ANY = {
    "reason": "x",
    "text": "x",
    "test_kind": "detection",
    "agency": "x",
    "until": D(2026, 12, 31),
    "ground": "other",
    "disposal": "destroy",
}


@pytest.mark.parametrize(
    ("name", "state"),
    [
        (t.name, s)
        for t in COERCION.transitions
        for s in CoercionState.values
        if s not in t.sources
    ],
)
def test_step_refused_outside_its_states(case: Case, name: str, state: str) -> None:
    c = report(case)
    Coercion.objects.filter(pk=c.pk).update(state=state)
    c.refresh_from_db()
    with pytest.raises(Conflict):
        step(c, name, D(2026, 9, 5), **ANY)


@pytest.mark.parametrize("name", [t.name for t in COERCION.transitions])
def test_step_refused_without_permission(case: Case, personas: Any, name: str) -> None:
    c = report(case)
    Coercion.objects.filter(pk=c.pk).update(state=COERCION.get(name).sources[0])
    c.refresh_from_db()
    with pytest.raises(NotAllowed):
        step(c, name, D(2026, 9, 5), actor=personas.supervisor, **ANY)


def test_other_county_cannot_act(case: Case, personas: Any) -> None:
    from fazhi.core.errors import OutOfScope

    c = report(case)
    with pytest.raises((OutOfScope, NotAllowed)):
        coercion_create(
            actor=personas.county_b_officer,
            case=case,
            kind="seal",
            items="x",
            reason="x",
            basis="x",
        )
    with pytest.raises((OutOfScope, NotAllowed)):
        step(c, "release", D(2026, 9, 5), actor=personas.county_b_officer, ground="other")
