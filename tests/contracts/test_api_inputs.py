"""Bad API input is a 4xx with a message, never a 500 (fazhi/core/api_types.py)."""

from __future__ import annotations

import pytest

from config.api import api
from fazhi.core.api_types import MAX_DB_ID
from fazhi.registry.tests import factories as registry_factories

BASE = "/api/v1"
HUGE = str(2**64)
JUST_OUT = str(MAX_DB_ID + 1)


@pytest.mark.parametrize("field", ["name", "address", "uscc", "region_code", "status"])
def test_patching_a_required_field_to_null_is_422_with_a_message(personas, field):
    entity = registry_factories.entity(personas.county_a)
    client = personas.client(personas.admin)
    response = client.patch(
        f"{BASE}/entities/{entity.pk}", {field: None}, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in str(response.json()["detail"])


@pytest.mark.parametrize(
    "url",
    [
        f"/units?limit={HUGE}",
        f"/units?offset={HUGE}",
        f"/users?offset={JUST_OUT}",
        f"/users?unit={HUGE}",
        f"/units/{HUGE}",
        f"/users/{JUST_OUT}",
        f"/laws?limit={HUGE}",
        f"/laws/{HUGE}",
        f"/powers/catalogs?agency={HUGE}",
        f"/powers/catalogs?year={HUGE}",
        f"/powers/items?catalog={HUGE}&offset={HUGE}",
        f"/powers/items/{HUGE}",
        f"/powers/catalogs/1/diff?against={HUGE}",
        f"/discretion/entries?law={HUGE}",
        f"/discretion/entries/{HUGE}",
        f"/entities?agency={HUGE}",
        f"/entities/{HUGE}",
        f"/officers?unit={HUGE}&limit={HUGE}",
        f"/officers/{HUGE}",
        f"/imports/{HUGE}",
    ],
)
def test_integers_beyond_the_database_range_are_422(personas, url):
    response = personas.client(personas.admin).get(BASE + url)
    assert response.status_code == 422, response.content
    assert response.json()["detail"]


def test_a_limit_above_the_maximum_is_refused_not_clamped_silently(personas):
    response = personas.client(personas.admin).get(f"{BASE}/units?limit=501")
    assert response.status_code == 422


def test_every_operation_documents_its_error_answers():
    schema = api.get_openapi_schema()
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = {str(code) for code in operation["responses"]}
            expected = set()
            if operation.get("security"):
                expected |= {"401", "403"}
            if "{" in path:
                expected |= {"404", "422"}
            if method in {"post", "patch", "put", "delete"}:
                expected |= {"400"}
            if operation.get("parameters") or "requestBody" in operation:
                expected |= {"422"}
            assert expected <= documented, (method, path, documented)
