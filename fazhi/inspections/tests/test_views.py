"""Pages and API: a user can do each step in the web UI and through /api/v1/."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.inspections import draw, services
from fazhi.inspections.demo import png
from fazhi.inspections.models import Inspection, InspectionTask
from fazhi.registry.tests import factories as rf

DAY = datetime.date(2026, 12, 8)


@pytest.fixture
def county(personas: Any) -> dict[str, Any]:
    a = personas.county_a
    for c, r in (("A", "low"), ("B", "high"), ("C", "major"), ("D", "moderate")) * 3:
        rf.entity(a, credit_class=c, risk_level=r)
    officers = [rf.officer(personas.county_a_brigade) for _ in range(3)]
    return {"unit": a, "officers": officers}


def test_task_pages_from_commitment_to_receipt(personas: Any, county: Any) -> None:
    client = personas.client(personas.county_a_officer)
    response = client.post(
        "/inspections/tasks/new/",
        {
            "title": "网页抽查",
            "reference_date": DAY.isoformat(),
            "team_size": 2,
            "joint_officers": 1,
            "ratio_scale_pct": 500,
            "control_pct": "0",
            "seed_rule": "福彩3D",
            "nonce_count": 1,
        },
    )
    assert response.status_code == 302
    task = InspectionTask.objects.get(title="网页抽查")
    url = f"/inspections/tasks/{task.pk}/"
    early = client.post(url, {"step": "seed", "announced": "1", "nonces": "x"})
    assert "after the commitment" in early.content.decode()
    task.refresh_from_db()
    assert task.state == "draft"  # the seed before the commitment was refused
    client.post(url, {"step": "commit"})
    page = client.get(url).content.decode()
    task.refresh_from_db()
    assert task.commitment in page
    client.post(url, {"step": "seed", "announced": "4 0 7", "nonces": "9"})
    client.post(url, {"step": "draw"})
    task.refresh_from_db()
    assert task.state == "drawn"
    page = client.get(url).content.decode()
    assert "receipt.json" in page
    receipt = json.loads(b"".join(client.get(f"{url}receipt.json").streaming_content))
    assert draw.receipt_verify(receipt).ok
    assert client.get("/inspections/verify_draw.py").status_code == 200
    client.post(url, {"step": "inspections"})
    assert Inspection.objects.filter(task=task).count() == task.selections.count()


def test_task_list_query_count_does_not_grow(personas: Any, county: Any) -> None:
    client = personas.client(personas.county_a_officer)
    for i in range(3):
        services.task_create(
            actor=personas.county_a_officer,
            unit=county["unit"],
            title=f"任务{i}",
            reference_date=DAY,
            seed_rule="3D",
        )
    client.get("/inspections/tasks/")  # the session's first request loads more
    with CaptureQueriesContext(connection) as few:
        assert client.get("/inspections/tasks/").status_code == 200
    for i in range(5):
        services.task_create(
            actor=personas.county_a_officer,
            unit=county["unit"],
            title=f"更多{i}",
            reference_date=DAY,
            seed_rule="3D",
        )
    with CaptureQueriesContext(connection) as more:
        assert client.get("/inspections/tasks/?q=任").status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)


def test_inspection_page_records_photo_signature_and_finishes(personas: Any, county: Any) -> None:
    user = personas.county_a_officer
    client = personas.client(user)
    item = services.check_item_save(
        actor=personas.admin, unit=personas.city, code="X1", name="隐患排查", kind="key",
        basis_text="《安全生产法》第四十一条", object_scope="全部", method="on_site",
    )  # fmt: skip
    inspection = services.inspection_create(
        actor=user,
        unit=county["unit"],
        entity=county["unit"].supervised_entities.first(),
        source="complaint",
        planned_on=datetime.date.today(),
        officers=county["officers"][:2],
        items=[item],
    )
    url = f"/inspections/{inspection.pk}/"
    client.post(url, {"step": "action", "action": "start"})
    inspection.refresh_from_db()
    assert inspection.state == "in_progress"
    client.post(
        url,
        {
            "step": "record",
            "version": inspection.version,
            f"check-{item.pk}": "hazard",
            "representative": "周强",
            "summary": "现场检查",
        },
    )
    client.post(
        url,
        {"step": "finding", "description": "报警装置缺失", "severity": "general",
         "provision": "《安全生产法》第四十一条"},
    )  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("hazard.png", png(), content_type="image/png")
    client.post(url, {"step": "evidence", "file": photo, "description": "东侧"})
    data = "data:image/png;base64," + base64.b64encode(png()).decode()
    for signer in ("officer", "representative"):
        client.post(url, {"step": "signature", "signer": signer, "png": data})
    client.post(url, {"step": "action", "action": "finish_hazards"})
    inspection.refresh_from_db()
    assert inspection.state == "hazards_found"
    assert inspection.evidence.count() == 1  # the photo; signatures are kept apart
    page = client.get(url).content.decode()
    assert "现场检查记录" in page


def test_api_plan_with_capacity_and_actions(personas: Any) -> None:
    client = personas.client(personas.city_officer)
    created = client.post(
        "/api/v1/inspections/plans",
        {"year": 2026, "title": "计划", "working_days": 248, "officers": 2,
         "other_enforcement_days": "100", "non_enforcement_days": "96"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    group = {"name": "重点", "kind": "key", "entities": 200, "frequency": 1,
             "days_per_inspection": "1", "officers_per_team": 2}  # fmt: skip
    body = client.post(
        f"/api/v1/inspections/plans/{pk}/groups", group, content_type="application/json"
    ).json()
    assert float(body["capacity"]["supply"]) == 300
    assert body["capacity"]["exceeds"] is True
    assert "400" in body["capacity"]["warnings"][0]
    moved = client.post(
        f"/api/v1/inspections/plans/{pk}/actions/submit_review",
        {},
        content_type="application/json",
    )
    assert moved.json()["state"] == "legal_review"
    refused = client.post(
        f"/api/v1/inspections/plans/{pk}/actions/pass_review", {"opinion": "同意"},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403  # an officer does not do the legal review
    reviewer = personas.client(personas.city_reviewer)
    passed = reviewer.post(
        f"/api/v1/inspections/plans/{pk}/actions/pass_review", {"opinion": "同意"},
        content_type="application/json",
    )  # fmt: skip
    assert passed.json()["state"] == "leader_approval"


def test_api_task_flow_and_a_stale_save_conflict(personas: Any, county: Any) -> None:
    client = personas.client(personas.county_a_officer)
    task = client.post(
        "/api/v1/inspections/tasks",
        {"title": "接口抽查", "reference_date": DAY.isoformat(), "seed_rule": "3D",
         "nonce_count": 1, "ratio_scale_pct": 1000},
        content_type="application/json",
    ).json()  # fmt: skip
    base = f"/api/v1/inspections/tasks/{task['id']}"
    seed = {"announced": "1", "nonces": ["a"]}
    early = client.post(f"{base}/seed", seed, content_type="application/json")
    assert early.status_code == 409
    assert client.post(f"{base}/commit").json()["commitment"]
    assert client.post(f"{base}/seed", seed, content_type="application/json").status_code == 200
    assert client.post(f"{base}/draw").json()["state"] == "drawn"
    assert client.post(f"{base}/draw").status_code == 409
    receipt = json.loads(b"".join(client.get(f"{base}/receipt").streaming_content))
    assert draw.receipt_verify(receipt).ok
    client.post(f"{base}/inspections")
    inspection = Inspection.objects.filter(task_id=task["id"]).order_by("pk")[0]
    url = f"/api/v1/inspections/{inspection.pk}"
    client.post(f"{url}/actions/start", {}, content_type="application/json")
    version = client.get(url).json()["version"]
    first = client.put(
        f"{url}/record", {"version": version, "summary": "一"}, content_type="application/json"
    )
    assert first.status_code == 200
    second = client.put(
        f"{url}/record", {"version": version, "summary": "二"}, content_type="application/json"
    )
    assert second.status_code == 409
    assert client.get(url).json()["summary"] == "一"


def test_home_panel_counts_inspections_in_scope_and_lists_the_officers_own(
    personas: Any, county: Any
) -> None:
    user = personas.county_a_officer
    mine = county["officers"][0]
    mine.user = user
    mine.save(update_fields=["user"])
    entities = list(county["unit"].supervised_entities.all()[:2])
    for entity, team in (
        (entities[0], county["officers"][:2]),
        (entities[1], county["officers"][1:]),
    ):
        services.inspection_create(
            actor=user, unit=county["unit"], entity=entity, source="complaint",
            planned_on=datetime.date.today(), officers=team, items=[],
        )  # fmt: skip
    html = personas.client(user).get("/").content.decode()
    assert 'data-testid="panel-inspections"' in html
    assert "2 planned" in html
    mine_list = html.split('data-testid="panel-inspections-mine"')[1].split("</ul>")[0]
    assert entities[0].name in mine_list
    assert entities[1].name not in mine_list
    # Another county's officer sees none of them.
    other = personas.client(personas.county_b_officer).get("/").content.decode()
    assert "0 planned" in other
