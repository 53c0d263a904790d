"""The seizure, referral and execution panels on the case page, and their API."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from fazhi.cases import services
from fazhi.cases.choices import CaseState, CoercionState, ReferralState
from fazhi.cases.models import Case, Coercion, CrimeReferral
from fazhi.cases.tests import factories

D = datetime.date


@pytest.fixture
def case(personas: Any) -> Case:
    target = factories.case(personas.county_a_brigade)
    root = factories.superuser(personas.city)
    return services.case_transition(actor=root, case=target, name="file")


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_page_reports_and_approves_a_seizure(personas: Any, case: Case) -> None:
    officer = personas.client(personas.county_a_officer)
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="coercion-add"' in page
    response = officer.post(
        f"/cases/{case.pk}/coercions/",
        {"kind": "seal", "items": "液氨储罐区", "reason": "重大事故隐患", "basis": "安全生产法"},
    )
    assert response.status_code == 302
    coercion = Coercion.objects.get(case=case)
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-refusal="coercion-approve"' in page  # an officer may not approve
    leader = personas.client(personas.leader)
    page = leader.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-coercion-action="approve"' in page
    assert 'data-refusal="coercion-approve"' not in page
    leader.post(f"/cases/{case.pk}/coercions/{coercion.pk}/act/approve/")
    coercion.refresh_from_db()
    assert coercion.state == CoercionState.IN_FORCE
    page = leader.get(f"/cases/{case.pk}/").content.decode()
    assert "查封（扣押）决定书" in page or "查封扣押决定书" in page
    # a form step with missing data is refused with the field's message, nothing changes
    leader.post(f"/cases/{case.pk}/coercions/{coercion.pk}/act/extend/", {})
    coercion.refresh_from_db()
    assert coercion.extended_on is None
    leader.post(
        f"/cases/{case.pk}/coercions/{coercion.pk}/act/extend/",
        {f"c{coercion.pk}-extend-reason": "涉案设施多处，需逐一核查"},
    )
    coercion.refresh_from_db()
    assert coercion.extended_on is not None
    page = leader.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-refusal="coercion-extend"' in page  # once only


def test_page_reports_a_referral(personas: Any, case: Case) -> None:
    officer = personas.client(personas.county_a_officer)
    officer.post(
        f"/cases/{case.pk}/referrals/", {"crime": "重大责任事故罪", "report": "造成一人死亡"}
    )
    referral = CrimeReferral.objects.get(case=case)
    assert referral.state == ReferralState.REPORTED
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-refusal="referral-approve"' in page
    assert "第五条第二款" in page  # the approval clock shows its source


def test_other_county_cannot_see_or_act(personas: Any, case: Case) -> None:
    other = personas.client(personas.county_b_officer)
    assert other.get(f"/api/v1/cases/{case.pk}/coercions").status_code == 404
    assert other.get(f"/api/v1/cases/{case.pk}/execution").status_code == 404
    payload = {"kind": "seal", "items": "x", "reason": "x", "basis": "x"}
    assert _post(other, f"/api/v1/cases/{case.pk}/coercions", payload).status_code == 404
    assert (
        other.post(f"/cases/{case.pk}/referrals/", {"crime": "x", "report": "x"}).status_code
        == 404
    )
    assert not Coercion.objects.exists()
    assert not CrimeReferral.objects.exists()


def test_api_seizure_with_testing_and_release(personas: Any, case: Case) -> None:
    officer = personas.client(personas.county_a_officer)
    leader = personas.client(personas.leader)
    body = _post(
        officer,
        f"/api/v1/cases/{case.pk}/coercions",
        {"kind": "seize", "items": "钢瓶 3 只", "reason": "无合格证", "basis": "特种设备安全法"},
    )
    assert body.status_code == 201
    cid = body.json()["id"]
    approve = next(a for a in body.json()["actions"] if a["name"] == "approve")
    assert approve["allowed"] is False
    assert approve["reason"]
    url = f"/api/v1/cases/{case.pk}/coercions/{cid}/transitions"
    assert _post(officer, f"{url}/approve", {}).status_code == 403
    response = _post(leader, f"{url}/approve", {"on": "2020-01-01"})
    assert response.status_code == 200
    assert response.json()["state"] == "in_force"
    assert response.json()["clocks"][0]["rule"] == "coercion_seizure"
    until = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    bad = _post(officer, f"{url}/start_test", {"test_kind": "x", "agency": "y", "until": until})
    assert bad.status_code == 400
    paused = _post(
        officer,
        f"{url}/start_test",
        {"test_kind": "detection", "agency": "检测站", "until": until},
    )
    assert paused.json()["clocks"][0]["state"] == "paused"
    assert "检测站" in paused.json()["clocks"][0]["pauses"][0]["reason"]
    released = _post(leader, f"{url}/release", {"ground": "no_violation"})
    assert released.json()["state"] == "released"
    listed = officer.get(f"/api/v1/cases/{case.pk}/coercions").json()
    assert [row["state"] for row in listed] == ["released"]


def test_api_referral_moves_the_case(personas: Any, case: Case) -> None:
    officer = personas.client(personas.county_a_officer)
    leader = personas.client(personas.leader)
    body = _post(
        officer, f"/api/v1/cases/{case.pk}/referrals", {"crime": "重大责任事故罪", "report": "x"}
    ).json()
    url = f"/api/v1/cases/{case.pk}/referrals/{body['id']}/transitions"
    assert _post(leader, f"{url}/approve", {}).status_code == 200
    refused = _post(leader, f"{url}/refer", {"receiver": ""})
    assert refused.status_code == 400
    referred = _post(leader, f"{url}/refer", {"receiver": "示范市公安局"})
    assert referred.json()["state"] == "referred"
    assert Case.objects.get(pk=case.pk).state == CaseState.REFERRED
    assert _post(officer, f"{url}/reject", {"text": "不予立案"}).status_code == 200
    back = _post(leader, f"/api/v1/cases/{case.pk}/transitions/take_back", {})
    assert back.json()["state"] == "investigating"


def test_api_execution_reads_the_computed_surcharge(personas: Any, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.SERVED, fine=5000, served_on=D(2026, 1, 20), decision_kind="penalty"
    )
    api = personas.client(personas.county_a_officer)
    body = api.get(f"/api/v1/cases/{case.pk}/execution").json()
    assert body["schedule"] == [{"due": "2026-02-04", "amount": "5000.00"}]
    assert body["remedies_end"] == "2026-07-20"
    assert body["court_until"] == "2026-10-20"
    assert body["surcharge"] is not None
    page = api.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="execution"' in page
    assert 'data-action="send_demand"' in page
