"""Officers' personal data shown by permission; region codes with their names."""

from __future__ import annotations

from django.urls import reverse

from fazhi.core.templatetags.fazhi_ui import mask_phone, region
from fazhi.registry.tests import factories as f


def test_an_officer_sees_a_colleagues_phone_masked_a_reviewer_whole(personas):
    officer = f.officer(personas.county_a_brigade, phone="13812345678")
    url = reverse("registry:officer_detail", args=[officer.pk])
    as_officer = personas.client(personas.county_a_officer).get(url).content.decode()
    assert "13812345678" not in as_officer
    assert "138****5678" in as_officer
    assert officer.citizen_id not in as_officer
    as_reviewer = personas.client(personas.city_reviewer).get(url).content.decode()
    assert "13812345678" in as_reviewer


def test_entity_region_code_comes_with_the_district_name(personas):
    entity = f.entity(personas.county_a, region_code="370811")
    html = (
        personas.client(personas.county_a_officer)
        .get(reverse("registry:entity_detail", args=[entity.pk]))
        .content.decode()
    )
    assert "370811 任城区" in html


def test_display_filters():
    assert region("370811") == "370811 任城区"
    assert region("999999") == "999999"
    assert mask_phone("0537-2345678") == "053*****5678"
    assert mask_phone("12345") == "*****"
