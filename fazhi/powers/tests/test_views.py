"""Pages: lists, item editing, publishing, general catalogs, the home panel."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from fazhi.core.models import AuditEvent
from fazhi.core.tests import factories as core
from fazhi.core.tests.factories import SYSTEM
from fazhi.powers import services
from fazhi.powers.models import PowerCatalog
from fazhi.powers.tests import factories as f
from fazhi.powers.usages import USAGE_PROVIDERS, Usage, power_item_usages

pytestmark = pytest.mark.usefixtures("laws")

ITEM_FORM = {
    "code": "CF-900",
    "name": "对生产经营单位未采取措施消除事故隐患的行政处罚",
    "power_type": "penalty",
    "basis_text": "《中华人民共和国安全生产法》第一百零二条",
    "responsibilities": "1.受理责任：受理。2.决定责任：决定。",
    "exercise_levels": ["city", "county"],
    "shared_with_counties": "on",
}


def test_lists_paginate_search_and_keep_queries_flat(
    personas, django_assert_max_num_queries
) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal, count=30)
    client = personas.client(personas.city_reviewer)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("powers:catalog_detail", args=[catalog.pk]))
    assert page.status_code == 200
    assert page.content.count(b"/powers/items/") >= 30
    found = client.get(reverse("powers:catalog_detail", args=[catalog.pk]), {"q": "行政处罚事项7"})
    assert len(re.findall(rb'href="/powers/items/\d+/"', found.content)) == 1
    listing = client.get(reverse("powers:catalog_list"), {"year": 2025})
    assert b"2025" in listing.content
    assert b'data-testid="catalog-table"' in listing.content
    bad = client.get(reverse("powers:catalog_list"), {"year": "soon"})
    assert bad.status_code == 200
    search = client.get(reverse("powers:item_list"), {"q": "行政处罚事项1", "per_page": 5})
    assert search.status_code == 200
    assert search.context["page_obj"].paginator.count == 11


def test_item_is_created_and_edited_through_the_form(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    client = personas.client(personas.city_reviewer)
    url = reverse("powers:item_create", args=[catalog.pk])
    refused = client.post(url, {**ITEM_FORM, "lead_unit": personas.county_a_brigade.pk})
    assert refused.status_code == 200
    assert refused.context["form"].errors["lead_unit"]
    unknown = client.post(
        url,
        {**ITEM_FORM, "lead_unit": personas.city_legal.pk, "basis_text": "《不存在的法》第一条"},
    )
    assert "basis_text" in unknown.context["form"].errors
    created = client.post(url, {**ITEM_FORM, "lead_unit": personas.city_legal.pk})
    assert created.status_code == 302
    item = catalog.items.get(code="CF-900")
    assert [d["stage"] for d in item.responsibilities] == ["acceptance", "decision"]
    assert item.basis_articles.get().number == 102
    edit = client.post(
        reverse("powers:item_edit", args=[item.pk]),
        {**ITEM_FORM, "lead_unit": personas.city_detachment.pk, "change_reason": "职能调整"},
    )
    assert edit.status_code == 302
    item.refresh_from_db()
    assert item.lead_unit == personas.city_detachment
    assert AuditEvent.objects.filter(
        verb="powers.poweritem.update", object_id=str(item.pk)
    ).exists()
    detail = client.get(reverse("powers:item_detail", args=[item.pk]))
    assert b"/laws/" in detail.content
    assert b"Not used yet." in detail.content


def test_officers_read_but_do_not_edit(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal, count=1)
    client = personas.client(personas.city_officer)
    assert client.get(reverse("powers:catalog_detail", args=[catalog.pk])).status_code == 200
    assert client.get(reverse("powers:item_create", args=[catalog.pk])).status_code == 403
    assert client.post(reverse("powers:catalog_publish", args=[catalog.pk])).status_code == 403


def test_publish_new_version_and_diff_pages(personas) -> None:
    client = personas.client(personas.city_reviewer)
    first = f.catalog(personas.city, 2025, personas.city_legal, count=2)
    assert client.get(reverse("powers:catalog_publish", args=[first.pk])).status_code == 405
    client.post(reverse("powers:catalog_publish", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == "published"
    response = client.post(
        reverse("powers:catalog_create"),
        {"agency": personas.city.pk, "year": 2026, "copy_previous": "on"},
    )
    second = PowerCatalog.objects.get(agency=personas.city, year=2026)
    assert response["Location"] == reverse("powers:catalog_detail", args=[second.pk])
    assert second.items.count() == 2
    duplicate = client.post(
        reverse("powers:catalog_create"), {"agency": personas.city.pk, "year": 2026}
    )
    assert duplicate.status_code == 200
    assert duplicate.context["form"].non_field_errors()
    item = second.items.order_by("code")[0]
    client.post(reverse("powers:item_remove", args=[item.pk]), {"reason": "职能划转"})
    diff = client.get(reverse("powers:catalog_diff", args=[second.pk]))
    assert b'data-testid="diff-sentence"' in diff.content
    assert diff.context["diff"].total == 1
    assert diff.context["diff"].removed[0].reason == "职能划转"


def test_derive_and_adopt_pages(personas) -> None:
    city = f.catalog(personas.city, 2026, personas.city_legal, count=2, publish=True)
    client = personas.client(personas.city_reviewer)
    client.post(reverse("powers:template_derive", args=[city.pk]), {"name": ""})
    template = city.derived_template
    assert template.items.count() == 2
    county_reviewer = core.user("a_reviewer", personas.county_a, "legal_reviewer")
    county = personas.client(county_reviewer)
    page = county.get(reverse("powers:template_adopt", args=[template.pk]))
    assert list(page.context["form"].fields["agency"].queryset) == [personas.county_a]
    wrong = county.post(
        reverse("powers:template_adopt", args=[template.pk]),
        {"agency": personas.county_a.pk, "lead_unit": personas.county_b_brigade.pk},
    )
    assert wrong.status_code == 200
    assert "lead_unit" in wrong.context["form"].errors
    done = county.post(
        reverse("powers:template_adopt", args=[template.pk]),
        {"agency": personas.county_a.pk, "lead_unit": personas.county_a_brigade.pk},
    )
    adopted = PowerCatalog.objects.get(agency=personas.county_a)
    assert done["Location"] == reverse("powers:catalog_detail", args=[adopted.pk])
    detail = client.get(reverse("powers:template_detail", args=[template.pk]))
    assert detail.context["adoptions"][0]["catalog"] == adopted
    changes = county.get(reverse("powers:catalog_local_changes", args=[adopted.pk]))
    assert changes.status_code == 200
    assert changes.context["changes"].total == 0
    assert county.get(reverse("powers:catalog_local_changes", args=[city.pk])).status_code == 404


def test_usage_registry_feeds_the_item_page(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal, count=1)
    item = catalog.items.get()
    assert power_item_usages(item=item) == []

    def inspections(power_item: Any) -> list[Usage]:
        return [
            Usage(kind="检查", label=f"{power_item.code} 检查记录", url="/inspections/", count=12)
        ]

    USAGE_PROVIDERS.append(inspections)
    try:
        assert power_item_usages(item=item) == [
            Usage("检查", f"{item.code} 检查记录", "/inspections/", 12)
        ]
        page = personas.client(personas.city_officer).get(
            reverse("powers:item_detail", args=[item.pk])
        )
        assert "检查记录".encode() in page.content
        assert b"Not used yet." not in page.content
        api = personas.client(personas.city_officer).get(f"/api/v1/powers/items/{item.pk}").json()
        assert api["usages"] == [
            {"kind": "检查", "label": f"{item.code} 检查记录", "url": "/inspections/", "count": 12}
        ]
    finally:
        USAGE_PROVIDERS.remove(inspections)


def test_home_panel_lists_drafts(personas) -> None:
    draft = f.catalog(personas.city, 2026, personas.city_legal, count=1)
    page = personas.client(personas.city_reviewer).get(reverse("home"))
    assert b'data-testid="powers-panel"' in page.content
    assert reverse("powers:catalog_detail", args=[draft.pk]).encode() in page.content
    services.catalog_publish(actor=SYSTEM, catalog=draft)
    assert (
        b"draft"
        not in personas.client(personas.city_reviewer)
        .get(reverse("home"))
        .content.split(b"powers-panel")[1][:2000]
    )
