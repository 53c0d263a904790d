"""Rule proposals: a county proposes a change to the city's rule data; the city decides."""

from __future__ import annotations

from typing import Any

import pytest

from fazhi.core import proposals
from fazhi.core.errors import Conflict, NotAllowed
from fazhi.core.models import AuditEvent, RuleProposal
from fazhi.core.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_reviewer(personas: Any) -> Any:
    legal = factories.unit("法规股", personas.county_a)
    return factories.user("a_reviewer", legal, "legal_reviewer")


def test_county_proposes_to_the_city_which_accepts(personas: Any, county_reviewer: Any) -> None:
    row = proposals.proposal_create(
        actor=county_reviewer, subject="裁量基准：安全培训", proposal="建议下调第一档罚款"
    )
    assert row.owner == personas.city
    assert row.proposer_unit == personas.county_a
    # Another county's officer and the county itself cannot decide.
    with pytest.raises(NotAllowed):
        proposals.proposal_decide(actor=county_reviewer, proposal=row, accept=True)
    assert proposals.may_decide(personas.city_reviewer, row)
    assert not proposals.may_decide(county_reviewer, row)
    proposals.proposal_decide(actor=personas.city_reviewer, proposal=row, accept=True, note="同意")
    row.refresh_from_db()
    assert row.status == "accepted"
    assert row.decided_by == personas.city_reviewer
    with pytest.raises(Conflict):
        proposals.proposal_decide(actor=personas.city_reviewer, proposal=row, accept=False)
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="core.ruleproposal.")
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == ["core.ruleproposal.create", "core.ruleproposal.accept"]


def test_national_proposal_goes_to_the_system_administrators(
    personas: Any, county_reviewer: Any
) -> None:
    row = proposals.proposal_create(
        actor=personas.city_reviewer, subject="日历 2027-03-02", proposal="调休"
    )
    assert row.owner is None  # the city's level above is national
    with pytest.raises(NotAllowed):
        proposals.proposal_decide(actor=personas.city_reviewer, proposal=row, accept=True)
    proposals.proposal_decide(actor=personas.admin, proposal=row, accept=False, note="以通知为准")
    other = proposals.proposal_create(
        actor=county_reviewer, subject="时限", proposal="x", national=True
    )
    assert other.owner is None


def test_officers_cannot_propose_and_counties_see_only_their_own(
    personas: Any, county_reviewer: Any
) -> None:
    with pytest.raises(NotAllowed):
        proposals.proposal_create(actor=personas.county_a_officer, subject="x", proposal="y")
    mine = proposals.proposal_create(actor=county_reviewer, subject="x", proposal="y")
    legal_b = factories.unit("法规股", personas.county_b)
    reviewer_b = factories.user("b_reviewer", legal_b, "legal_reviewer")
    theirs = proposals.proposal_create(actor=reviewer_b, subject="x", proposal="y")
    assert list(proposals.proposal_list(actor=county_reviewer)) == [mine]
    assert set(proposals.proposal_list(actor=personas.city_reviewer)) == {mine, theirs}


def test_pages_and_api(personas: Any, county_reviewer: Any) -> None:
    county = personas.client(county_reviewer)
    response = county.post(
        "/core/rule-proposals/", {"subject": "日历", "proposal": "2027-03-02 应为工作日"}
    )
    assert response.status_code == 302
    row = RuleProposal.objects.get()
    page = personas.client(personas.city_reviewer).get("/core/rule-proposals/")
    assert page.status_code == 200
    assert page.context["rows"][0][1] is True
    refused = county.post(f"/core/rule-proposals/{row.pk}/decide/", {"decision": "accept"})
    assert refused.status_code == 302
    row.refresh_from_db()
    assert row.status == "pending"
    city = personas.client(personas.city_reviewer)
    city.post(f"/core/rule-proposals/{row.pk}/decide/", {"decision": "reject", "note": "否"})
    row.refresh_from_db()
    assert row.status == "rejected"

    created = county.post(
        "/api/v1/rule-proposals",
        {"subject": "裁量", "proposal": "建议"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert county.get("/api/v1/rule-proposals").json()["count"] == 2
    forbidden = county.post(
        f"/api/v1/rule-proposals/{pk}/decide", {"accept": True}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    decided = city.post(
        f"/api/v1/rule-proposals/{pk}/decide", {"accept": True}, content_type="application/json"
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "accepted"
    hidden = personas.client(personas.county_b_officer).get("/api/v1/rule-proposals")
    assert hidden.status_code == 403
