"""The penalty amount at the decision: the calculator's range, its trace, reasons outside it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from fazhi.cases import services
from fazhi.cases.choices import PenaltyKind
from fazhi.cases.discretion import amount_advice
from fazhi.cases.models import Case
from fazhi.cases.tests import factories
from fazhi.core.errors import Refused

D = datetime.date
FINE = PenaltyKind.FINE


@pytest.fixture
def pending(personas: Any) -> tuple[Case, Any]:
    from fazhi.discretion.seed import discretion_seed

    root = factories.superuser(personas.city)
    discretion_seed(actor=root)
    from fazhi.discretion.models import Baseline
    from fazhi.discretion.services import baseline_adopt

    national = Baseline.objects.get(document_number="应急〔2024〕90号")
    baseline_adopt(
        actor=root, agency=personas.county_a, baseline=national, adopted_on=D(2024, 11, 1)
    )
    case = factories.case(personas.county_a_brigade)
    case.violations.update(discretion_code="AQ099-01")

    def fire(name: str, on: datetime.date, **data: Any) -> Case:
        return services.case_transition(actor=root, case=case, name=name, on=on, **data)

    case = fire("file", D(2026, 11, 4))
    case = fire("end_investigation", D(2026, 11, 10))
    case = services.case_update(
        actor=root, case=case, penalty_kinds=[FINE], proposed_fine=Decimal(50000)
    )
    case = fire("give_notice_hearing", D(2026, 11, 11))
    case = fire("close_statement_no_hearing", D(2026, 11, 12), hearing_waived=True)
    return case, root


def test_advice_shows_the_range_and_trace(pending: tuple[Case, Any]) -> None:
    case, root = pending
    advice = amount_advice(actor=root, case=case)
    assert len(advice) == 1
    assert advice[0].entry_code == "AQ099-01"
    assert advice[0].upper is not None
    assert advice[0].trace


def test_outside_the_range_needs_a_written_reason(pending: tuple[Case, Any]) -> None:
    case, root = pending
    advice = amount_advice(actor=root, case=case)[0]
    assert (advice.lower, advice.upper) == (Decimal(15000), Decimal(35000))
    data: dict[str, Any] = {"penalty_kinds": [FINE], "fine": Decimal(14000)}
    with pytest.raises(Refused, match="书面说明理由"):
        services.case_transition(actor=root, case=case, name="decide", on=D(2026, 11, 13), **data)
    data["fine_reason"] = "当事人主动消除危害后果，依法从轻（第三十二条）"
    decided = services.case_transition(
        actor=root, case=case, name="decide", on=D(2026, 11, 13), **data
    )
    assert decided.fine_outside_range
    assert decided.discretion["advice"][0]["entry_code"] == "AQ099-01"


def test_inside_the_range_is_not_flagged(pending: tuple[Case, Any]) -> None:
    case, root = pending
    decided = services.case_transition(
        actor=root,
        case=case,
        name="decide",
        on=D(2026, 11, 13),
        penalty_kinds=[FINE],
        fine=Decimal(20000),
    )
    assert not decided.fine_outside_range
    assert decided.fine == Decimal(20000)


def test_the_page_shows_the_advice(pending: tuple[Case, Any], personas: Any) -> None:
    case, _root = pending
    html = personas.client(personas.leader).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="discretion-advice"' in html
    assert "AQ099-01" in html


def test_intended_fine_outside_the_range_is_flagged_to_the_reviewer(
    pending: tuple[Case, Any], personas: Any
) -> None:
    case, root = pending  # intended 50,000 against a recommended 15,000–35,000
    with pytest.raises(Refused, match="法制审核人员书面说明理由"):
        services.case_transition(actor=root, case=case, name="send_review", on=D(2026, 11, 13))
    reason = "涉及两处储罐区，危害较大"
    case = services.case_transition(
        actor=root, case=case, name="send_review", on=D(2026, 11, 13), amount_reason=reason
    )
    assert case.amount_flagged
    reviewer = personas.client(personas.city_reviewer)
    page = reviewer.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="amount-flag-detail"' in page
    assert reason in page
    flag = case.events.filter(kind="amount").get()
    assert flag.data["ranges"]
    assert flag.data["ranges"][0] in page
    inbox = reviewer.get("/cases/inbox/").content.decode()
    assert 'data-testid="amount-flag"' in inbox
    assert case.title in inbox
    from fazhi.cases.documents import record_context

    case = services.case_transition(
        actor=root, case=case, name="pass_review", on=D(2026, 11, 14), text="同意，理由充分"
    )
    assert reason in record_context(case, actor=root, on=D(2026, 11, 14))["amount_note"]


def test_intended_fine_inside_the_range_is_not_flagged(
    pending: tuple[Case, Any], personas: Any
) -> None:
    case, root = pending
    Case.objects.filter(pk=case.pk).update(proposed_fine=Decimal(20000))
    case.refresh_from_db()
    case = services.case_transition(actor=root, case=case, name="send_review", on=D(2026, 11, 13))
    assert not case.amount_flagged
    inbox = personas.client(personas.city_reviewer).get("/cases/inbox/").content.decode()
    assert 'data-testid="amount-flag"' not in inbox


def test_decision_outside_the_range_waits_in_the_reviewers_inbox(
    pending: tuple[Case, Any], personas: Any
) -> None:
    case, root = pending
    decided = services.case_transition(
        actor=root,
        case=case,
        name="decide",
        on=D(2026, 11, 13),
        penalty_kinds=[FINE],
        fine=Decimal(14000),
        fine_reason="当事人主动消除危害后果",
    )
    assert decided.amount_flagged
    inbox = personas.client(personas.city_reviewer).get("/cases/inbox/").content.decode()
    assert decided.title in inbox
    assert 'data-testid="amount-flag"' in inbox
