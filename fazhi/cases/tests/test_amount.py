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
