"""执法公示 of decisions: publish, change of the decision, withdraw within 3 working days."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from fazhi.cases import publication_services as pub
from fazhi.cases import selectors, services
from fazhi.cases.choices import EventKind, PartyKind, PenaltyKind, PublicityState
from fazhi.cases.models import Case, CasePublication
from fazhi.cases.publication import mask_person_name
from fazhi.cases.tests import factories
from fazhi.core.choices import ClockState
from fazhi.core.errors import Conflict, NotAllowed, OutOfScope, Refused
from fazhi.core.models import AuditEvent
from fazhi.core.workflow import clocks_for

D = datetime.date
ROOT: list[Any] = []


@pytest.fixture(autouse=True)
def _root(personas: Any) -> None:
    ROOT[:] = [factories.superuser(personas.city)]


def fire(case: Case, name: str, on: datetime.date, **data: Any) -> Case:
    return services.case_transition(actor=ROOT[0], case=case, name=name, on=on, **data)


def decided(personas: Any, **fields: Any) -> Case:
    """A fine of 5,000 yuan decided on 19 January 2026 (county A)."""
    case = factories.case(
        personas.county_a_brigade,
        act_ended_on=D(2025, 12, 1),
        discovered_on=D(2025, 12, 2),
        **fields,
    )
    case = fire(case, "file", D(2026, 1, 5))
    case = fire(case, "end_investigation", D(2026, 1, 9))
    case = services.case_update(
        actor=ROOT[0], case=case, penalty_kinds=[PenaltyKind.FINE], proposed_fine=Decimal(5000)
    )
    case = fire(case, "give_notice", D(2026, 1, 12))
    case = fire(case, "close_statement", D(2026, 1, 16), text="无异议")
    return fire(case, "decide", D(2026, 1, 19), penalty_kinds=[PenaltyKind.FINE], fine="5000")


@pytest.fixture
def case(personas: Any) -> Case:
    return decided(personas, party_kind=PartyKind.PERSON, party_name="张三丰", party_code="")


def test_mask_keeps_the_surname_only() -> None:
    assert mask_person_name("张三丰") == "张某某"
    assert mask_person_name("李四") == "李某"
    assert mask_person_name("欧阳 小明") == "欧某某某"
    assert mask_person_name("王") == "王某"
    assert mask_person_name("") == ""


# -- services -------------------------------------------------------------------------


def test_publishing_takes_a_snapshot_with_a_citizen_masked(personas: Any, case: Case) -> None:
    row = pub.publication_publish(actor=personas.leader, case=case, on=D(2026, 1, 20))
    assert row.state == PublicityState.PUBLISHED
    assert row.party_name == "张某某"
    assert row.document_number
    assert row.document_number.endswith("号")
    assert row.violation == "未设置明显的安全警示标志"
    assert row.basis == "《安全生产法》第九十九条第（一）项"
    assert row.penalty == "罚款5000元"
    assert row.agency == personas.county_a.name
    assert row.decided_on == D(2026, 1, 19)
    event = AuditEvent.objects.filter(verb="cases.publication.publish").get()
    assert (event.after or {})["document_number"] == row.document_number
    with pytest.raises(Refused, match="已经公示"):
        pub.publication_publish(actor=personas.leader, case=case)


def test_an_organisation_is_published_by_its_name(personas: Any) -> None:
    case = decided(personas)
    row = pub.publication_publish(actor=personas.city_reviewer, case=case)
    assert row.party_name == case.party_name


def test_an_undecided_case_cannot_be_published(personas: Any) -> None:
    case = fire(factories.case(personas.county_a_brigade), "file", D(2026, 11, 5))
    with pytest.raises(Refused):
        pub.publication_publish(actor=personas.leader, case=case)
    assert not CasePublication.objects.exists()


def test_officers_may_not_publish_and_other_counties_are_out_of_scope(
    personas: Any, case: Case
) -> None:
    with pytest.raises(NotAllowed):
        pub.publication_publish(actor=personas.county_a_officer, case=case)
    from fazhi.core.tests import factories as core_factories

    county_b_leader = core_factories.user("b_leader", personas.county_b, "leader")
    with pytest.raises(OutOfScope):
        pub.publication_publish(actor=county_b_leader, case=case)


def test_a_change_starts_the_3_working_day_clock_and_the_withdrawal_stops_it(
    personas: Any, case: Case
) -> None:
    row = pub.publication_publish(actor=personas.leader, case=case, on=D(2026, 1, 20))
    # Friday 23 January 2026: Mon 26, Tue 27, Wed 28 (行政处罚法 Art. 48 ¶2, Art. 85).
    pub.decision_change_record(
        actor=personas.leader,
        case=case,
        change="revoked",
        ground="reconsideration",
        reason="市人民政府行政复议决定书（2026）1号撤销",
        on=D(2026, 1, 23),
    )
    row.refresh_from_db()
    assert row.state == PublicityState.WITHDRAWAL_DUE
    clock = clocks_for(case).get(rule_code=pub.CLOCK)
    assert clock.key == f"publication-{row.pk}"
    assert clock.state == ClockState.RUNNING
    assert clock.due_on == D(2026, 1, 28)
    assert clock.rule.source == "《行政处罚法》第四十八条第二款、第八十五条"
    assert case.events.filter(kind=EventKind.DECISION_CHANGE).count() == 1
    # The deadline board shows it (yellow: due within the warning days).
    board = selectors.deadline_board(actor=personas.leader, today=D(2026, 1, 26))
    assert clock.pk in {c.pk for c in board}
    # Still public until withdrawn.
    assert pub.public_list(pub.PublicFilters()).filter(pk=row.pk).exists()

    pub.publication_withdraw(
        actor=personas.city_reviewer,
        publication=row,
        reason="该决定已被复议机关撤销",
        on=D(2026, 1, 27),
    )
    row.refresh_from_db()
    clock.refresh_from_db()
    assert row.state == PublicityState.WITHDRAWN
    assert clock.state == ClockState.STOPPED
    assert clock.stopped_on == D(2026, 1, 27)
    assert (row.party_name, row.violation, row.basis, row.penalty) == ("", "", "", "")
    assert row.document_number
    assert row.withdrawal_reason == "该决定已被复议机关撤销"
    event = AuditEvent.objects.filter(verb="cases.publication.withdraw").get()
    assert (event.after or {})["late"] is False
    assert (event.before or {})["party_name"] == "张某某"
    board = selectors.deadline_board(actor=personas.leader, today=D(2026, 1, 26))
    assert clock.pk not in {c.pk for c in board}
    with pytest.raises(Conflict):
        pub.publication_withdraw(actor=personas.leader, publication=row, reason="再次")
    # A decision that was revoked is not published again.
    with pytest.raises(Refused):
        pub.publication_publish(actor=personas.leader, case=case)


def test_a_late_withdrawal_is_recorded_as_late(personas: Any, case: Case) -> None:
    row = pub.publication_publish(actor=personas.leader, case=case, on=D(2026, 1, 20))
    pub.decision_change_record(
        actor=personas.leader,
        case=case,
        change="changed",
        ground="litigation",
        reason="判决变更罚款数额",
        on=D(2026, 1, 23),
    )
    pub.publication_withdraw(
        actor=personas.leader, publication=row, reason="判决变更", on=D(2026, 1, 29)
    )
    event = AuditEvent.objects.filter(verb="cases.publication.withdraw").get()
    assert (event.after or {})["late"] is True


def test_a_change_without_a_publication_starts_no_clock(personas: Any, case: Case) -> None:
    pub.decision_change_record(
        actor=personas.leader,
        case=case,
        change="illegal",
        ground="self_correction",
        reason="本机关自行纠正",
        on=D(2026, 1, 23),
    )
    assert not clocks_for(case).filter(rule_code=pub.CLOCK).exists()
    assert AuditEvent.objects.filter(verb="cases.case.decision_change").count() == 1


def test_a_change_needs_a_decision_and_a_known_kind(personas: Any) -> None:
    from fazhi.core.errors import DomainError

    open_case = fire(factories.case(personas.county_a_brigade), "file", D(2026, 11, 5))
    with pytest.raises(Conflict):
        pub.decision_change_record(
            actor=personas.leader,
            case=open_case,
            change="revoked",
            ground="litigation",
            reason="x",
        )
    with pytest.raises(DomainError):
        pub.decision_change_record(
            actor=personas.leader, case=open_case, change="gone", ground="litigation", reason="x"
        )


# -- pages ------------------------------------------------------------------------------


def test_public_pages_need_no_login_and_show_only_what_is_published(
    personas: Any, case: Case
) -> None:
    other = decided(personas)  # decided, never published
    row = pub.publication_publish(actor=personas.leader, case=case, on=D(2026, 1, 20))
    anonymous = Client()
    anonymous.cookies["django_language"] = "zh-hans"
    html = anonymous.get("/gongshi/penalties/").content.decode()
    assert "行政处罚决定公示" in html
    assert row.document_number in html
    assert "张某某" in html
    assert "张三丰" not in html
    assert other.party_name not in html
    detail = anonymous.get(f"/gongshi/penalties/{row.pk}/").content.decode()
    assert "罚款5000元" in detail
    assert "《安全生产法》第九十九条第（一）项" in detail
    # search and filters
    assert row.document_number in anonymous.get("/gongshi/penalties/?q=张某").content.decode()
    assert (
        row.document_number
        not in anonymous.get("/gongshi/penalties/?q=不存在的当事人").content.decode()
    )
    assert row.document_number in anonymous.get("/gongshi/penalties/?kind=fine").content.decode()
    assert (
        row.document_number
        not in anonymous.get("/gongshi/penalties/?kind=warning").content.decode()
    )
    assert (
        row.document_number not in anonymous.get("/gongshi/penalties/?year=2025").content.decode()
    )
    assert anonymous.get("/gongshi/penalties/?year=abc").status_code == 200
    assert anonymous.get("/gongshi/penalties/999999/").status_code == 404


def test_a_withdrawn_decision_shows_only_the_withdrawal_notice(personas: Any, case: Case) -> None:
    row = pub.publication_publish(actor=personas.leader, case=case, on=D(2026, 1, 20))
    pub.decision_change_record(
        actor=personas.leader, case=case, change="void", ground="litigation", reason="确认无效"
    )
    pub.publication_withdraw(
        actor=personas.leader, publication=row, reason="经人民法院判决确认无效"
    )
    anonymous = Client()
    anonymous.cookies["django_language"] = "zh-hans"
    listed = anonymous.get("/gongshi/penalties/").content.decode()
    assert row.document_number not in listed
    notices = anonymous.get("/gongshi/penalties/?withdrawn=on").content.decode()
    assert row.document_number in notices
    assert "经人民法院判决确认无效" in notices
    detail = anonymous.get(f"/gongshi/penalties/{row.pk}/").content.decode()
    assert 'data-testid="withdrawal-notice"' in detail
    for secret in ("张某某", "张三丰", "未设置明显的安全警示标志", "5000元", "第九十九条"):
        assert secret not in listed
        assert secret not in notices
        assert secret not in detail


def test_the_case_page_publishes_records_the_change_and_withdraws(
    personas: Any, case: Case
) -> None:
    leader = personas.client(personas.leader)
    page = leader.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="publish"' in page
    assert leader.post(f"/cases/{case.pk}/publish/").status_code == 302
    row = CasePublication.objects.get(case=case)
    leader.post(
        f"/cases/{case.pk}/decision-change/",
        {"change": "revoked", "ground": "self_correction", "reason": "本机关自行撤销"},
    )
    row.refresh_from_db()
    assert row.state == PublicityState.WITHDRAWAL_DUE
    page = leader.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="withdrawal-clock"' in page
    board = leader.get("/cases/deadlines/").content.decode()
    assert case.number in board or str(case) in board
    leader.post(f"/cases/{case.pk}/publications/{row.pk}/withdraw/", {"reason": "已撤销"})
    row.refresh_from_db()
    assert row.state == PublicityState.WITHDRAWN
    officer = personas.client(personas.county_a_officer)
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="publish"' not in page
    assert officer.post(f"/cases/{case.pk}/publish/").status_code == 403


# -- API --------------------------------------------------------------------------------


def _post(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_api_publishes_and_anyone_reads_the_public_list(personas: Any, case: Case) -> None:
    anonymous = Client()
    assert _post(anonymous, f"/api/v1/cases/{case.pk}/publications").status_code == 401
    officer = personas.client(personas.county_a_officer)
    assert _post(officer, f"/api/v1/cases/{case.pk}/publications").status_code == 403
    leader = personas.client(personas.leader)
    created = _post(leader, f"/api/v1/cases/{case.pk}/publications")
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    listing = anonymous.get("/api/v1/public/penalties").json()
    assert listing["count"] == 1
    assert listing["items"][0]["party_name"] == "张某某"
    assert anonymous.get(f"/api/v1/public/penalties/{pid}").json()["penalty"] == "罚款5000元"
    changed = _post(
        leader,
        f"/api/v1/cases/{case.pk}/decision-change",
        {"change": "revoked", "ground": "reconsideration", "reason": "复议撤销"},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()[0]["state"] == "withdrawal_due"
    assert changed.json()[0]["withdrawal_due_on"]
    withdrawn = _post(leader, f"/api/v1/cases/publications/{pid}/withdraw", {"reason": "已撤销"})
    assert withdrawn.status_code == 200, withdrawn.content
    public = anonymous.get(f"/api/v1/public/penalties/{pid}").json()
    assert public["withdrawn"] is True
    assert public["party_name"] == ""
    assert public["penalty"] == ""
    assert public["violation"] == ""
    assert anonymous.get("/api/v1/public/penalties").json()["count"] == 0
    assert anonymous.get("/api/v1/public/penalties?withdrawn=true").json()["count"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_is_public_at_once_though_the_pages_are_remembered(
    personas: Any, case: Case
) -> None:
    """The public pages are answered from memory while nothing is written
    (core/read_cache.py); the withdrawal is a write, so the next visitor sees it."""
    from fazhi.core import read_cache

    read_cache.memory.clear()
    row = pub.publication_publish(actor=personas.leader, case=case, on=D(2026, 1, 20))
    anonymous = Client()
    urls = ("/gongshi/penalties/", f"/gongshi/penalties/{row.pk}/", "/api/v1/public/penalties")
    anonymous.get(urls[0])  # a visitor's first page sets the CSRF cookie of its forms
    for url in urls:
        first = anonymous.get(url)
        assert first.status_code == 200
        shown = json.dumps(first.json(), ensure_ascii=False) if "api" in url else first.text
        assert row.document_number in shown
        assert anonymous.get(url).content == first.content
    assert len(read_cache.memory.answers) == len(urls)  # all three remembered
    pub.decision_change_record(
        actor=personas.leader, case=case, change="void", ground="litigation", reason="确认无效"
    )
    pub.publication_withdraw(actor=personas.leader, publication=row, reason="判决确认无效")
    assert row.document_number not in anonymous.get(urls[0]).text
    assert 'data-testid="withdrawal-notice"' in anonymous.get(urls[1]).content.decode()
    assert anonymous.get(urls[2]).json()["count"] == 0
    read_cache.memory.clear()
