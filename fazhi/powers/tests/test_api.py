"""The REST API: catalogs, items, diffs, discretion entries and the calculator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fazhi.core.tests.factories import SYSTEM
from fazhi.powers import services
from fazhi.powers.choices import PowerType
from fazhi.powers.models import DiscretionEntry
from fazhi.powers.tests import factories as f

pytestmark = pytest.mark.usefixtures("laws")


def _post(client: Any, path: str, payload: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(payload), content_type="application/json")


def test_catalogs_are_scoped_and_filterable(personas) -> None:
    city = f.catalog(personas.city, 2025, personas.city_legal, count=2, publish=True)
    f.catalog(personas.city, 2026, personas.city_legal, count=1)
    own = f.catalog(personas.county_a, 2026, personas.county_a_brigade, count=1)
    f.catalog(personas.county_b, 2026, personas.county_b_brigade, count=1)
    client = personas.client(personas.county_a_officer)
    body = client.get("/api/v1/powers/catalogs").json()
    assert body["count"] == 2
    assert {row["id"] for row in body["items"]} == {city.pk, own.pk}
    assert {row["item_count"] for row in body["items"]} == {2, 1}
    published = client.get("/api/v1/powers/catalogs?status=published").json()
    assert [row["id"] for row in published["items"]] == [city.pk]
    assert (
        client.get(f"/api/v1/powers/catalogs/{own.pk}").json()["agency_name"] == "任城区应急管理局"
    )
    assert client.get("/api/v1/powers/catalogs?status=bogus").status_code == 422


def test_items_filters_and_detail_with_basis_and_usages(personas) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal)
    item = f.item(
        catalog,
        personas.city_legal,
        code="XK-1",
        name="危险化学品经营许可",
        power_type=PowerType.LICENSING,
        basis_text="《危险化学品安全管理条例》第三十三条",
        shared_with_counties=False,
    )
    f.item(
        catalog,
        personas.city_detachment,
        code="JC-1",
        name="安全生产行政检查",
        power_type=PowerType.INSPECTION,
    )
    client = personas.client(personas.city_officer)
    rows = client.get(f"/api/v1/powers/items?catalog={catalog.pk}&power_type=licensing").json()[
        "items"
    ]
    assert [r["code"] for r in rows] == ["XK-1"]
    assert client.get("/api/v1/powers/items?shared=false").json()["count"] == 1
    assert (
        client.get(f"/api/v1/powers/items?lead_unit={personas.city_detachment.pk}").json()["count"]
        == 1
    )
    assert client.get("/api/v1/powers/items?q=检查").json()["items"][0]["code"] == "JC-1"
    detail = client.get(f"/api/v1/powers/items/{item.pk}").json()
    assert detail["lead_unit_name"] == "政策法规科"
    assert detail["basis_articles"][0]["citation"].endswith("第三十三条")
    assert detail["basis_articles"][0]["url"].startswith("/laws/")
    assert detail["usages"] == []
    other = personas.client(personas.county_b_officer)
    assert other.get(f"/api/v1/powers/items/{item.pk}").status_code == 404


def test_diff_endpoint_returns_the_sentence_and_changes(personas) -> None:
    old = f.catalog(personas.city, 2025, personas.city_legal)
    f.item(old, personas.city_legal, code="A", name="甲")
    f.item(old, personas.city_legal, code="B", name="乙")
    old = services.catalog_publish(actor=SYSTEM, catalog=old)
    new = services.catalog_create(actor=SYSTEM, agency=personas.city, year=2026)
    services.poweritem_remove(actor=SYSTEM, item=new.items.get(code="B"), reason="取消")
    services.poweritem_update(
        actor=SYSTEM, item=new.items.get(code="A"), name="甲（修订）", change_reason="规范名称"
    )
    f.item(new, personas.city_legal, code="C", name="丙")
    client = personas.client(personas.city_reviewer)
    body = client.get(f"/api/v1/powers/catalogs/{new.pk}/diff?against={old.pk}").json()
    assert (body["old_id"], body["new_id"], body["total"]) == (old.pk, new.pk, 3)
    assert body["sentence"].startswith("The 2026 edition adjusts 3 items against the 2025 edition")
    assert body["changed"][0]["fields"][0] == {
        "field": "name",
        "label": "Item name",
        "before": "甲",
        "after": "甲（修订）",
    }
    assert body["removed"][0]["reason"] == "取消"
    assert len(body["lines"]) == 3
    # Either order gives the same diff.
    assert (
        client.get(f"/api/v1/powers/catalogs/{old.pk}/diff?against={new.pk}").json()["total"] == 3
    )
    assert client.get(f"/api/v1/powers/catalogs/{new.pk}/diff").status_code == 422


def test_entries_list_filter_and_detail(personas, seeded) -> None:
    client = personas.client(personas.county_a_officer)
    body = client.get("/api/v1/discretion/entries?q=警示标志").json()
    assert [row["code"] for row in body["items"]] == ["AQ099-01"]
    entry = DiscretionEntry.objects.get(code="AQ099-01")
    by_article = client.get(f"/api/v1/discretion/entries?article={entry.penalty_basis_id}").json()
    assert {row["code"] for row in by_article["items"]} == {"AQ099-01"}
    assert client.get("/api/v1/discretion/entries?on=2020-01-01").json()["count"] == 0
    assert client.get("/api/v1/discretion/entries?on=2026-01-01").json()["count"] == 8
    detail = client.get(f"/api/v1/discretion/entries/{entry.pk}").json()
    assert detail["verified"] is False
    assert len(detail["tiers"]) == 5
    assert detail["tiers"][0]["verified"] is False
    person = next(
        fine for fine in detail["tiers"][0]["fines"] if fine["target"] == "responsible_person"
    )
    assert person["min_amount"] == "10000.00"
    assert [v["id"] for v in detail["versions"]] == [entry.pk]
    assert client.get("/api/v1/discretion/entries?on=notadate").status_code == 422


def test_calculate_by_code_and_by_id(personas, seeded) -> None:
    client = personas.client(personas.county_a_officer)
    payload = {
        "entry": "AQ099-01",
        "facts": {"values": {"places_missing_sign": 3}, "circumstances": ["confessed"]},
    }
    body = _post(client, "/api/v1/discretion/calculate", payload).json()
    assert body["decision_class"] == "lenient"
    assert (body["range"]["lower"], body["range"]["upper"]) == ("20000.00", "23000.00")
    assert body["tier"] == 3
    assert body["unverified"] is True
    assert body["trace"][0]["article"].startswith("《中华人民共和国安全生产法》第九十九条")
    entry = DiscretionEntry.objects.get(code="AQ097-04")
    waived = _post(
        client,
        "/api/v1/discretion/calculate",
        {
            "entry": entry.pk,
            "facts": {"first_violation": True, "corrected_in_time": True, "harm": "minor"},
        },
    ).json()
    assert waived["decision_class"] == "may_waive"
    no_penalty = _post(
        client,
        "/api/v1/discretion/calculate",
        {
            "entry": "AQ097-04",
            "facts": {
                "values": {"unrecorded_share": 4},
                "corrected_in_time": True,
                "harm": "none",
            },
        },
    ).json()
    assert no_penalty["decision_class"] == "no_penalty"
    assert no_penalty["range"] is None


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"entry": "AQ099-01", "facts": {"target": "martian"}}, 422),
        ({"entry": "AQ099-01", "facts": {"harm": "apocalyptic"}}, 422),
        ({"entry": "AQ099-01", "facts": {"age": -3}}, 422),
        ({"entry": "AQ099-01", "facts": {"values": {"places_missing_sign": "many"}}}, 422),
        ({"entry": "NOPE", "facts": {}}, 404),
        ({"entry": "AQ099-01", "facts": {"target": "principal"}}, 400),
        ({"entry": "AQ099-01", "facts": {"circumstances": ["unknown"]}}, 400),
        ({"entry": "AQ099-01", "facts": {"tier": 42}}, 400),
        ({"facts": {}}, 422),
    ],
)
def test_calculate_bad_input_is_a_4xx_with_a_reason(
    personas, seeded, payload: dict, status: int
) -> None:
    response = _post(
        personas.client(personas.city_officer), "/api/v1/discretion/calculate", payload
    )
    assert response.status_code == status
    assert response.json()["detail"]


def test_calculate_needs_the_view_permission(personas, seeded) -> None:
    response = _post(
        personas.client(personas.enterprise), "/api/v1/discretion/calculate", {"entry": "AQ099-01"}
    )
    assert response.status_code == 403


def test_openapi_schema_lists_the_powers_endpoints(personas) -> None:
    schema = personas.client(personas.admin).get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/powers/catalogs",
        "/api/v1/powers/items/{item_id}",
        "/api/v1/powers/catalogs/{catalog_id}/diff",
        "/api/v1/discretion/entries",
        "/api/v1/discretion/calculate",
    ):
        assert path in schema["paths"]


def test_seed_command_is_idempotent(laws) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("discretion_seed", stdout=out)
    assert "38 entries" in out.getvalue()
    call_command("discretion_seed", stdout=out)
    assert "0 entries" in out.getvalue()
    assert DiscretionEntry.objects.count() == 38
