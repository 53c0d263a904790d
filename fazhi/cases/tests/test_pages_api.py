"""Pages and API of cases: scope (404 elsewhere), actions with reasons, the race."""

from __future__ import annotations

import datetime
import json
import threading
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext

from fazhi.cases import services
from fazhi.cases.choices import CaseState
from fazhi.cases.models import Case
from fazhi.cases.tests import factories
from fazhi.core.errors import Conflict
from fazhi.core.models import AuditEvent, Document, IssuedNumber

D = datetime.date


@pytest.fixture
def case_a(personas: Any) -> Case:
    return factories.case(personas.county_a_brigade)


def test_county_officer_cannot_open_another_countys_case(personas: Any, case_a: Case) -> None:
    other = personas.client(personas.county_b_officer)
    assert other.get(f"/cases/{case_a.pk}/").status_code == 404
    assert other.get(f"/api/v1/cases/{case_a.pk}").status_code == 404
    response = other.post(
        f"/api/v1/cases/{case_a.pk}/transitions/end_investigation",
        "{}",
        content_type="application/json",
    )
    assert response.status_code == 404
    assert other.post(f"/cases/{case_a.pk}/act/file/").status_code == 404
    listed = other.get("/api/v1/cases").json()
    assert case_a.pk not in [row["id"] for row in listed["items"]]
    own = personas.client(personas.county_a_officer)
    assert own.get(f"/cases/{case_a.pk}/").status_code == 200
    assert own.get(f"/api/v1/cases/{case_a.pk}").json()["id"] == case_a.pk


def test_enterprise_user_and_anonymous_are_refused(personas: Any, case_a: Case) -> None:
    assert personas.client(personas.enterprise).get("/cases/").status_code == 403
    assert personas.client(None).get("/cases/").status_code == 302
    assert personas.client(personas.enterprise).get("/api/v1/cases").status_code == 403


def test_case_page_shows_actions_with_refusal_reasons(personas: Any, case_a: Case) -> None:
    page = personas.client(personas.county_a_officer).get(f"/cases/{case_a.pk}/")
    html = page.content.decode()
    assert 'data-refusal="file"' in html
    leader_page = personas.client(personas.leader).get(f"/cases/{case_a.pk}/").content.decode()
    assert 'data-action="file"' in leader_page
    assert 'data-refusal="file"' not in leader_page


def test_actions_through_the_page(personas: Any, case_a: Case) -> None:
    leader = personas.client(personas.leader)
    response = leader.post(f"/cases/{case_a.pk}/act/file/")
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.state == CaseState.INVESTIGATING
    officer = personas.client(personas.county_a_officer)
    response = officer.post(
        f"/cases/{case_a.pk}/act/refer/", {"refer-reason": "x", "refer-receiver": "y"}
    )
    assert response.status_code == 403


