"""The REST API: catalogs, items and diffs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fazhi.core.tests.factories import SYSTEM
from fazhi.powers import services
from fazhi.powers.choices import PowerType
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


def test_openapi_schema_lists_the_powers_endpoints(personas) -> None:
    schema = personas.client(personas.admin).get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/powers/catalogs",
        "/api/v1/powers/items/{item_id}",
        "/api/v1/powers/catalogs/{catalog_id}/diff",
    ):
        assert path in schema["paths"]
