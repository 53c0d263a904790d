"""The entity list's cheaper paths give the same answers (issue 15).

A category filter read as the ``category_bits`` values stored with its bit
(SQLite), the API finding its page without the agency join, the table rows
written in Python, and the filter form's fixed selects written once per
language.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from fazhi.registry import selectors
from fazhi.registry.forms import EntityFilterForm
from fazhi.registry.keyset import count_estimate
from fazhi.registry.models import Entity, RegulatoryCategory
from fazhi.registry.selectors import EntityFilters
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def _mask(code: str) -> int:
    return RegulatoryCategory.objects.get(code=code).mask


def test_a_category_matches_every_entity_with_its_bit_and_no_other(personas):
    dust, mine, fireworks = _mask("dust_explosion"), _mask("non_coal_mine"), _mask("fireworks")
    both = f.entity(personas.county_a, category_bits=dust | mine)
    only_dust = f.entity(personas.county_a, category_bits=dust)
    only_mine = f.entity(personas.county_b, category_bits=mine)
    f.entity(personas.county_b, category_bits=0)

    def ids(code: str, actor=personas.admin, **more) -> set[int]:
        filters = EntityFilters(category=code, **more)
        return set(
            selectors.entity_list(actor=actor, filters=filters).values_list("id", flat=True)
        )

    assert ids("dust_explosion") == {both.pk, only_dust.pk}
    assert ids("non_coal_mine") == {both.pk, only_mine.pk}
    assert ids("fireworks") == set()  # no entity has the bit: nothing, not an error
    assert ids("no_such_category") == set()
    assert ids("non_coal_mine", actor=personas.county_a_officer) == {both.pk}
    assert ids("dust_explosion", risk_level="major") == set()
    # an entity given the category later is found at once
    Entity.objects.filter(pk=only_mine.pk).update(category_bits=mine | fireworks)
    assert ids("fireworks") == {only_mine.pk}


def test_the_api_finds_and_counts_its_page_without_the_agency_join(personas):
    for _ in range(3):
        f.entity(personas.county_a, risk_level="high")
    client = personas.client(personas.admin)
    client.get("/api/v1/entities?risk_level=high")
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/api/v1/entities?risk_level=high&per_page=2").json()
    assert body["count"] == 3
    assert {row["supervising_agency"] for row in body["items"]} == {personas.county_a.name}
    entity_queries = [q["sql"] for q in captured if "registry_entity" in q["sql"]]
    joined = [sql for sql in entity_queries if "JOIN" in sql]
    assert len(joined) == 1, entity_queries  # the page's rows only
    assert "LIMIT 3" in joined[0]


def test_the_rows_show_what_the_template_showed(personas):
    dust = _mask("dust_explosion")
    f.entity(personas.county_a, name="<b>A&B</b>化工", credit_class="", risk_level="")
    marked = f.entity(
        personas.county_a, category_bits=dust, risk_level="major", key_supervision=True
    )
    client = personas.client(personas.admin)
    html = client.get(reverse("registry:entity_list")).content.decode()
    rows = re.findall(r"<tr>\n(.*?)</tr>", html, re.S)
    assert len(rows) == 2
    newest, oldest = rows
    link = reverse("registry:entity_detail", args=[marked.pk])
    assert '<td class="fz-seq">1</td>' in newest
    assert f'<a href="{link}">{marked.name}</a> <span class="badge text-bg-danger">' in newest
    assert "<td>Major risk</td>" in newest
    assert '<td class="small">粉尘涉爆</td>' in newest
    assert '<td class="fz-seq">2</td>' in oldest
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;化工" in oldest
    assert "<b>A" not in oldest
    assert '<td class="small">—</td>' in oldest
    assert "<td>—</td><td>—</td>" in oldest
    assert 'data-state="active"' in oldest
    assert personas.county_a.name in oldest
    empty = client.get(reverse("registry:entity_list") + "?status=cancelled").content.decode()
    assert 'colspan="9"' in empty


def test_fixed_selects_keep_each_language_and_selection(personas):
    with translation.override("en"):
        english = str(EntityFilterForm({"risk_level": "high"}, actor=personas.admin)["risk_level"])
    with translation.override("zh-hans"):
        form = EntityFilterForm({"risk_level": "major"}, actor=personas.admin)
        chinese = str(form["risk_level"])
        again = str(EntityFilterForm(None, actor=personas.admin)["risk_level"])
    assert '<option value="high" selected>' in english
    assert "High risk" in english
    assert '<option value="major" selected>' in chinese
    assert "重大风险" in chinese
    assert chinese.count(" selected") == 1
    assert " selected" not in again.replace('<option value="" selected>', "")


def test_a_renamed_category_shows_in_the_filter_at_once(personas):
    form = EntityFilterForm(None, actor=personas.admin)
    assert "粉尘涉爆" in str(form["category"])
    RegulatoryCategory.objects.filter(code="dust_explosion").update(name="粉尘爆炸危险场所")
    renamed = str(EntityFilterForm(None, actor=personas.admin)["category"])
    assert "粉尘爆炸危险场所" in renamed
    assert "粉尘涉爆" not in renamed


def test_a_division_with_another_section_matches_nothing_without_a_query(personas):
    f.entity(personas.county_a, industry_division="26")  # 化学原料…: section C
    client = personas.client(personas.admin)
    assert client.get("/api/v1/entities?industry_section=C&industry_division=26").json()["count"]
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/api/v1/entities?industry_section=B&industry_division=26").json()
    assert body["count"] == 0
    assert not [q for q in captured if "registry_entity" in q["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statistics only")
def test_the_planner_knows_which_agencies_supervise_which_regions(personas):
    """Extended statistics (migration 0018): a region with another county's
    agency is expected to match almost nothing, so it is not walked."""
    for _ in range(30):
        f.entity(personas.county_a, region_code="370811")
        f.entity(personas.county_b, region_code="370826")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_entity")

    def expected(agency, region: str) -> int:
        listed = Entity.objects.filter(supervising_agency=agency, region_code=region)
        return count_estimate(listed) or 0

    assert expected(personas.county_b, "370811") <= 1
    assert expected(personas.county_a, "370811") >= 20
