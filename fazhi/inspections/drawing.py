"""The database side of a draw: parameters, freezing, writing the result, receipts.

The services in ``services.py`` check permission, lock the task, call these
and write the audit event in the same transaction. Nothing here decides who
is selected: that is ``draw.py``, a pure function of the frozen texts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from fazhi.inspections import draw, selection_rows
from fazhi.inspections.choices import InspectionRuleCode, Sample, SelectionStatus
from fazhi.inspections.common import Progress
from fazhi.inspections.models import DrawReplacement, InspectionTask, TaskSelection
from fazhi.inspections.pool import OWN_GROUP, Frozen, freeze, group_of_agency, snapshot_load
from fazhi.inspections.rules import ratio_matrix, rule_value
from fazhi.registry.services import team_min_officers


def task_params(task: InspectionTask) -> draw.DrawParams:
    """The draw parameters of a task, from the rules in force on its date."""
    on = task.reference_date
    team: list[tuple[str, int]] = [(OWN_GROUP, task.team_size)]
    if task.pk:
        team += [
            (group_of_agency(pk), task.joint_officers)
            for pk in task.joint_agencies.values_list("pk", flat=True)
        ]
    return draw.DrawParams(
        task=task.number,
        reference_date=on.isoformat(),
        ratios=ratio_matrix(unit=task.unit, on=on, scale_pct=task.ratio_scale_pct),
        floor_ppm=rule_value(InspectionRuleCode.PROBABILITY_FLOOR, unit=task.unit, on=on),
        control_ppm=task.control_ppm,
        team=tuple(sorted(team)),
        seed_rule=task.seed_rule,
        nonce_count=task.nonce_count,
    )


def minimum_team(task: InspectionTask) -> int:
    """The registry's minimum team size in force on the task's date (≥ 2)."""
    return team_min_officers(task.reference_date).value


def task_freeze(task: InspectionTask, *, on_progress: Progress | None = None) -> Frozen:
    """Freeze the pools and parameters; fill the task's commitment fields."""
    frozen = freeze(task, task_params(task), on_progress=on_progress)
    task.commitment = frozen.commitment
    task.pool_size = len(frozen.pool)
    task.eligible_size = int(frozen.pool.eligible.sum())
    task.officer_count = len(frozen.officers.ids)
    task.committed_at = timezone.now()
    return frozen


def task_draw_write(
    task: InspectionTask, *, on_progress: Progress | None = None
) -> draw.DrawResult:
    """Run the draw on the frozen pool and write one row per inspected entity."""
    frozen = snapshot_load(task, text=False)
    result = draw.draw_compute(
        pool=frozen.pool,
        officers=frozen.officers,
        pairs=frozen.pairs,
        params=frozen.params,
        seed=task.seed,
        on_progress=on_progress,
    )
    columns = selection_rows.columns_of(result)
    if on_progress:
        on_progress("writing", len(columns), len(columns))
    selection_rows.insert(task.pk, columns)
    task.strata = [
        {"stratum": s.stratum, "eligible": s.eligible, "ratio_ppm": s.ratio_ppm, "quota": s.quota}
        for s in result.strata
    ]
    task.drawn_at = timezone.now()
    task.progress_done = task.progress_total = len(columns)
    return result


def task_result(task: InspectionTask) -> draw.DrawResult:
    """Recompute the draw of a drawn task and replay its replacements."""
    frozen = snapshot_load(task, text=False)
    result = draw.draw_compute(
        pool=frozen.pool,
        officers=frozen.officers,
        pairs=frozen.pairs,
        params=frozen.params,
        seed=task.seed,
    )
    for replacement in task.replacements.order_by("seq"):
        draw.replacement_apply(result, replacement.event)
    return result


def replacement_write(
    task: InspectionTask, event: dict[str, Any], *, user: Any
) -> tuple[DrawReplacement, dict[str, Any]]:
    """Apply one replacement after the draw and record it (docs §8)."""
    result = task_result(task)
    outcome = draw.replacement_apply(result, event)
    frozen_pool = result.pool
    seq = task.replacements.count() + 1
    record = DrawReplacement.objects.create(task=task, seq=seq, event=outcome, recorded_by=user)
    if outcome["type"] == "entity":
        old = TaskSelection.objects.get(task=task, entity_id=outcome["out"])
        old.status = SelectionStatus.REPLACED
        old.save(update_fields=["status"])
        if outcome["in"] is not None:
            position = int(frozen_pool.ids.searchsorted(outcome["in"]))
            TaskSelection.objects.create(
                task=task,
                entity_id=outcome["in"],
                rank=task.selections.count() + 1,
                stratum=draw.STRATA[int(frozen_pool.strata[position])],
                sample=old.sample if old.sample != Sample.BOTH else Sample.MAIN,
                team=outcome["team"],
                replaces=old,
            )
    else:
        row = TaskSelection.objects.get(task=task, entity_id=outcome["entity"])
        row.team = [outcome["in"] if o == outcome["out"] else o for o in row.team]
        row.save(update_fields=["team"])
    return record, outcome


def receipt_dict(task: InspectionTask) -> dict[str, Any]:
    """The receipt of a drawn task (docs/draw-algorithm.md §9)."""
    frozen = snapshot_load(task)
    result = draw.draw_compute(
        pool=frozen.pool,
        officers=frozen.officers,
        pairs=frozen.pairs,
        params=frozen.params,
        seed=task.seed,
    )
    initial = draw.result_json(result)
    events = [r.event for r in task.replacements.order_by("seq")]
    return draw.receipt_build(
        pool=frozen.pool,
        officers=frozen.officers,
        pairs=frozen.pairs,
        params_bytes=frozen.params_bytes,
        commitment=task.commitment,
        announced=task.announced,
        nonces=task.nonces,
        seed=task.seed,
        result=initial,
        replacements=events,
        info={
            "task": task.number,
            "title": task.title,
            "agency": task.unit.name,
            "committed_at": task.committed_at.isoformat() if task.committed_at else None,
            "seeded_at": task.seeded_at.isoformat() if task.seeded_at else None,
            "drawn_at": task.drawn_at.isoformat() if task.drawn_at else None,
        },
    )


def receipt_chunks(task: InspectionTask) -> Iterator[bytes]:
    """The receipt as JSON bytes, in pieces (a big pool's receipt is tens of MB)."""
    receipt = receipt_dict(task)
    encoder = json.JSONEncoder(ensure_ascii=False, indent=None)
    for piece in encoder.iterencode(receipt):
        yield piece.encode("utf-8")
