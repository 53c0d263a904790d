"""Pages: lists, item editing, publishing, general catalogs, discretion forms, calculator."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from fazhi.core.models import AuditEvent
from fazhi.core.tests import factories as core
from fazhi.core.tests.factories import SYSTEM
from fazhi.powers import services
from fazhi.powers.models import DiscretionEntry, DiscretionRule, NoPenaltyItem, PowerCatalog
from fazhi.powers.seed import SHANXI_99_1_PUBLISHED
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
    assert AuditEvent.objects.filter(verb="powers.item_update", object_id=str(item.pk)).exists()
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


def _entry_post(
    tiers: list[tuple[int, tuple[int, int], tuple[int, int], tuple[int, int]]], **extra: str
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "SX-99-1",
        "violation": "未设置明显的安全警示标志",
        "penalty_basis_text": "《中华人民共和国安全生产法》第九十九条第（一）项",
        "legal_provision_text": "《中华人民共和国安全生产法》第三十五条",
        "effective_from": "2021-09-01",
        "ranges-TOTAL_FORMS": "3",
        "ranges-INITIAL_FORMS": "0",
        "tiers-TOTAL_FORMS": str(len(tiers)),
        "tiers-INITIAL_FORMS": "0",
        "fines-TOTAL_FORMS": str(3 * len(tiers)),
        "fines-INITIAL_FORMS": "0",
        **extra,
    }
    ranges = [
        ("unit", "initial", "", "50000"),
        ("unit", "uncorrected", "50000", "200000"),
        ("responsible_person", "uncorrected", "10000", "20000"),
    ]
    for i, (target, stage, low, high) in enumerate(ranges):
        data.update(
            {
                f"ranges-{i}-target": target,
                f"ranges-{i}-stage": stage,
                f"ranges-{i}-measure": "amount",
                f"ranges-{i}-min_amount": low,
                f"ranges-{i}-max_amount": high,
                f"ranges-{i}-min_inclusive": "on",
                f"ranges-{i}-max_inclusive": "on",
            }
        )
    n = 0
    for i, (order, fine, uncorrected, person) in enumerate(tiers):
        data.update(
            {
                f"tiers-{i}-order": order,
                f"tiers-{i}-name": f"{order}处",
                f"tiers-{i}-condition_kind": "numeric",
                f"tiers-{i}-condition_fact": "places_missing_sign",
                f"tiers-{i}-condition_lower": order,
                f"tiers-{i}-condition_upper": order,
                f"tiers-{i}-condition_lower_inclusive": "on",
                f"tiers-{i}-condition_upper_inclusive": "on",
                f"tiers-{i}-condition_text": f"{order}处未设置",
                f"tiers-{i}-verified": "on",
            }
        )
        for target, stage, (fine_low, fine_high) in (
            ("unit", "initial", fine),
            ("unit", "uncorrected", uncorrected),
            ("responsible_person", "uncorrected", person),
        ):
            data.update(
                {
                    f"fines-{n}-tier": order,
                    f"fines-{n}-target": target,
                    f"fines-{n}-stage": stage,
                    f"fines-{n}-measure": "amount",
                    f"fines-{n}-min_amount": fine_low,
                    f"fines-{n}-max_amount": fine_high,
                    f"fines-{n}-min_inclusive": "on",
                    f"fines-{n}-max_inclusive": "on",
                }
            )
            n += 1
    return data


def test_entry_form_shows_the_validators_problems_on_the_rows(personas, seeded) -> None:
    client = personas.client(personas.city_reviewer)
    rows = [
        (int(c.strip("≥")), fine, unc, person) for c, fine, unc, person in SHANXI_99_1_PUBLISHED
    ]
    response = client.post(reverse("powers:discretion_create"), _entry_post(rows))
    assert response.status_code == 200
    assert not DiscretionEntry.objects.filter(code="SX-99-1").exists()
    problems = [p.message for p in response.context["problems"]]
    assert any(m.startswith("Tier 1: the fine for Directly responsible persons") for m in problems)
    fines = response.context["fines"]
    assert fines.forms[2].errors["min_amount"]  # tier 1, persons
    assert fines.forms[5].errors["min_amount"]  # tier 2, persons
    assert b'data-testid="problems"' in response.content


def test_entry_form_saves_a_valid_entry_and_edits_it(personas, seeded) -> None:
    client = personas.client(personas.city_reviewer)
    rows = [
        (1, (10000, 10000), (50000, 50000), (10000, 10000)),
        (2, (10000, 20000), (50000, 80000), (10000, 15000)),
    ]
    response = client.post(reverse("powers:discretion_create"), _entry_post(rows))
    entry = DiscretionEntry.objects.get(code="SX-99-1")
    assert response["Location"] == reverse("powers:discretion_detail", args=[entry.pk])
    assert entry.penalty_basis is not None
    assert entry.penalty_basis.number == 99
    assert entry.tiers.count() == 2
    edit_page = client.get(reverse("powers:discretion_edit", args=[entry.pk]))
    assert edit_page.context["tiers"].initial[1]["order"] == 2
    new_version = client.post(
        reverse("powers:discretion_edit", args=[entry.pk]),
        _entry_post(rows[:1], effective_from="2026-02-01", as_new_version="on"),
    )
    assert new_version.status_code == 302
    assert DiscretionEntry.objects.filter(code="SX-99-1").count() == 2
    detail = client.get(new_version["Location"])
    assert len(detail.context["versions"]) == 2


def test_entry_detail_badges_unverified_tiers(personas, seeded) -> None:
    entry = DiscretionEntry.objects.get(code="AQ099-01")
    page = personas.client(personas.city_officer).get(
        reverse("powers:discretion_detail", args=[entry.pk])
    )
    assert page.content.count(b'data-testid="unverified"') == 3
    assert b'data-testid="penalty-article"' in page.content


def test_calculator_page_shows_class_range_and_trace(personas, seeded) -> None:
    entry = DiscretionEntry.objects.get(code="AQ099-01")
    client = personas.client(personas.county_a_officer)
    blank = client.get(reverse("powers:discretion_calculator"), {"entry": entry.pk})
    assert "fact_places_missing_sign" in blank.context["form"].fields
    page = client.get(
        reverse("powers:discretion_calculator"),
        {
            "entry": entry.pk,
            "target": "unit",
            "stage": "initial",
            "harm": "general",
            "fact_places_missing_sign": "5",
            "circumstances": "repeat_within_year",
        },
    )
    assert page.context["result"].decision_class == "severe"
    assert b'data-class="severe"' in page.content
    links = [link for _step, link in page.context["trace"] if link]
    assert any(link.startswith("/laws/") for link in links)
    bad = client.get(
        reverse("powers:discretion_calculator"),
        {"entry": entry.pk, "target": "principal", "stage": "initial", "harm": "general"},
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors


def test_no_penalty_list_and_rule_pages(personas, seeded) -> None:
    reviewer = personas.client(personas.city_reviewer)
    listing = reviewer.get(reverse("powers:no_penalty_list"), {"decision": "no_penalty"})
    assert [n.code for n in listing.context["object_list"]] == ["BYCF-002"]
    item = NoPenaltyItem.objects.get(code="BYCF-002")
    form = {
        name: getattr(item, name)
        for name in [
            "code",
            "entry_code",
            "matter",
            "basis_text",
            "circumstance_text",
            "no_penalty_basis_text",
            "decision",
            "max_harm",
            "condition_fact",
            "condition_upper",
            "issuing_document",
        ]
    }
    form.update(
        {
            "effective_from": "2022-01-01",
            "requires_corrected_in_time": "on",
            "condition_upper": "3",
        }
    )
    assert (
        reviewer.post(reverse("powers:no_penalty_edit", args=[item.pk]), form).status_code == 302
    )
    item.refresh_from_db()
    assert item.condition_upper == 3
    missing = reviewer.post(
        reverse("powers:no_penalty_create"), {**form, "code": "BYCF-9", "entry_code": "XX"}
    )
    assert "entry_code" in missing.context["form"].errors
    rule = DiscretionRule.objects.get(code="severe_band")
    rules_page = reviewer.get(reverse("powers:rule_list"))
    assert b"badge-unverified" in rules_page.content
    bad = reviewer.post(
        reverse("powers:rule_edit", args=[rule.pk]),
        {
            "code": "severe_band",
            "lower": "90",
            "upper": "80",
            "source": "x",
            "effective_from": "2022-07-29",
        },
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors
    officer = personas.client(personas.city_officer)
    assert officer.get(reverse("powers:rule_edit", args=[rule.pk])).status_code == 403


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
