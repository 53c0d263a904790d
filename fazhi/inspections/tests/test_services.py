"""Services: the task from commitment to receipt, inspections, clocks, bad input."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.db import connection

from fazhi.core.actors import SystemActor
from fazhi.core.audit import audit_verify
from fazhi.core.errors import Conflict, DomainError, NotAllowed
from fazhi.core.models import AuditEvent, Document, ObjectClock
from fazhi.core.tests.factories import SYSTEM
from fazhi.inspections import draw, selectors, services
from fazhi.inspections.choices import InspectionState, PublicationState, TaskState
from fazhi.inspections.demo import png
from fazhi.inspections.drawing import receipt_chunks, task_result
from fazhi.inspections.models import CheckItem, DrawSnapshot, Inspection, TaskSelection
from fazhi.registry import services as registry
from fazhi.registry.tests import factories as rf

DAY = datetime.date(2026, 12, 8)
ACTOR: Any = SystemActor("test")


@pytest.fixture(autouse=True)
def _actor(personas: Any) -> None:
    """Act as the system administrator: files (evidence, 文书) need a user."""
    global ACTOR
    ACTOR = personas.admin


@pytest.fixture
def items(personas: Any) -> list[CheckItem]:
    return [
        services.check_item_save(
            actor=ACTOR,
            unit=personas.city,
            code=f"AQ-0{i}",
            name=name,
            kind=kind,
            basis_text="《安全生产法》第四十一条",
            object_scope="危化品经营单位",
            method="on_site",
        )
        for i, (name, kind) in enumerate((("隐患排查治理", "key"), ("教育培训", "general")), 1)
    ]


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    a = personas.county_a
    entities = [
        rf.entity(a, credit_class=c, risk_level=r)
        for c, r in (("A", "low"), ("B", "high"), ("C", "major"), ("D", "moderate")) * 5
    ]
    officers = [rf.officer(personas.county_a_brigade) for _ in range(4)]
    uncertified = rf.officer(personas.county_a_brigade, certified=False)
    return {"unit": a, "entities": entities, "officers": officers, "uncertified": uncertified}


def make_task(unit: Any, **fields: Any) -> Any:
    values: dict[str, Any] = {
        "title": "危化品经营单位抽查",
        "reference_date": DAY,
        "seed_rule": "福彩3D 2026-12-07",
        "nonce_count": 2,
        "ratio_scale_pct": 300,
    }
    values.update(fields)
    return services.task_create(actor=ACTOR, unit=unit, **values)


def run_task(task: Any) -> Any:
    task = services.task_commit(actor=ACTOR, task=task)
    task = services.task_seed(actor=ACTOR, task=task, announced="4 0 7", nonces=["12", "34"])
    return services.task_draw(actor=ACTOR, task=task)


def receipt_of(task: Any) -> dict[str, Any]:
    return json.loads(b"".join(receipt_chunks(task)).decode("utf-8"))


def test_task_from_commitment_to_a_verified_receipt(world: dict[str, Any], items: Any) -> None:
    task = make_task(world["unit"], items=items)
    assert task.number.endswith("号")
    task = services.task_commit(actor=ACTOR, task=task)
    assert task.state == TaskState.COMMITTED
    assert len(task.commitment) == 64
    assert task.eligible_size == 20
    assert task.officer_count == 4  # the uncertified officer is not in the pool
    task = services.task_seed(actor=ACTOR, task=task, announced="4 0 7", nonces=["12", "34"])
    task = services.task_draw(actor=ACTOR, task=task)
    assert task.state == TaskState.DRAWN
    rows = list(TaskSelection.objects.filter(task=task))
    assert rows
    for row in rows:
        assert len(row.team) == 2
        assert world["uncertified"].pk not in row.team
    receipt = receipt_of(task)
    assert draw.receipt_verify(receipt).ok
    assert receipt["result"]["selected"] == [r.entity_id for r in rows if r.sample != "control"]
    assert audit_verify()[1] is None


def test_the_rows_written_are_the_draw_with_its_control_sample(world: Any) -> None:
    """Rank, stratum, sample and team of every row, as the draw recomputed gives them."""
    task = run_task(make_task(world["unit"], control_ppm=400_000))
    result = task_result(task)
    assert result.control
    rows = list(TaskSelection.objects.filter(task=task).order_by("rank"))
    assert [r.entity_id for r in rows] == result.order
    selected, control = set(result.selected), set(result.control)
    samples = {(True, True): "both", (True, False): "main", (False, True): "control"}
    for row in rows:
        position = int(result.pool.ids.searchsorted(row.entity_id))
        assert row.stratum == draw.STRATA[int(result.pool.strata[position])]
        assert row.sample == samples[(row.entity_id in selected, row.entity_id in control)]
        assert row.team == list(result.teams[row.entity_id])
        assert row.status == "selected"


def test_same_pool_and_seed_give_the_same_selection(world: dict[str, Any]) -> None:
    """The draw depends on the frozen texts only: SQLite and PostgreSQL agree.

    Here two tasks over the same pool, parameters and seed inputs: the pool
    texts are identical and so are the selections. The pure draw has a fixed
    known answer in test_draw, so both databases produce the same result.
    """
    one = run_task(make_task(world["unit"]))
    two = run_task(make_task(world["unit"]))
    pool_one = receipt_of(one)["pool"]
    assert pool_one == receipt_of(two)["pool"]
    first = [r.entity_id for r in one.selections.order_by("rank")]
    second = [r.entity_id for r in two.selections.order_by("rank")]
    # Different task numbers are parameters, so the seeds differ...
    assert one.seed != two.seed
    # ...but recomputing one task's draw from its receipt reproduces it exactly.
    receipt = receipt_of(one)
    assert draw.receipt_verify(receipt).selected == len(receipt["result"]["selected"])
    assert first
    assert second


def test_filters_that_match_nobody_refuse_the_commitment(world: dict[str, Any]) -> None:
    task = make_task(world["unit"], scope={"region_codes": ["110101"]})
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="No entity in the task's scope"):
        services.task_commit(actor=ACTOR, task=task)
    task.refresh_from_db()
    assert task.state == TaskState.DRAFT
    assert task.commitment == ""
    assert not DrawSnapshot.objects.filter(task=task).exists()
    assert AuditEvent.objects.count() == before
    assert audit_verify()[1] is None


def test_too_few_certified_officers_refuse_the_commitment(personas: Any) -> None:
    rf.entity(personas.county_b, credit_class="A", risk_level="low")
    rf.officer(personas.county_b_brigade)
    rf.officer(personas.county_b_brigade, certified=False)
    task = make_task(personas.county_b)
    with pytest.raises(DomainError, match="Too few certified officers"):
        services.task_commit(actor=ACTOR, task=task)
    task.refresh_from_db()
    assert task.state == TaskState.DRAFT


def test_team_smaller_than_the_registry_minimum_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(DomainError, match="at least 2 officers"):
        make_task(world["unit"], team_size=1)


def test_seed_before_commitment_and_a_second_draw_are_refused(world: dict[str, Any]) -> None:
    task = make_task(world["unit"])
    with pytest.raises(Conflict, match="after the commitment"):
        services.task_seed(actor=ACTOR, task=task, announced="1", nonces=["a", "b"])
    task = run_task(task)
    count = task.selections.count()
    with pytest.raises(Conflict, match="already been drawn"):
        services.task_draw(actor=ACTOR, task=task)
    with pytest.raises(Conflict, match="already fixed"):
        services.task_seed(actor=ACTOR, task=task, announced="2", nonces=["a", "b"])
    assert task.selections.count() == count
    assert audit_verify()[1] is None


def test_wrong_number_of_nonces_is_refused(world: dict[str, Any]) -> None:
    task = services.task_commit(actor=ACTOR, task=make_task(world["unit"]))
    with pytest.raises(DomainError, match="exactly 2"):
        services.task_seed(actor=ACTOR, task=task, announced="1", nonces=["a"])


def test_replacement_is_recorded_and_verified(world: dict[str, Any]) -> None:
    task = run_task(make_task(world["unit"]))
    out = task.selections.order_by("rank").first()
    record = services.task_replace(
        actor=ACTOR, task=task, event={"type": "entity", "out": out.entity_id, "reason": "已注销"}
    )
    assert record.event["in"] != out.entity_id
    out.refresh_from_db()
    assert out.status == "replaced"
    receipt = receipt_of(task)
    assert receipt["replacements"][0]["out"] == out.entity_id
    assert draw.receipt_verify(receipt).ok


def test_a_declared_conflict_keeps_the_officer_off_that_team(world: dict[str, Any]) -> None:
    target = world["entities"][2]  # C/major: selected at a 100%+ ratio
    for officer in world["officers"][:2]:
        registry.conflict_record(
            actor=SYSTEM,
            officer=officer,
            entity=target,
            kind="relative",
            source="declared",
            valid_from=datetime.date(2025, 1, 1),
        )
    task = run_task(make_task(world["unit"], ratio_scale_pct=1000))
    row = TaskSelection.objects.get(task=task, entity=target)
    assert not {o.pk for o in world["officers"][:2]} & set(row.team)


# -- inspections --------------------------------------------------------------------------


def inspection_for(world: dict[str, Any], items: Any, **fields: Any) -> Inspection:
    values: dict[str, Any] = {
        "unit": world["unit"],
        "entity": world["entities"][0],
        "source": "complaint",
        "planned_on": datetime.date(2025, 9, 26),
        "officers": world["officers"][:2],
        "items": items,
    }
    values.update(fields)
    return services.inspection_create(actor=ACTOR, **values)


def finish(inspection: Inspection, *, hazards: bool, on: datetime.date) -> Inspection:
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="start", on=on
    )
    checks = {
        c.item_id: ("hazard" if hazards else "compliant", "") for c in inspection.checks.all()
    }
    inspection = services.inspection_record_save(
        actor=ACTOR, inspection=inspection, version=inspection.version, checks=checks,
        representative="周强",
    )  # fmt: skip
    if hazards:
        finding = services.finding_add(
            actor=ACTOR,
            inspection=inspection,
            description="未设置可燃气体报警装置",
            severity="general",
            provision="《安全生产法》第四十一条",
        )
        services.evidence_add(
            actor=ACTOR, inspection=inspection, upload=io.BytesIO(png()), name="photo.png",
            finding=finding,
        )  # fmt: skip
    for signer in ("officer", "representative"):
        inspection = services.signature_save(
            actor=ACTOR, inspection=inspection, signer=signer, png=png()
        )
    name = "finish_hazards" if hazards else "finish_clean"
    return services.inspection_transition(actor=ACTOR, inspection=inspection, name=name, on=on)


def test_results_publication_clock_skips_the_national_day_holiday(
    world: dict[str, Any], items: Any
) -> None:
    """Ended Fri 2025-09-26: 20 working days, counting the make-up Sunday 9-28
    and Saturday 10-11 and skipping 10-1…10-8, end on Thu 2025-10-30."""
    ended = datetime.date(2025, 9, 26)
    inspection = finish(inspection_for(world, items), hazards=False, on=ended)
    assert inspection.state == InspectionState.NO_HAZARDS
    assert inspection.publication_state == PublicationState.PENDING
    clock = ObjectClock.objects.get(object_id=inspection.pk, rule_code="inspection_result_publish")
    assert clock.due_on == datetime.date(2025, 10, 30)
    board = selectors.publication_overdue(actor=ACTOR, today=datetime.date(2025, 10, 31))
    assert [i.pk for i in board] == [inspection.pk]
    assert not selectors.publication_overdue(actor=ACTOR, today=datetime.date(2025, 10, 30))
    services.inspection_publish_results(
        actor=ACTOR, inspection=inspection, on=datetime.date(2025, 10, 29)
    )
    clock.refresh_from_db()
    assert clock.state == "stopped"
    assert not selectors.publication_overdue(actor=ACTOR, today=datetime.date(2025, 11, 30))


def test_hazards_rectification_reinspection_and_documents(
    world: dict[str, Any], items: Any
) -> None:
    on = datetime.date(2026, 11, 2)
    inspection = finish(inspection_for(world, items, planned_on=on), hazards=True, on=on)
    assert inspection.state == InspectionState.HAZARDS_FOUND
    record = Document.objects.get(object_id=str(inspection.pk), template__code="inspection_record")
    assert "检记" in record.number
    with pytest.raises(DomainError, match="in the past"):
        services.inspection_transition(
            actor=ACTOR, inspection=inspection, name="order_rectification",
            rectify_by=on - datetime.timedelta(days=1), on=on,
        )  # fmt: skip
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="order_rectification",
        rectify_by=on + datetime.timedelta(days=15), on=on,
    )  # fmt: skip
    order = Document.objects.get(
        object_id=str(inspection.pk), template__code="rectification_order"
    )
    assert "责改" in order.number
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="request_reinspection",
        on=on + datetime.timedelta(days=15),
    )  # fmt: skip
    from fazhi.core.errors import Refused

    with pytest.raises(Refused, match="not rectified"):
        services.inspection_transition(actor=ACTOR, inspection=inspection, name="close_rectified")
    finding = inspection.findings.get()
    services.finding_set_rectified(actor=ACTOR, finding=finding, rectified=True)
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="close_rectified"
    )
    assert inspection.state == InspectionState.CLOSED
    referral = services.finding_refer_to_case(actor=ACTOR, finding=finding, note="立案查处")
    assert referral.case_reference == ""
    with pytest.raises(Conflict):
        services.finding_refer_to_case(actor=ACTOR, finding=finding)
    assert audit_verify()[1] is None


def test_finish_is_refused_without_signatures_or_complete_checklist(
    world: dict[str, Any], items: Any
) -> None:
    from fazhi.core.errors import Refused

    inspection = inspection_for(world, items, planned_on=DAY)
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="start", on=DAY
    )
    with pytest.raises(Refused, match="checklist"):
        services.inspection_transition(
            actor=ACTOR, inspection=inspection, name="finish_clean", on=DAY
        )


def test_start_refused_for_an_uncertified_team(world: dict[str, Any], items: Any) -> None:
    from fazhi.core.errors import Refused

    inspection = inspection_for(
        world, items, officers=[world["officers"][0], world["uncertified"]], planned_on=DAY
    )
    with pytest.raises(Refused, match="certificate"):
        services.inspection_transition(actor=ACTOR, inspection=inspection, name="start", on=DAY)


def test_two_tablets_saving_the_same_inspection(world: dict[str, Any], items: Any) -> None:
    inspection = inspection_for(world, items, planned_on=DAY)
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="start", on=DAY
    )
    loaded = inspection.version
    services.inspection_record_save(
        actor=ACTOR, inspection=inspection, version=loaded, summary="平板一"
    )
    with pytest.raises(Conflict, match="another device"):
        services.inspection_record_save(
            actor=ACTOR, inspection=inspection, version=loaded, summary="平板二"
        )
    inspection.refresh_from_db()
    assert inspection.summary == "平板一"
    assert audit_verify()[1] is None


def test_county_officer_cannot_reach_another_countys_records(
    personas: Any, world: dict[str, Any], items: Any
) -> None:
    task = make_task(world["unit"])
    inspection = inspection_for(world, items, planned_on=DAY)
    b_client = personas.client(personas.county_b_officer)
    a_client = personas.client(personas.county_a_officer)
    assert a_client.get(f"/inspections/tasks/{task.pk}/").status_code == 200
    assert b_client.get(f"/inspections/tasks/{task.pk}/").status_code == 404
    assert b_client.get(f"/inspections/{inspection.pk}/").status_code == 404
    assert b_client.get(f"/api/v1/inspections/tasks/{task.pk}").status_code == 404
    assert b_client.get(f"/api/v1/inspections/{inspection.pk}").status_code == 404
    assert b_client.post(f"/api/v1/inspections/tasks/{task.pk}/commit").status_code == 404
    with pytest.raises(NotAllowed):
        services.task_commit(actor=personas.county_b_officer, task=task)
    listed = b_client.get("/api/v1/inspections/tasks").json()
    assert task.pk not in [t["id"] for t in listed["items"]]


def test_pool_read_is_one_query(world: dict[str, Any]) -> None:
    from django.test.utils import CaptureQueriesContext

    from fazhi.inspections.pool import pool_text

    task = make_task(world["unit"])
    with CaptureQueriesContext(connection) as queries:
        pool_text(task)
    selects = [q["sql"] for q in queries.captured_queries if "FROM registry_entity" in q["sql"]]
    assert len([sql for sql in selects if "pool_line" in sql]) == 1
    assert len(selects) <= 3  # and, on SQLite, the scope's first and last ids (pool_parallel)


def test_a_selected_entity_cannot_be_deleted(world: dict[str, Any]) -> None:
    """PROTECT holds without an index by entity (decision 0029)."""
    from django.db.models import ProtectedError

    from fazhi.registry.models import Entity

    task = run_task(make_task(world["unit"]))
    selected = task.selections.order_by("rank").first()
    assert selected is not None
    with pytest.raises(ProtectedError):
        Entity.objects.get(pk=selected.entity_id).delete()
