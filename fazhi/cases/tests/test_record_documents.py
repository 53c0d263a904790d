"""The 文书 of the hearing, the review, the discussion and the decision's companions.

听证告知书, 听证笔录, 法制审核意见书, 集体讨论记录 and 信用修复告知书 are made by
the transitions; 询问笔录 and 先行登记保存证据通知书 on demand. Each opens as a
Word file and holds the case's data.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from fazhi.cases import services
from fazhi.cases.choices import CaseFlag, PenaltyKind
from fazhi.cases.documents import record_make
from fazhi.cases.models import Case
from fazhi.cases.tests import factories
from fazhi.cases.tests.test_documents import _text
from fazhi.core.documents import documents_for
from fazhi.core.errors import DomainError, NotAllowed

D = datetime.date
FINE = PenaltyKind.FINE


@pytest.fixture
def root(personas: Any) -> Any:
    return factories.superuser(personas.city)


def _heard_case(personas: Any, root: Any) -> Case:
    case = factories.case(personas.county_a_brigade)

    def fire(name: str, on: datetime.date, **data: Any) -> Case:
        return services.case_transition(actor=root, case=case, name=name, on=on, **data)

    case = fire("file", D(2026, 11, 4))
    case = fire("end_investigation", D(2026, 11, 10))
    case = services.case_update(
        actor=root,
        case=case,
        penalty_kinds=[FINE],
        proposed_fine=Decimal(40000),
        flags=[CaseFlag.SERIOUS],
    )
    case = fire("give_notice_hearing", D(2026, 11, 11))
    case = fire("request_hearing", D(2026, 11, 13), requested_on=D(2026, 11, 13))
    case = fire(
        "hold_hearing", D(2026, 11, 24), held_on=D(2026, 11, 24), text="当事人称已整改完毕"
    )
    case = fire("send_review", D(2026, 11, 25))
    case = fire("pass_review", D(2026, 11, 26), text="事实清楚，证据确凿，同意")
    case = fire("record_discussion", D(2026, 11, 27), text="一致同意罚款四万元")
    return fire(
        "decide", D(2026, 11, 27), penalty_kinds=[FINE], fine="40000", fine_reason="依基准"
    )


def test_hearing_review_discussion_and_credit_documents(personas: Any, root: Any) -> None:
    case = _heard_case(personas, root)
    made = {d.template.code: d for d in documents_for(case)}
    for code in (
        "hearing_notice",
        "hearing_record",
        "legal_review_opinion",
        "discussion_record",
        "credit_repair_notice",
    ):
        assert code in made, code
        text = _text(made[code])
        assert case.number in text, code
        assert case.party_name in text, code
    assert "应急听告〔2026〕1号" in made["hearing_notice"].number
    assert "要求举行听证" in _text(made["hearing_notice"])
    assert "罚款4万元" in _text(made["hearing_notice"])
    assert "当事人称已整改完毕" in _text(made["hearing_record"])
    assert "2026-11-13" in _text(made["hearing_record"])
    opinion = _text(made["legal_review_opinion"])
    assert "事实清楚，证据确凿，同意" in opinion
    assert "同意" in opinion
    assert "一致同意罚款四万元" in _text(made["discussion_record"])
    credit = _text(made["credit_repair_notice"])
    assert "2026年11月27日" in credit
    assert made["credit_repair_notice"].created_at >= made["penalty_decision"].created_at


def test_inquiry_record_and_preservation_notice_on_demand(personas: Any, root: Any) -> None:
    case = factories.case(personas.county_a_brigade)
    case = services.case_transition(actor=root, case=case, name="file", on=D(2026, 11, 4))
    inquiry = record_make(
        actor=root,
        case=case,
        code="inquiry_record",
        subject="张三（安全员）",
        text="问：储罐区为何未设警示标志？答：标志损坏后未及时更换。",
    )
    text = _text(inquiry)
    for expected in ("张三（安全员）", "标志损坏后未及时更换", case.number, case.party_name):
        assert expected in text
    assert inquiry.number == ""
    notice = record_make(
        actor=root,
        case=case,
        code="evidence_preservation_notice",
        text="液氨储罐区现场照片2张；安全检查记录1册",
    )
    assert "应急先保〔2026〕1号" in notice.number
    assert "安全检查记录1册" in _text(notice)
    with pytest.raises(DomainError):
        record_make(actor=root, case=case, code="penalty_decision", text="x")
    with pytest.raises(DomainError):
        record_make(actor=root, case=case, code="inquiry_record", text=" ")
    with pytest.raises(NotAllowed):
        record_make(actor=personas.leader, case=case, code="inquiry_record", text="问答")


def test_record_documents_through_the_page_and_the_api(personas: Any, root: Any) -> None:
    case = factories.case(personas.county_a_brigade)
    case = services.case_transition(actor=root, case=case, name="file", on=D(2026, 11, 4))
    client = personas.client(personas.county_a_officer)
    response = client.post(
        f"/cases/{case.pk}/records/",
        {"code": "inquiry_record", "subject": "李四", "text": "问：……答：……"},
    )
    assert response.status_code == 302
    assert "询问笔录" in client.get(f"/cases/{case.pk}/").content.decode()
    api = client.post(
        f"/api/v1/cases/{case.pk}/documents",
        {"code": "evidence_preservation_notice", "text": "账簿一册"},
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    assert "应急先保" in api.json()["number"]
    other = personas.client(personas.county_b_officer)
    assert (
        other.post(
            f"/api/v1/cases/{case.pk}/documents",
            {"code": "inquiry_record", "text": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
