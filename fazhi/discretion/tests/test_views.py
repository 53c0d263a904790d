"""Pages: discretion entry forms, the calculator, the no-penalty list and the rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fazhi.discretion.models import DiscretionEntry, DiscretionRule, NoPenaltyItem
from fazhi.discretion.tests.tables import SHANXI_99_1_PUBLISHED

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
    response = client.post(reverse("discretion:discretion_create"), _entry_post(rows))
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
    response = client.post(reverse("discretion:discretion_create"), _entry_post(rows))
    entry = DiscretionEntry.objects.get(code="SX-99-1")
    assert response["Location"] == reverse("discretion:discretion_detail", args=[entry.pk])
    assert entry.penalty_basis is not None
    assert entry.penalty_basis.number == 99
    assert entry.tiers.count() == 2
    edit_page = client.get(reverse("discretion:discretion_edit", args=[entry.pk]))
    assert edit_page.context["tiers"].initial[1]["order"] == 2
    new_version = client.post(
        reverse("discretion:discretion_edit", args=[entry.pk]),
        _entry_post(rows[:1], effective_from="2026-02-01", as_new_version="on"),
    )
    assert new_version.status_code == 302
    assert DiscretionEntry.objects.filter(code="SX-99-1").count() == 2
    detail = client.get(new_version["Location"])
    assert len(detail.context["versions"]) == 2


def test_entry_detail_badges_unverified_tiers(personas, seeded) -> None:
    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=True)
    page = personas.client(personas.city_officer).get(
        reverse("discretion:discretion_detail", args=[entry.pk])
    )
    assert page.content.count(b'data-testid="unverified"') == 3
    assert b'data-testid="penalty-article"' in page.content


def test_calculator_page_shows_class_range_and_trace(personas, seeded) -> None:
    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=False)
    client = personas.client(personas.county_a_officer)
    blank = client.get(reverse("discretion:discretion_calculator"), {"entry": entry.pk})
    assert "应急〔2024〕90号" in blank.content.decode()
    page = client.get(
        reverse("discretion:discretion_calculator"),
        {
            "entry": entry.pk,
            "target": "unit",
            "stage": "initial",
            "harm": "general",
            "circumstances": "repeat_within_year",
        },
    )
    assert page.context["result"].decision_class == "severe"
    assert b'data-class="severe"' in page.content
    links = [link for _step, link in page.context["trace"] if link]
    assert any(link.startswith("/laws/") for link in links)
    documents = {step.document for step, _link in page.context["trace"]}
    assert documents == {"《应急管理行政处罚裁量权基准》（应急〔2024〕90号）"}
    bad = client.get(
        reverse("discretion:discretion_calculator"),
        {"entry": entry.pk, "target": "principal", "stage": "initial", "harm": "general"},
    )
    assert bad.status_code == 200
    assert bad.context["form"].errors


def test_calculator_page_refuses_another_provinces_table(personas, seeded) -> None:
    example = DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=True)
    page = personas.client(personas.county_a_officer).get(
        reverse("discretion:discretion_calculator"),
        {"entry": example.pk, "target": "unit", "stage": "initial", "harm": "general"},
    )
    assert page.context["result"] is None
    assert page.context["form"].errors


def test_no_penalty_list_and_rule_pages(personas, seeded) -> None:
    reviewer = personas.client(personas.city_reviewer)
    listing = reviewer.get(reverse("discretion:no_penalty_list"), {"decision": "no_penalty"})
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
        reviewer.post(reverse("discretion:no_penalty_edit", args=[item.pk]), form).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.condition_upper == 3
    missing = reviewer.post(
        reverse("discretion:no_penalty_create"), {**form, "code": "BYCF-9", "entry_code": "XX"}
    )
    assert "entry_code" in missing.context["form"].errors
    rule = DiscretionRule.objects.get(code="severe_band")
    rules_page = reviewer.get(reverse("discretion:rule_list"))
    assert b"badge-unverified" in rules_page.content
    bad = reviewer.post(
        reverse("discretion:rule_edit", args=[rule.pk]),
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
    assert officer.get(reverse("discretion:rule_edit", args=[rule.pk])).status_code == 403
