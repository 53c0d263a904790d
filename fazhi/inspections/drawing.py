"""The database side of a draw: parameters, freezing, writing the result, receipts.

The services in ``services.py`` check permission, lock the task, call these
and write the audit event in the same transaction. Nothing here decides who
is selected: that is ``draw.py``, a pure function of the frozen texts.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from itertools import repeat
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from fazhi.inspections import draw
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
    columns = _selection_columns(frozen.pool, result)
    if on_progress:
        on_progress("writing", len(columns[0]), len(columns[0]))
    _selections_insert(task.pk, columns)
    task.strata = [
        {"stratum": s.stratum, "eligible": s.eligible, "ratio_ppm": s.ratio_ppm, "quota": s.quota}
        for s in result.strata
    ]
    task.drawn_at = timezone.now()
    task.progress_done = task.progress_total = len(columns[0])
    return result


_Columns = tuple[list[int], list[int], list[str], list[str], list[str]]


def _selection_columns(pool: draw.Pool, result: draw.DrawResult) -> _Columns:
    """Entity, rank, stratum, sample and team of each inspected entity, in entity order.

    In entity order, the index and foreign-key lookups walk their B-trees in
    order instead of jumping (several times faster on a cold cache).
    """
    order = np.array(result.order, np.int64)
    by_entity = np.argsort(order, kind="stable")
    entities = order[by_entity]
    strata = np.array(draw.STRATA)[pool.strata[pool.ids.searchsorted(entities)]]
    main = by_entity < len(result.selected)  # the order lists the selected first
    control = np.isin(entities, np.array(result.control, np.int64))
    sample = np.where(
        main, np.where(control, Sample.BOTH.value, Sample.MAIN.value), Sample.CONTROL.value
    )
    teams = [str(team) for team in result.team_rows[by_entity].tolist()]  # "[1, 2]": JSON
    return entities.tolist(), (by_entity + 1).tolist(), strata.tolist(), sample.tolist(), teams


_COLUMNS = ("task_id", "entity_id", "rank", "stratum", "sample", "status", "team")
_COPY_PIECE = 20_000  # rows per piece: the server stores one while the next is written


def _selections_insert(task_id: int, columns: _Columns) -> None:
    """Write the selections: one streamed COPY on PostgreSQL, multi-row INSERTs on SQLite.

    The values are numbers and codes (no tab, newline or backslash), so
    COPY's text format takes them as they are.
    """
    table = TaskSelection._meta.db_table
    status = SelectionStatus.SELECTED.value
    if connection.vendor != "postgresql":
        rows = list(zip(repeat(task_id), *columns[:4], repeat(status), columns[4], strict=False))
        _rows_insert(table, _COLUMNS, rows)
        return
    names = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    entities, ranks, strata, samples, teams = columns
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for begin in range(0, len(entities), _COPY_PIECE):
            end = begin + _COPY_PIECE
            piece = zip(
                entities[begin:end],
                ranks[begin:end],
                strata[begin:end],
                samples[begin:end],
                teams[begin:end],
                strict=True,
            )
            text = "".join(
                [f"{task_id}\t{e}\t{r}\t{s}\t{m}\t{status}\t{t}\n" for e, r, s, m, t in piece]
            )
            copy.write(text.encode("utf-8"))


_VALUES_PER_STATEMENT = 7_000  # SQLite allows 32,766 parameters


def _rows_insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Write many rows at once on SQLite: multi-row INSERTs.

    A 5% draw of a million entities writes some 50,000 rows; through the ORM
    that alone would take longer than the whole draw.
    """
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        # The driver's own cursor, with its "?" marks: Django's conversion of
        # "%s" marks costs more than the insert itself on statements this long.
        raw = cursor.cursor
        mark = "(" + ", ".join(["?"] * len(columns)) + ")"
        size = max(1, _VALUES_PER_STATEMENT // len(columns))
        for begin in range(0, len(rows), size):
            chunk = rows[begin : begin + size]
            values = ", ".join([mark] * len(chunk))
            sqlite3.Cursor.execute(
                raw,
                f"INSERT INTO {table} ({names}) VALUES {values}",
                [value for row in chunk for value in row],
            )


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
