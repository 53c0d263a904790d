"""Officers: 持证上岗, team rules, recusal, ID masking, scoping, certificates."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fazhi.core.codes import mask_ric
from fazhi.core.errors import DomainError
from fazhi.core.tests.factories import SYSTEM
from fazhi.registry import selectors, services
from fazhi.registry.models import RegistryRule
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 6, 1)


def test_a_certified_officer_may_enforce(personas):
    officer = f.officer(personas.county_a_brigade)
    certificate = services.officer_assert_certified(officer=officer, on=DAY)
    assert certificate.officer == officer


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        ("none", "holds no enforcement certificate"),
        ("expired", "expired on 2025-05-31"),
        ("future", "valid only from 2025-07-01"),
        ("suspended", "is suspended"),
        ("revoked", "was revoked"),
        ("retired", "is not in service"),
    ],
)
def test_enforcement_without_a_valid_certificate_is_refused(personas, setup, fragment):
    officer = f.officer(personas.county_a_brigade, certified=False)
    if setup == "expired":
        f.certificate(
            officer, valid_from=datetime.date(2020, 6, 1), valid_to=datetime.date(2025, 5, 31)
        )
    elif setup == "future":
        f.certificate(
            officer, valid_from=datetime.date(2025, 7, 1), valid_to=datetime.date(2030, 6, 30)
        )
    elif setup in ("suspended", "revoked"):
        cert = f.certificate(
            officer, valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2029, 1, 1)
        )
        services.certificate_set_status(
            actor=SYSTEM, certificate=cert, status=setup, reason="违规执法"
        )
    elif setup == "retired":
        f.certificate(
            officer, valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2029, 1, 1)
        )
        services.officer_update(actor=SYSTEM, officer=officer, status="retired")
    with pytest.raises(DomainError) as exc:
        services.officer_assert_certified(officer=officer, on=DAY)
    assert fragment in str(exc.value.message)
    assert officer.full_name in str(exc.value.message)


def test_a_renewed_certificate_makes_the_officer_eligible_again(personas):
    officer = f.officer(
        personas.county_a_brigade,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2025, 1, 1),
    )
    with pytest.raises(DomainError):
        services.officer_assert_certified(officer=officer, on=DAY)
    renewed = f.certificate(
        officer, valid_from=datetime.date(2025, 1, 2), valid_to=datetime.date(2030, 1, 1)
    )
    assert services.officer_assert_certified(officer=officer, on=DAY) == renewed
    assert officer.certificates.count() == 2  # the old one stays in the history


def test_certificate_status_moves(personas):
    officer = f.officer(personas.county_a_brigade)
    cert = officer.certificates.get()
    services.certificate_set_status(
        actor=SYSTEM, certificate=cert, status="suspended", reason="调查期间"
    )
    services.certificate_set_status(
        actor=SYSTEM, certificate=cert, status="valid", reason="调查结束"
    )
    services.certificate_set_status(
        actor=SYSTEM, certificate=cert, status="revoked", reason="吊销"
    )
    with pytest.raises(DomainError):
        services.certificate_set_status(actor=SYSTEM, certificate=cert, status="valid", reason="x")
    with pytest.raises(DomainError):
        services.certificate_set_status(
            actor=SYSTEM,
            certificate=f.officer(personas.county_a).certificates.get(),
            status="suspended",
            reason=" ",
        )


def test_a_team_needs_two_certified_officers_by_rule(personas):
    a, b = f.officer(personas.county_a_brigade), f.officer(personas.county_a_brigade)
    rule = services.team_assert_valid(officers=[a, b], on=DAY)
    assert rule.value == 2
    assert "第四十二条" in rule.source
    with pytest.raises(DomainError) as exc:
        services.team_assert_valid(officers=[a, a], on=DAY)
    assert "at least 2" in str(exc.value.message)


def test_the_team_minimum_is_rule_data(personas):
    a, b = f.officer(personas.county_a_brigade), f.officer(personas.county_a_brigade)
    current = RegistryRule.objects.get(code="team_min_officers", effective_to__isnull=True)
    services.rule_save(actor=personas.admin, rule=current, effective_to=datetime.date(2025, 5, 31))
    services.rule_save(
        actor=personas.admin,
        code="team_min_officers",
        value=3,
        source="地方规定（测试）",
        verified=False,
        effective_from=datetime.date(2025, 6, 1),
    )
    services.team_assert_valid(officers=[a, b], on=datetime.date(2025, 5, 31))
    with pytest.raises(DomainError) as exc:
        services.team_assert_valid(officers=[a, b], on=DAY)
    assert "at least 3" in str(exc.value.message)


def test_an_uncertified_member_or_a_conflict_breaks_the_team(personas):
    a, b = f.officer(personas.county_a_brigade), f.officer(personas.county_a_brigade)
    c = f.officer(personas.county_a_brigade, certified=False)
    with pytest.raises(DomainError) as exc:
        services.team_assert_valid(officers=[a, b, c], on=DAY)
    assert c.full_name in str(exc.value.message)
    entity = f.entity(personas.county_a)
    services.conflict_record(
        actor=SYSTEM,
        officer=b,
        entity=entity,
        kind="former_employer",
        source="declared",
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2025, 12, 31),
    )
    with pytest.raises(DomainError) as exc:
        services.team_assert_valid(officers=[a, b], on=DAY, entity=entity)
    assert "must recuse" in str(exc.value.message)
    assert b.full_name in str(exc.value.message)
    services.team_assert_valid(
        officers=[a, b], on=datetime.date(2026, 1, 1), entity=entity
    )  # period over
    services.team_assert_valid(
        officers=[a, b], on=DAY, entity=f.entity(personas.county_a)
    )  # another entity


def test_conflicts_are_found_for_their_active_period_and_follow_a_merge(personas):
    officer = f.officer(personas.county_a_brigade)
    entity = f.entity(personas.county_a)
    twin = f.entity(
        personas.county_a, name=entity.name, address=entity.address, allow_duplicate=True
    )
    conflict = services.conflict_record(
        actor=SYSTEM,
        officer=officer,
        entity=twin,
        kind="shareholding",
        source="found",
        valid_from=datetime.date(2025, 1, 1),
    )
    assert services.officer_conflicts(officer=officer, entity=twin, on=DAY) == [conflict]
    assert (
        services.officer_conflicts(officer=officer, entity=twin, on=datetime.date(2024, 12, 31))
        == []
    )
    assert services.officer_conflicts(officer=officer, entity=entity, on=DAY) == []
    services.entity_merge(actor=SYSTEM, survivor=entity, duplicates=[twin])
    assert services.officer_conflicts(officer=officer, entity=entity, on=DAY) == [conflict]
    assert services.officer_conflicts(officer=officer, entity=twin, on=DAY) == [conflict]
    services.conflict_end(actor=SYSTEM, conflict=conflict, valid_to=datetime.date(2025, 3, 1))
    assert services.officer_conflicts(officer=officer, entity=entity, on=DAY) == []


def test_citizen_ids_are_masked_unless_the_role_needs_them(personas):
    officer = f.officer(personas.county_a_brigade)
    url = reverse("registry:officer_detail", kwargs={"pk": officer.pk})
    masked = personas.client(personas.county_a_officer).get(url).content.decode()
    assert mask_ric(officer.citizen_id) in masked
    assert officer.citizen_id not in masked
    for who in (personas.city_reviewer, personas.admin):
        assert officer.citizen_id in personas.client(who).get(url).content.decode()
    listing = (
        personas.client(personas.leader).get(reverse("registry:officer_list")).content.decode()
    )
    assert officer.citizen_id not in listing
    assert mask_ric(officer.citizen_id) in listing
    api = personas.client(personas.county_a_officer).get(f"/api/v1/officers/{officer.pk}").json()
    assert api["citizen_id"] == mask_ric(officer.citizen_id)
    assert api["citizen_id_masked"]
    api = personas.client(personas.city_reviewer).get(f"/api/v1/officers/{officer.pk}").json()
    assert api["citizen_id"] == officer.citizen_id
    assert not api["citizen_id_masked"]


def test_the_edit_form_hides_the_id_from_roles_without_the_permission(personas):
    officer = f.officer(personas.county_a_brigade)
    url = reverse("registry:officer_edit", kwargs={"pk": officer.pk})
    page = personas.client(personas.city_reviewer).get(url).content.decode()
    assert officer.citizen_id in page


def test_county_a_cannot_see_county_b_officers(personas):
    ours, theirs = f.officer(personas.county_a_brigade), f.officer(personas.county_b_brigade)
    assert list(selectors.officer_list(actor=personas.county_a_officer)) == [ours]
    assert set(selectors.officer_list(actor=personas.city_reviewer)) == {ours, theirs}
    client = personas.client(personas.county_a_officer)
    assert (
        client.get(reverse("registry:officer_detail", kwargs={"pk": theirs.pk})).status_code == 404
    )
    assert client.get(f"/api/v1/officers/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/officers/{theirs.pk}/certified").status_code == 404
    names = [o["full_name"] for o in client.get("/api/v1/officers").json()["items"]]
    assert names == [ours.full_name]


def test_external_officers_share_the_pool_without_logins(personas):
    agency = f.external_agency(personas.county_a, "任城区市场监督管理局")
    officer = f.officer(external_agency=agency, domains=["market_regulation"])
    assert officer.is_external
    assert officer.home == agency
    assert officer in selectors.officer_list(actor=personas.county_a_officer)
    assert officer not in selectors.officer_list(actor=personas.county_b_officer)
    internal = f.officer(personas.county_a_brigade)
    services.team_assert_valid(officers=[officer, internal], on=DAY)
    with pytest.raises(ValidationError) as exc:
        services.officer_update(actor=SYSTEM, officer=officer, user=personas.county_a_officer)
    assert "user" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.officer_create(
            actor=SYSTEM,
            full_name="两处",
            citizen_id=f.make_ric(seq=901),
            unit=personas.county_a_brigade,
            external_agency=agency,
        )
    assert "unit" in exc.value.message_dict


def test_bad_citizen_id_is_refused(personas):
    with pytest.raises(ValidationError) as exc:
        f.officer(personas.county_a_brigade, citizen_id="370811198503070001")
    assert "citizen_id" in exc.value.message_dict


def test_expiring_certificates_show_on_the_home_page(personas):
    today = timezone.localdate()
    soon = f.officer(
        personas.county_a_brigade,
        valid_from=today - datetime.timedelta(days=1000),
        valid_to=today + datetime.timedelta(days=20),
    )
    later = f.officer(
        personas.county_a_brigade, valid_from=today, valid_to=today + datetime.timedelta(days=400)
    )
    renewed = f.officer(
        personas.county_a_brigade,
        valid_from=today - datetime.timedelta(days=1000),
        valid_to=today + datetime.timedelta(days=10),
    )
    f.certificate(
        renewed,
        valid_from=today + datetime.timedelta(days=11),
        valid_to=today + datetime.timedelta(days=2000),
    )
    elsewhere = f.officer(
        personas.county_b_brigade,
        valid_from=today - datetime.timedelta(days=1000),
        valid_to=today + datetime.timedelta(days=20),
    )
    lapsed = f.officer(
        personas.county_a_brigade,
        valid_from=today - datetime.timedelta(days=1000),
        valid_to=today - datetime.timedelta(days=3),
    )
    home = personas.client(personas.county_a_officer).get("/").content.decode()
    assert 'data-testid="panel-certificates"' in home
    assert soon.full_name in home
    assert later.full_name not in home
    assert renewed.full_name not in home
    assert elsewhere.full_name not in home
    assert "unverified" in home  # the 60-day window is an unverified default
    assert lapsed.full_name not in home
    assert "1 officer" in home
    assert (
        'data-testid="panel-certificates"'
        not in personas.client(personas.enterprise).get("/").content.decode()
    )
    listing = personas.client(personas.county_a_officer).get(
        reverse("registry:officer_list") + "?certificate=expiring"
    )
    assert soon.full_name in listing.content.decode()
    assert later.full_name not in listing.content.decode()


def test_certificate_conflict_and_training_pages(personas):
    officer = f.officer(personas.county_a_brigade, certified=False)
    reviewer = personas.client(personas.city_reviewer)
    response = reviewer.post(
        reverse("registry:certificate_create", kwargs={"pk": officer.pk}),
        {
            "number": "37080099",
            "issuer": "山东省人民政府",
            "valid_from": "2025-01-01",
            "valid_to": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert "before the start" in response.content.decode()
    response = reviewer.post(
        reverse("registry:certificate_create", kwargs={"pk": officer.pk}),
        {
            "number": "37080099",
            "issuer": "山东省人民政府",
            "valid_from": "2025-01-01",
            "valid_to": "2030-01-01",
        },
    )
    assert response.status_code == 302
    cert = officer.certificates.get()
    response = reviewer.post(
        reverse("registry:certificate_status", kwargs={"pk": cert.pk}),
        {"status": "suspended", "reason": "暂扣"},
    )
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "suspended"
    entity = f.entity(personas.county_a)
    officer_client = personas.client(personas.county_a_officer)
    response = officer_client.post(
        reverse("registry:conflict_create", kwargs={"pk": officer.pk}),
        {
            "uscc": entity.uscc,
            "kind": "relative",
            "source": "declared",
            "valid_from": "2025-01-01",
        },
    )
    assert response.status_code == 302
    response = officer_client.post(
        reverse("registry:conflict_create", kwargs={"pk": officer.pk}),
        {
            "uscc": f.make_uscc(),
            "kind": "relative",
            "source": "declared",
            "valid_from": "2025-01-01",
        },
    )
    assert "No registered entity" in response.content.decode()
    response = reviewer.post(
        reverse("registry:training_set", kwargs={"pk": officer.pk}),
        {"year": 2025, "hours": "40.5"},
    )
    assert response.status_code == 302
    assert str(officer.training.get(year=2025).hours) == "40.5"
    page = reviewer.get(
        reverse("registry:officer_detail", kwargs={"pk": officer.pk})
    ).content.decode()
    assert entity.name in page
    assert "40.5" in page


def test_officer_form_creates_an_officer(personas):
    client = personas.client(personas.city_reviewer)
    ric = f.make_ric(seq=777)
    response = client.post(
        reverse("registry:officer_create"),
        {
            "full_name": "表单员",
            "citizen_id": ric,
            "unit": personas.county_a_brigade.pk,
            "status": "active",
            "domains": ["mining", "fireworks"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    officer = selectors.officer_list(actor=personas.admin).get(citizen_id=ric)
    assert officer.domain_list == ["mining", "fireworks"]
    response = client.post(
        reverse("registry:officer_create"),
        {
            "full_name": "两边都选",
            "citizen_id": f.make_ric(seq=778),
            "unit": personas.county_a_brigade.pk,
            "external_agency": f.external_agency(personas.city).pk,
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "either" in response.content.decode()
