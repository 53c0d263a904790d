"""Officers' personal data shown by permission; region codes with their names."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

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


def test_officers_are_listed_in_unit_order(personas):
    b = f.officer(personas.county_b_brigade, full_name="阿微山")
    a = f.officer(personas.county_a_brigade, full_name="张任城")
    city = f.officer(personas.city_detachment, full_name="王市局")
    page = personas.client(personas.city_reviewer).get(reverse("registry:officer_list"))
    names = [o.full_name for o, _cert in page.context["rows"]]
    ours = {b.full_name, a.full_name, city.full_name}
    expected = sorted((city, a, b), key=lambda officer: officer.unit.path if officer.unit else "")
    assert [n for n in names if n in ours] == [o.full_name for o in expected]


def test_history_names_the_system_in_words():
    from fazhi.core.templatetags.fazhi_ui import who

    with translation.override("zh-hans"):
        assert who("system") == "系统"
        assert who("张伟") == "张伟"


def test_states_are_tags_of_one_look_numbered_across_keyset_pages(personas):
    # Issue 14: consistent status tags; a 序号 column on keyset lists too.
    for n in range(3):
        f.entity(personas.county_a, status="revoked" if n == 0 else "active")
    client = personas.client(personas.admin)
    url = reverse("registry:entity_list")
    first = client.get(url, {"per_page": 2})
    html = first.content.decode()
    assert 'class="fz-tag fz-tag-ok" data-state="active"' in html
    page = first.context["page"]
    assert page.start_index == 1
    second = client.get(url, {"cursor": page.next_cursor})
    assert second.context["page"].start_index == 1 + len(page.items)
    assert '<td class="fz-seq">' in second.content.decode()
    tags = "".join(client.get(url, {"cursor": c}).content.decode() for c in ("", page.next_cursor))
    assert 'class="fz-tag fz-tag-bad" data-state="revoked"' in tags


def test_a_list_row_shows_categories_agency_key_badge_and_state_in_chinese(personas):
    """The rows are written from the page query's columns, not from entities."""
    from fazhi.registry.models import RegulatoryCategory

    dust = RegulatoryCategory.objects.get(code="dust_explosion").mask
    entity = f.entity(
        personas.county_a, category_bits=dust, key_supervision=True, risk_level="major"
    )
    client = personas.client(personas.admin)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("registry:entity_list")).content.decode()
    row = html.split(entity.name, 1)[1].split("</tr>", 1)[0]
    assert reverse("registry:entity_detail", args=[entity.pk]) in html
    assert "重点" in row
    assert "粉尘涉爆" in row
    assert "重大风险" in row
    assert personas.county_a.name in row
    assert 'data-state="active">正常</span>' in row
