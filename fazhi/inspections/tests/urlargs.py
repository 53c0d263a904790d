"""Inspections entries for the permission matrix (see core's test_permission_matrix).

Each function creates, through the services, a record of county B and returns
the URL kwargs and ``scoped=True``: county A's officer must get 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from fazhi.core.actors import SystemActor
from fazhi.inspections import services
from fazhi.registry.tests import factories as rf

PUBLIC_URLS = {"inspections:verifier"}
ACTOR = SystemActor("matrix")
DAY = datetime.date(2026, 12, 8)


def _county_b(personas: Any) -> Any:
    unit = personas.county_b
    if not unit.doc_abbr:
        unit.doc_abbr = "微"
        unit.save(update_fields=["doc_abbr"])
    return unit


def _task(personas: Any, *, drawn: bool = False) -> Any:
    unit = _county_b(personas)
    task = services.task_create(
        actor=ACTOR, unit=unit, title="矩阵抽查", reference_date=DAY, seed_rule="3D", nonce_count=1
    )
    if drawn:
        rf.entity(unit, region_code="370826", credit_class="C", risk_level="major")
        for _ in range(2):
            rf.officer(personas.county_b_brigade)
        task = services.task_commit(actor=ACTOR, task=task)
        task = services.task_seed(actor=ACTOR, task=task, announced="1", nonces=["x"])
        task = services.task_draw(actor=ACTOR, task=task)
    return task


def _task_detail(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": _task(personas).pk}, True


def _task_receipt(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": _task(personas, drawn=True).pk}, True


def _plan(personas: Any) -> tuple[dict[str, Any], bool]:
    plan = services.plan_create(
        actor=ACTOR, unit=_county_b(personas), year=2026, title="微山县计划", working_days=248,
        officers=10,
    )  # fmt: skip
    return {"pk": plan.pk}, True


def _inspection(personas: Any) -> tuple[dict[str, Any], bool]:
    unit = _county_b(personas)
    inspection = services.inspection_create(
        actor=ACTOR,
        unit=unit,
        entity=rf.entity(unit, region_code="370826"),
        source="complaint",
        planned_on=DAY,
        officers=[rf.officer(personas.county_b_brigade) for _ in range(2)],
        items=[],
    )
    return {"pk": inspection.pk}, True


URL_ARGS = {
    "inspections:task_progress": _task_detail,
    "inspections:task_detail": _task_detail,
    "inspections:task_receipt": _task_receipt,
    "inspections:plan_detail": _plan,
    "inspections:inspection_detail": _inspection,
}
