"""The 文书 of a case: made at the right steps, numbered, and holding the case's data."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import docx
from django.core.files.storage import default_storage

from fazhi.cases import services
from fazhi.cases.choices import PenaltyKind, Procedure
from fazhi.cases.tests import factories
from fazhi.core.documents import documents_for

D = datetime.date


def _text(document: Any) -> str:
    with default_storage.open(document.attachment.blob.storage_name, "rb") as handle:
        parsed = docx.Document(io.BytesIO(handle.read()))
    parts = [p.text for p in parsed.paragraphs]
    for table in parsed.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_filing_notice_and_decision_documents(personas: Any) -> None:
    root = factories.superuser(personas.city)
    case = factories.case(personas.county_a_brigade)

    def fire(name: str, on: datetime.date, **data: Any) -> Any:
        return services.case_transition(actor=root, case=case, name=name, on=on, **data)

    case = fire("file", D(2026, 11, 4))
    case = fire("end_investigation", D(2026, 11, 10))
    case = services.case_update(
        actor=root, case=case, penalty_kinds=[PenaltyKind.FINE], proposed_fine=Decimal(15000)
    )
    case = fire("give_notice", D(2026, 11, 11))
    case = fire("close_statement", D(2026, 11, 16), text="无异议")
    case = fire("decide", D(2026, 11, 17), penalty_kinds=[PenaltyKind.FINE], fine=Decimal(15000))
    documents = list(documents_for(case).order_by("pk"))
    assert [d.template.code for d in documents] == [
        "case_filing",
        "penalty_notice",
        "penalty_decision",
        "credit_repair_notice",  # 两书同达: served with the decision
    ]
    filing, notice, decision, credit = documents
    assert "应急信告〔2026〕1号" in credit.number
    assert case.number in _text(credit)
    assert "信用修复" in _text(credit)
    assert filing.number == ""
    assert case.number in _text(filing)
    assert case.party_name in _text(filing)
    assert "应急告〔2026〕1号" in notice.number
    notice_text = _text(notice)
    assert "罚款1.5万元" in notice_text
    assert "听证" not in notice_text.replace("听证申请", "")
    assert "应急罚〔2026〕1号" in decision.number
    decision_text = _text(decision)
    for expected in (case.party_name, "罚款1.5万元", "15日", "60日", "6个月", "2026年11月17日"):
        assert expected in decision_text, expected
    assert decision.attachment.blob.sha256


def test_notice_with_hearing_rights_prints_the_period(personas: Any) -> None:
    root = factories.superuser(personas.city)
    case = factories.case(personas.county_a_brigade)
    case = services.case_transition(actor=root, case=case, name="file", on=D(2026, 11, 4))
    case = services.case_transition(
        actor=root, case=case, name="end_investigation", on=D(2026, 11, 10)
    )
    case = services.case_update(
        actor=root, case=case, penalty_kinds=[PenaltyKind.FINE], proposed_fine=Decimal(50000)
    )
    case = services.case_transition(
        actor=root, case=case, name="give_notice_hearing", on=D(2026, 11, 11)
    )
    notice = documents_for(case).get(template__code="penalty_notice")
    text = _text(notice)
    assert "要求听证的权利" in text
    assert "5个工作日" in text


def test_on_the_spot_decision_is_numbered_as_summary(personas: Any) -> None:
    root = factories.superuser(personas.city)
    case = factories.case(personas.county_a_brigade, procedure=Procedure.SUMMARY)
    case = services.case_transition(
        actor=root,
        case=case,
        name="decide_on_spot",
        on=D(2026, 11, 5),
        penalty_kinds=[PenaltyKind.FINE],
        fine=Decimal(2000),
        party_informed=True,
    )
    decision = documents_for(case).get()
    assert "应急简罚〔2026〕1号" in decision.number
    assert "罚款2000元" in _text(decision)
