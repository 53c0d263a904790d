"""执行: 加处罚款 computed from rule data, 延期/分期, 催告 and the court's window."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from fazhi.cases import execution as x
from fazhi.cases import services
from fazhi.cases.choices import CaseState, EventKind, PenaltyKind
from fazhi.cases.execution_workflow import deferral_problem
from fazhi.cases.models import Case, CaseRule
from fazhi.cases.rules import RuleRow
from fazhi.cases.tests import factories
from fazhi.core.documents import documents_for
from fazhi.core.errors import DomainError, Refused
from fazhi.core.workflow import clocks_for

D = datetime.date
M = Decimal
RATE = RuleRow(
    code="r", purpose="late_payment", condition="daily_percent", source="s", amount=M(3)
)
CAP = RuleRow(code="c", purpose="late_payment", condition="cap_percent", source="s", amount=M(100))
ROOT: list[Any] = []


@pytest.fixture(autouse=True)
def _root(personas: Any) -> None:
    ROOT[:] = [factories.superuser(personas.city)]


def fire(case: Case, name: str, on: datetime.date, **data: Any) -> Case:
    return services.case_transition(actor=ROOT[0], case=case, name=name, on=on, **data)


@pytest.fixture
def served(personas: Any) -> Case:
    """A fine of 5,000 yuan served on 20 January 2026: due 4 February."""
    case = factories.case(
        personas.county_a_brigade, act_ended_on=D(2025, 12, 1), discovered_on=D(2025, 12, 2)
    )
    case = fire(case, "file", D(2026, 1, 5))
    case = fire(case, "end_investigation", D(2026, 1, 9))
    case = services.case_update(
        actor=ROOT[0], case=case, penalty_kinds=[PenaltyKind.FINE], proposed_fine=M(5000)
    )
    case = fire(case, "give_notice", D(2026, 1, 12))
    case = fire(case, "close_statement", D(2026, 1, 16), text="无异议")
    case = fire(case, "decide", D(2026, 1, 19), penalty_kinds=[PenaltyKind.FINE], fine="5000")
    return fire(case, "serve", D(2026, 1, 20), served_on=D(2026, 1, 20), method="直接送达")


# -- 加处罚款, pure ----------------------------------------------------------------------


def test_surcharge_per_day_from_the_day_after_the_due_date() -> None:
    plan = [x.Instalment(D(2026, 2, 4), M(5000))]
    on_time = x.surcharge_compute(
        fine=M(5000), schedule=plan, payments=[], on=D(2026, 2, 4), rate=RATE, cap=CAP
    )
    assert on_time.amount == 0
    ten = x.surcharge_compute(
        fine=M(5000), schedule=plan, payments=[], on=D(2026, 2, 14), rate=RATE, cap=CAP
    )
    assert ten.amount == M(1500)
    assert not ten.capped


def test_surcharge_capped_at_the_fine() -> None:
    plan = [x.Instalment(D(2026, 2, 4), M(5000))]
    late = x.surcharge_compute(
        fine=M(5000), schedule=plan, payments=[], on=D(2026, 3, 20), rate=RATE, cap=CAP
    )
    assert late.amount == M(5000)
    assert late.capped
    assert "100" in late.lines[-1]


def test_surcharge_stops_when_paid_and_follows_instalments() -> None:
    plan = [x.Instalment(D(2026, 2, 4), M(2000)), x.Instalment(D(2026, 3, 4), M(3000))]
    paid = [(D(2026, 2, 6), M(2000)), (D(2026, 3, 4), M(3000))]
    result = x.surcharge_compute(
        fine=M(5000), schedule=plan, payments=paid, on=D(2026, 4, 1), rate=RATE, cap=CAP
    )
    assert result.amount == M(120)  # 2,000 × 3% × 2 days; the second on time
    part = x.surcharge_compute(
        fine=M(5000),
        schedule=plan[:1],
        payments=[(D(2026, 2, 5), M(1000))],
        on=D(2026, 2, 7),
        rate=RATE,
        cap=CAP,
    )
    assert part.amount == M(120)  # 2,000 × 3% × 1 day + 1,000 × 3% × 2 days


def test_rate_is_rule_data_an_agency_may_not_type_in(served: Case) -> None:
    rows = CaseRule.objects.filter(purpose="late_payment")
    assert {r.condition: r.amount for r in rows} == {
        "daily_percent": M(3),
        "cap_percent": M(100),
    }
    assert all("第七十二条" in r.source for r in rows)
    rows.delete()
    with pytest.raises(DomainError, match="加处罚款规则"):
        x.surcharge_on(served, D(2026, 2, 10))


# -- payment ---------------------------------------------------------------------------


def test_payment_must_cover_the_surcharge(served: Case) -> None:
    with pytest.raises(Refused, match="5300"):
        fire(served, "record_payment", D(2026, 2, 6), paid_on=D(2026, 2, 6), amount="5000")
    case = fire(served, "record_payment", D(2026, 2, 6), paid_on=D(2026, 2, 6), amount="5300")
    assert case.state == CaseState.EXECUTED
    event = case.events.get(kind=EventKind.PAYMENT)
    assert event.data["surcharge_paid"] == "300.00"
    assert event.data["toward_fine"] == "5000.00"
    assert {c.rule_code: c.state for c in clocks_for(case)}["penalty_payment"] == "stopped"


def test_part_payments_then_the_rest(served: Case) -> None:
    with pytest.raises(Refused, match="部分缴纳"):
        fire(served, "record_instalment", D(2026, 2, 1), paid_on=D(2026, 2, 1), amount="5000")
    case = fire(served, "record_instalment", D(2026, 2, 1), paid_on=D(2026, 2, 1), amount="2000")
    assert case.state == CaseState.SERVED
    assert x.paid_total(case) == M(2000)
    case = fire(case, "record_payment", D(2026, 2, 4), paid_on=D(2026, 2, 4), amount="3000")
    assert case.state == CaseState.EXECUTED
    case = fire(case, "close", D(2026, 2, 5))
    assert "case_closing" in {d.template.code for d in documents_for(case)}


# -- 延期/分期 -----------------------------------------------------------------------------


def test_deferral_problem() -> None:
    ok: dict[str, Any] = {
        "kind": "instalments",
        "rows": [{"due": "2026-03-01", "amount": "2000"}, {"due": "2026-04-01", "amount": "3000"}],
        "owed": M(5000),
        "current_due": D(2026, 2, 4),
        "applied_on": D(2026, 1, 25),
        "today": D(2026, 1, 26),
        "already": False,
    }
    assert deferral_problem(**ok) is None
    assert deferral_problem(**{**ok, "already": True})
    assert deferral_problem(**{**ok, "applied_on": None})
    assert deferral_problem(**{**ok, "applied_on": D(2026, 1, 27)})
    assert deferral_problem(**{**ok, "rows": list(reversed(ok["rows"]))})
    assert "合计" in (deferral_problem(**{**ok, "owed": M(6000)}) or "")
    assert deferral_problem(**{**ok, "rows": ok["rows"][:1]})
    assert deferral_problem(**{**ok, "current_due": D(2026, 5, 1)})
    defer: dict[str, Any] = {**ok, "kind": "defer", "rows": [{"due": "2026-03-01", "amount": ""}]}
    assert deferral_problem(**defer) is None
    assert deferral_problem(**{**defer, "rows": ok["rows"]})


def test_instalments_approved_move_the_due_dates(served: Case) -> None:
    plan = "2026-03-02 2000\n2026-04-01 3000"
    with pytest.raises(Refused, match="合计"):
        fire(
            served,
            "approve_deferral",
            D(2026, 1, 26),
            kind="instalments",
            applied_on=D(2026, 1, 25),
            reason="资金周转困难",
            schedule="2026-03-02 2000\n2026-04-01 2000",
        )
    case = fire(
        served,
        "approve_deferral",
        D(2026, 1, 26),
        kind="instalments",
        applied_on=D(2026, 1, 25),
        reason="资金周转困难",
        schedule=plan,
    )
    assert case.state == CaseState.SERVED
    assert [i.due for i in x.schedule(case)] == [D(2026, 3, 2), D(2026, 4, 1)]
    assert clocks_for(case).get(rule_code="penalty_payment").due_on == D(2026, 4, 1)
    doc = documents_for(case).get(template__code="payment_deferral")
    assert doc.number
    with pytest.raises(Refused, match="已批准"):
        fire(
            case,
            "approve_deferral",
            D(2026, 1, 27),
            kind="defer",
            applied_on=D(2026, 1, 25),
            reason="x",
            schedule="2026-05-01",
        )
    # the old due date passes without a surcharge; the first instalment is late 3 days
    assert x.surcharge_on(case, D(2026, 2, 10)).amount == 0  # type: ignore[union-attr]
    assert x.surcharge_on(case, D(2026, 3, 5)).amount == M(180)  # type: ignore[union-attr]


# -- 催告 and the court ------------------------------------------------------------------


def test_demand_only_after_the_due_date(served: Case) -> None:
    with pytest.raises(Refused, match="尚无逾期"):
        fire(served, "send_demand", D(2026, 2, 4), served_on=D(2026, 2, 4), method="直接送达")
    case = fire(served, "send_demand", D(2026, 2, 6), served_on=D(2026, 2, 5), method="直接送达")
    assert case.state == CaseState.DEMANDED
    clock = clocks_for(case).get(rule_code="enforcement_demand")
    assert clock.started_on == D(2026, 2, 5)
    doc = documents_for(case).get(template__code="enforcement_demand")
    assert doc.number
    assert case.events.get(kind=EventKind.DEMAND).data["surcharge"] == "150.00"


def test_demand_period_counts_working_days_over_the_national_day() -> None:
    due = x.deadline_compute_for_rule(code="enforcement_demand", start=D(2026, 9, 28))
    # 29, 30 Sep; 8, 9, 10 (调休上班), 12–16 Oct: the holiday 1–7 Oct is skipped.
    assert due.due == D(2026, 10, 16)
    assert x.demand_wait_problem(today=D(2026, 10, 16), due=due)
    assert x.demand_wait_problem(today=D(2026, 10, 17), due=due) is None


def test_court_window_after_the_remedies_and_within_three_months(served: Case) -> None:
    case = fire(served, "send_demand", D(2026, 2, 6), served_on=D(2026, 2, 5), method="邮寄")
    court = {"court": "示范市任城区人民法院", "no_remedy": True}
    with pytest.raises(Refused, match="催告书于"):
        fire(case, "apply_court", D(2026, 2, 10), applied_on=D(2026, 2, 10), **court)
    # served 20 Jan: 诉讼 6 months to 20 July (later than 复议's 60 days)
    end, window = x.court_window(case)  # type: ignore[misc]
    assert end == D(2026, 7, 20)
    assert window.due == D(2026, 10, 20)
    with pytest.raises(Refused, match="行政复议"):
        fire(case, "apply_court", D(2026, 7, 20), applied_on=D(2026, 7, 20), **court)
    with pytest.raises(Refused, match="已于"):
        fire(case, "apply_court", D(2026, 10, 21), applied_on=D(2026, 10, 21), **court)
    with pytest.raises(DomainError):
        fire(case, "apply_court", D(2026, 7, 21), applied_on=D(2026, 7, 21), court="x")
    case = fire(case, "apply_court", D(2026, 7, 21), applied_on=D(2026, 7, 21), **court)
    assert case.state == CaseState.COURT
    assert case.events.get(kind=EventKind.COURT).text == "示范市任城区人民法院"
    # the court enforces: the fine and the capped surcharge are paid
    case = fire(case, "record_payment", D(2026, 9, 1), paid_on=D(2026, 9, 1), amount="10000")
    assert case.state == CaseState.EXECUTED


def test_no_execution_steps_without_a_fine(personas: Any) -> None:
    case = factories.case(personas.county_a_brigade)
    Case.objects.filter(pk=case.pk).update(state=CaseState.SERVED)
    case.refresh_from_db()
    with pytest.raises(Refused, match="没有未缴纳的罚款"):
        fire(case, "send_demand", D(2026, 12, 1), served_on=D(2026, 12, 1), method="x")
