"""The registry API: cursor pages, 422 field errors, imports, officers, 持证上岗 check."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhi.core.codes import mask_ric
from fazhi.core.tests.factories import SYSTEM
from fazhi.registry import services
from fazhi.registry.models import Entity, EntityChange
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def test_entity_pages_follow_the_cursor(personas):
    made = [f.entity(personas.county_a, risk_level="high" if n % 2 else "low") for n in range(7)]
    f.entity(personas.county_b, region_code="370826")
    client = personas.client(personas.county_a_officer)
    seen, url = [], f"{BASE}/entities?per_page=3"
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        url = (
            f"{BASE}/entities?per_page=3&cursor={body['next_cursor']}"
            if body["next_cursor"]
            else ""
        )
    assert seen == sorted((e.pk for e in made), reverse=True)
    body = client.get(f"{BASE}/entities?risk_level=high&per_page=50").json()
    assert body["count"] == 3
    assert not body["count_capped"]
    assert {item["risk_level"] for item in body["items"]} == {"high"}
    first = body["items"][0]
    assert first["supervising_agency"] == "任城区应急管理局"
    assert isinstance(first["categories"], list)
    assert client.get(f"{BASE}/entities?per_page=1000").status_code == 422


def test_entity_filters_take_the_short_names_too(personas):
    wanted = f.entity(personas.county_a, risk_level="major", credit_class="D")
    f.entity(personas.county_a, risk_level="major", credit_class="A")
    f.entity(personas.county_a, risk_level="low", credit_class="D")
    client = personas.client(personas.county_a_officer)
    body = client.get(f"{BASE}/entities?risk=major&credit=d").json()
    assert [item["id"] for item in body["items"]] == [wanted.pk]
    body = client.get(f"{BASE}/entities?risk_level=major&credit_class=D").json()
    assert [item["id"] for item in body["items"]] == [wanted.pk]


def test_create_returns_field_errors_as_422(personas):
    client = personas.client(personas.county_a_officer)
    payload = {
        "uscc": "91370811MA0000001A",
        "name": "",
        "region_code": "999999",
        "address": "任城区接口路1号",
        "supervising_agency_id": personas.county_a.pk,
    }
    response = client.post(f"{BASE}/entities", payload, content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {"uscc", "region_code", "name"} <= set(detail)
    payload |= {
        "uscc": f.make_uscc("370811"),
        "name": "济宁接口测试有限公司",
        "region_code": "370811",
        "categories": ["fireworks"],
    }
    created = client.post(f"{BASE}/entities", payload, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["categories"] == ["fireworks"]
    again = client.post(f"{BASE}/entities", payload, content_type="application/json")
    assert again.status_code == 422
    assert "uscc" in again.json()["detail"]
    bad_cat = client.post(
        f"{BASE}/entities",
        payload | {"uscc": f.make_uscc(), "categories": ["nope"]},
        content_type="application/json",
    )
    assert bad_cat.status_code == 422
    assert "categories" in bad_cat.json()["detail"]
    other = client.post(
        f"{BASE}/entities",
        payload | {"uscc": f.make_uscc(), "supervising_agency_id": personas.county_b.pk},
        content_type="application/json",
    )
    assert other.status_code == 422
    assert "supervising_agency_id" in other.json()["detail"]
    missing = client.post(f"{BASE}/entities", {"name": "x"}, content_type="application/json")
    assert missing.status_code == 422


def test_patch_updates_and_records_the_change(personas):
    entity = f.entity(personas.county_a)
    client = personas.client(personas.county_a_officer)
    response = client.patch(
        f"{BASE}/entities/{entity.pk}",
        {"risk_level": "major", "key_supervision": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["risk_level"] == "major"
    assert EntityChange.objects.get(entity=entity, kind="updated").diff["key_supervision"] == [
        False,
        True,
    ]
    assert (
        client.patch(
            f"{BASE}/entities/{entity.pk}", {"region_code": "1"}, content_type="application/json"
        ).status_code
        == 422
    )
    theirs = f.entity(personas.county_b, region_code="370826")
    assert client.get(f"{BASE}/entities/{theirs.pk}").status_code == 404
    assert (
        client.patch(
            f"{BASE}/entities/{theirs.pk}", {"name": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        personas.client(personas.leader)
        .patch(f"{BASE}/entities/{entity.pk}", {"name": "x"}, content_type="application/json")
        .status_code
        == 403
    )


def test_an_import_job_is_uploaded_polled_confirmed_and_reported(
    personas, tmp_path, django_capture_on_commit_callbacks
):
    path = f.write_csv(
        tmp_path / "api.csv",
        f.ENTITY_HEADERS,
        [f.entity_row(1), f.entity_row(2), {"单位名称": "坏行"}],
    )
    client = personas.client(personas.county_a_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/imports",
            {
                "file": SimpleUploadedFile("api.csv", path.read_bytes()),
                "kind": "entity",
                "unit_id": str(personas.county_a.pk),
            },
        )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    status = client.get(f"{BASE}/imports/{job_id}").json()
    assert status["status"] == "validated"
    assert (status["valid_rows"], status["error_rows"]) == (
        2,
        1,
    )
    assert Entity.objects.count() == 0
    report = client.get(status["report_url"])
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"{BASE}/imports/{job_id}/confirm")
    assert confirmed.status_code == 202
    assert client.get(f"{BASE}/imports/{job_id}").json()["created_count"] == 2
    assert Entity.objects.count() == 2
    assert client.post(f"{BASE}/imports/{job_id}/confirm").status_code == 409
    assert (
        personas.client(personas.county_b_officer).get(f"{BASE}/imports/{job_id}").status_code
        == 404
    )


def test_an_import_can_ask_to_import_at_once_only_if_clean(
    personas, tmp_path, django_capture_on_commit_callbacks
):
    client = personas.client(personas.county_a_officer)

    def upload(rows: list[dict[str, Any]], **fields: str) -> dict[str, Any]:
        path = f.write_csv(tmp_path / "api.csv", f.ENTITY_HEADERS, rows)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"{BASE}/imports",
                {"file": SimpleUploadedFile("api.csv", path.read_bytes()), **fields},
            )
        assert response.status_code == 202, response.content
        return client.get(f"{BASE}/imports/{response.json()['id']}").json()

    refused = upload([f.entity_row(1), {"单位名称": "坏行"}], import_if_clean="true")
    assert (refused["status"], refused["error_rows"]) == ("discarded", 1)
    assert not Entity.objects.exists()
    done = upload([f.entity_row(1), f.entity_row(2)], import_if_clean="true")
    assert (done["status"], done["created_count"]) == ("done", 2)
    both = client.post(
        f"{BASE}/imports",
        {
            "file": SimpleUploadedFile("api.csv", b"x"),
            "valid_only": "true",
            "import_if_clean": "true",
        },
    )
    assert both.status_code == 422
    assert "import_if_clean" in both.content.decode()


def test_an_upload_that_is_no_table_is_refused(personas):
    client = personas.client(personas.county_a_officer)
    response = client.post(
        f"{BASE}/imports", {"file": SimpleUploadedFile("x.exe", b"MZ\x00\x00"), "kind": "entity"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    response = client.post(
        f"{BASE}/imports", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n"), "kind": "nope"}
    )
    assert response.status_code == 422


def test_export_returns_a_workbook(personas):
    f.entity(personas.county_a)
    response = personas.client(personas.county_a_officer).get(
        f"{BASE}/entities/export?risk_level="
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_officer_certificate_check(personas):
    officer = f.officer(
        personas.county_a_brigade,
        valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2025, 12, 31),
    )
    client = personas.client(personas.county_a_officer)
    yes = client.get(f"{BASE}/officers/{officer.pk}/certified?on=2025-06-01").json()
    assert yes["certified"]
    assert yes["certificate"]["number"]
    assert yes["reason"] is None
    no = client.get(f"{BASE}/officers/{officer.pk}/certified?on=2026-01-01").json()
    assert not no["certified"]
    assert "expired on 2025-12-31" in no["reason"]
    assert no["certificate"] is None
    assert client.get(f"{BASE}/officers/{officer.pk}/certified?on=2026-13-01").status_code == 422
    services.certificate_set_status(
        actor=SYSTEM, certificate=officer.certificates.get(), status="suspended", reason="x"
    )
    assert not client.get(f"{BASE}/officers/{officer.pk}/certified?on=2025-06-01").json()[
        "certified"
    ]


def test_officer_list_masks_ids_per_permission(personas):
    officer = f.officer(personas.county_a_brigade)
    masked = personas.client(personas.county_a_officer).get(f"{BASE}/officers").json()["items"][0]
    assert masked["citizen_id"] == mask_ric(officer.citizen_id)
    full = (
        personas.client(personas.admin)
        .get(f"{BASE}/officers?certificate=valid")
        .json()["items"][0]
    )
    assert full["citizen_id"] == officer.citizen_id
    assert full["certificates"][0]["status_today"] == "valid"
    assert personas.client(personas.enterprise).get(f"{BASE}/officers").status_code == 403
