"""The REST API: discretion entries and the calculator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fazhi.discretion.models import DiscretionEntry

pytestmark = pytest.mark.usefixtures("laws")


def _post(client: Any, path: str, payload: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(payload), content_type="application/json")


NATIONAL = "《应急管理行政处罚裁量权基准》（应急〔2024〕90号）"
SHANXI = "晋应急发〔2021〕260号"


def test_entries_list_filter_and_detail(personas, seeded) -> None:
    client = personas.client(personas.county_a_officer)
    body = client.get("/api/v1/discretion/entries?q=警示标志").json()
    assert [row["code"] for row in body["items"]] == ["AQ099-01", "AQ099-01"]
    assert {row["document"] for row in body["items"]} == {
        NATIONAL,
        "《适用《中华人民共和国安全生产法》行政处罚自由裁量基准（试行）》（晋应急发〔2021〕260号）",
    }
    example = DiscretionEntry.objects.get(code="AQ099-01", baseline__document_number=SHANXI)
    by_article = client.get(
        f"/api/v1/discretion/entries?article={example.penalty_basis_id}"
    ).json()
    assert {row["code"] for row in by_article["items"]} == {"AQ099-01"}
    assert client.get("/api/v1/discretion/entries?on=2020-01-01").json()["count"] == 0
    # The national entries apply from 2024-11-01; 山西's lapsed on 2024-10-31.
    in_2026 = client.get("/api/v1/discretion/entries?on=2026-01-01").json()["items"]
    assert SHANXI not in " ".join(row["document"] for row in in_2026)
    detail = client.get(f"/api/v1/discretion/entries/{example.pk}").json()
    assert detail["verified"] is False
    assert detail["is_example"] is True
    assert len(detail["tiers"]) == 5
    assert detail["tiers"][0]["verified"] is False
    person = next(
        fine for fine in detail["tiers"][0]["fines"] if fine["target"] == "responsible_person"
    )
    assert person["min_amount"] == "10000.00"
    assert [v["id"] for v in detail["versions"]] == [example.pk]
    assert client.get("/api/v1/discretion/entries?on=notadate").status_code == 422


def test_calculate_uses_only_the_adopted_baseline_and_names_it(personas, seeded) -> None:
    client = personas.client(personas.county_a_officer)
    payload = {
        "entry": "AQ099-01",
        "on": "2026-06-01",
        "facts": {"values": {"places_missing_sign": 3}, "circumstances": ["confessed"]},
    }
    body = _post(client, "/api/v1/discretion/calculate", payload).json()
    # The national entry (no published tiers yet): 从轻 of 安全生产法 Art. 99's 5万元以下.
    assert body["decision_class"] == "lenient"
    assert (body["range"]["lower"], body["range"]["upper"]) == ("0.00", "15000.00")
    assert body["tier"] is None
    assert body["document"] == NATIONAL
    assert {step["document"] for step in body["trace"]} == {NATIONAL}
    assert body["trace"][0]["article"].startswith("《中华人民共和国安全生产法》第九十九条")
    example = DiscretionEntry.objects.get(code="AQ099-01", baseline__document_number=SHANXI)
    refused = _post(
        client, "/api/v1/discretion/calculate", {"entry": example.pk, "on": "2024-06-01"}
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "entry"
    before = _post(client, "/api/v1/discretion/calculate", {**payload, "on": "2024-06-01"})
    assert before.status_code == 400  # the national baseline was not yet issued
    waived = _post(
        client,
        "/api/v1/discretion/calculate",
        {
            "entry": "AQ097-05",
            "facts": {"first_violation": True, "corrected_in_time": True, "harm": "minor"},
        },
    ).json()
    assert waived["decision_class"] == "may_waive"
    no_penalty = _post(
        client,
        "/api/v1/discretion/calculate",
        {
            "entry": "AQ097-04",
            "facts": {"minor_violation": True, "corrected_in_time": True, "harm": "none"},
        },
    ).json()
    assert no_penalty["decision_class"] == "no_penalty"
    assert no_penalty["range"] is None


def test_calculate_refuses_an_agency_without_adoptions(personas, seeded) -> None:
    from fazhi.discretion.models import BaselineAdoption

    BaselineAdoption.objects.filter(agency=personas.county_a).delete()
    response = _post(
        personas.client(personas.county_a_officer),
        "/api/v1/discretion/calculate",
        {"entry": "AQ099-01"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "entry"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"entry": "AQ099-01", "facts": {"target": "martian"}}, 422),
        ({"entry": "AQ099-01", "facts": {"harm": "apocalyptic"}}, 422),
        ({"entry": "AQ099-01", "facts": {"age": -3}}, 422),
        ({"entry": "AQ099-01", "facts": {"values": {"places_missing_sign": "many"}}}, 422),
        ({"entry": "NOPE", "facts": {}}, 400),
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


def test_seed_command_is_idempotent(laws) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("discretion_seed", stdout=out)
    assert "47 entries" in out.getvalue()
    call_command("discretion_seed", stdout=out)
    assert "0 entries" in out.getvalue()
    assert DiscretionEntry.objects.count() == 47


def test_openapi_schema_lists_the_discretion_endpoints(personas) -> None:
    schema = personas.client(personas.admin).get("/api/v1/openapi.json").json()
    for path in ("/api/v1/discretion/entries", "/api/v1/discretion/calculate"):
        assert path in schema["paths"]
