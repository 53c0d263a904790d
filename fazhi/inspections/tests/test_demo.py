"""The demo bureau's inspections: every state, a verified receipt, idempotent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fazhi.core import demo as core_demo
from fazhi.core.audit import audit_verify
from fazhi.inspections import demo, draw, selectors
from fazhi.inspections.drawing import receipt_chunks
from fazhi.inspections.models import AnnualPlan, Inspection, InspectionTask
from fazhi.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_demo_has_a_plan_a_drawn_task_and_inspections_in_every_state() -> None:
    ctx, _logins = core_demo.load()
    registry_demo.load(ctx)
    lines = demo.load(ctx)
    assert any(line.startswith("task ") for line in lines)
    plan = AnnualPlan.objects.get(unit=ctx.city)
    assert plan.state == "published"
    task = InspectionTask.objects.get(unit=ctx.city)
    assert task.state == "drawn"
    receipt = json.loads(b"".join(receipt_chunks(task)).decode("utf-8"))
    assert draw.receipt_verify(receipt).ok
    states = set(Inspection.objects.values_list("state", flat=True))
    assert {"planned", "in_progress", "hazards_found", "rectifying", "closed"} <= states
    agencies = set(Inspection.objects.values_list("unit__name", flat=True))
    assert {ctx.city.name, ctx.counties[0].name, ctx.counties[1].name} <= agencies
    assert selectors.publication_overdue(actor=ctx.admin)  # results late
    assert Inspection.objects.filter(state="rectifying", rectify_by__lt=task.reference_date)
    assert audit_verify()[1] is None
    assert demo.load(ctx) == ["already loaded"]