def test_api_fires_transitions_with_the_same_guards(personas: Any) -> None:
    lone = factories.case(personas.county_a_brigade, officers=1)
    api = personas.client(personas.leader)
    response = api.post(
        f"/api/v1/cases/{lone.pk}/transitions/file", "{}", content_type="application/json"
    )
    assert response.status_code == 409
    assert "2" in response.json()["detail"]
    actions = api.get(f"/api/v1/cases/{lone.pk}").json()["actions"]
    file_action = next(a for a in actions if a["name"] == "file")
    assert file_action["allowed"] is False
    assert file_action["reason"]
    ok = factories.case(personas.county_a_brigade)
    response = api.post(
        f"/api/v1/cases/{ok.pk}/transitions/file", "{}", content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "investigating"
    assert [c["rule"] for c in body["clocks"]] == ["penalty_decision"]
    assert body["clocks"][0]["derivation"]["derivation"]
    bad = api.post(
        f"/api/v1/cases/{ok.pk}/transitions/decline",
        json.dumps({}),
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_api_creates_a_case(personas: Any) -> None:
    from fazhi.registry.tests import factories as rf

    officers = [rf.officer(personas.county_a), rf.officer(personas.county_a)]
    entity = rf.entity(personas.county_a)
    payload = {
        "unit_id": personas.county_a_brigade.pk,
        "title": "未设置安全警示标志",
        "source": "complaint",
        "entity_id": entity.pk,
        "party_kind": "organisation",
        "act_ended_on": "2026-11-01",
        "discovered_on": "2026-11-02",
        "officer_ids": [o.pk for o in officers],
    }
    response = personas.client(personas.county_a_officer).post(
        "/api/v1/cases", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["party_name"] == entity.name
    elsewhere = {**payload, "unit_id": personas.county_b_brigade.pk}
    response = personas.client(personas.county_a_officer).post(
        "/api/v1/cases", json.dumps(elsewhere), content_type="application/json"
    )
    assert response.status_code == 404


def test_case_list_search_filters_and_query_count(personas: Any) -> None:
    for _ in range(3):
        factories.case(personas.county_a_brigade)
    special = factories.case(personas.county_a_brigade, title="特别案由")
    client = personas.client(personas.leader)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/?q=特别")
    assert response.status_code == 200
    html = response.content.decode()
    assert "特别案由" in html
    assert html.count('href="/cases/') - html.count('href="/cases/new') >= 1
    assert len(queries) <= 12
    assert str(special.pk) in html
    assert "特别案由" not in client.get("/cases/?state=closed").content.decode()


def test_inbox_and_board(personas: Any) -> None:
    from fazhi.registry.models import Officer

    case = factories.case(personas.county_a_brigade)
    officer = Officer.objects.get(pk=case.officers.order_by("pk")[0].officer_id)
    officer.user = personas.county_a_officer
    officer.save()
    leader = personas.client(personas.leader)
    assert case.title in leader.get("/cases/inbox/").content.decode()
    on = datetime.date.today() - datetime.timedelta(days=88)
    root = factories.superuser(personas.city)
    case = services.case_transition(actor=root, case=case, name="file", on=on)
    assert case.number
    mine = personas.client(personas.county_a_officer).get("/cases/inbox/").content.decode()
    assert case.title in mine
    board = leader.get("/cases/deadlines/").content.decode()
    assert "table-warning" in board or "table-danger" in board
    assert case.number in board
    other = personas.client(personas.county_b_officer).get("/cases/deadlines/").content.decode()
    assert case.number not in other
    # The home page says the same in a card: 待办 and the deadline near or past.
    home = leader.get("/").content.decode()
    assert 'data-testid="panel-cases"' in home
    assert 'data-testid="panel-cases-inbox"' in home
    assert 'data-testid="panel-cases-soon"' in home or 'data-testid="panel-cases-past"' in home
    elsewhere = personas.client(personas.county_b_officer).get("/").content.decode()
    assert 'data-testid="panel-cases-soon"' not in elsewhere
    assert 'data-testid="panel-cases-past"' not in elsewhere


def test_procedure_page_lists_both_tables_in_chinese(personas: Any) -> None:
    client = personas.client(personas.leader)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/cases/procedure/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "普通程序" in html
    assert "简易程序" in html
    # Conditions, who acts and the clocks read as words, not codes or docstrings.
    assert "至少两名持有执法证件的执法人员" in html
    assert "立案审批（负责人）" in html
    assert "开始计算：" in html
    for code in ("cases.ordinary", "cases.file_case", "start penalty_decision", "Art."):
        assert code not in html


def test_procedure_page_lists_the_seizure_and_referral_tables(personas: Any) -> None:
    from fazhi.cases.coercion_workflow import COERCION
    from fazhi.cases.referral_workflow import REFERRAL

    client = personas.client(personas.leader)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/cases/procedure/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for slug, flow in (("coercion", COERCION), ("referral", REFERRAL)):
        start = html.index(f'data-procedure="{slug}"')
        table = html[start : html.index("</table>", start)]
        assert table.count("<tr>") == len(flow.transitions) + 1  # the head row
    assert "查封、扣押" in html
    assert "移送涉嫌犯罪案件" in html
    assert "延长" in html  # the extension step of a seizure
    for code in ("cases.coercion", "cases.referral", "coercion_seizure", "Art."):
        assert code not in html


@pytest.mark.django_db(transaction=True)
def test_a_transition_fired_twice_at_once_wins_once_and_numbers_once(personas: Any) -> None:
    case = factories.case(personas.county_a_brigade)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def fire() -> None:
        try:
            barrier.wait()
            services.case_transition(
                actor=personas.leader, case=case, name="file", on=D(2026, 11, 4)
            )
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        except OperationalError:
            # SQLite's shared in-memory test database answers "locked" at once.
            outcomes.append("locked")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1
    if connection.vendor == "postgresql":
        assert sorted(outcomes) == ["conflict", "won"]
    case.refresh_from_db()
    assert case.number
    assert Case.objects.filter(number=case.number).count() == 1
    assert AuditEvent.objects.filter(verb="cases.case.file", object_id=str(case.pk)).count() == 1
    filing = Document.objects.filter(object_id=str(case.pk), template__code="case_filing")
    assert filing.count() == 1
    assert IssuedNumber.objects.filter(text=case.number).count() == 1
