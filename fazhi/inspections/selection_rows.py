"""Write a draw's selections: one row per inspected entity, at once.

A 5% draw of ten million entities writes some 590,000 rows. On PostgreSQL
they go in one COPY whose text numpy writes for all rows at once
(``copy_text``): formatting them a row at a time in Python cost more than
the draw itself. SQLite takes multi-row INSERTs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from fazhi.inspections import draw
from fazhi.inspections.choices import Sample, SelectionStatus
from fazhi.inspections.models import TaskSelection

# A sample's code by index: 0 main, 1 both, 2 control.
SAMPLES = (Sample.MAIN.value, Sample.BOTH.value, Sample.CONTROL.value)


@dataclass(frozen=True)
class Columns:
    """The selections as columns, in entity order."""

    entities: npt.NDArray[np.int64]
    ranks: npt.NDArray[np.int64]  # 1 = first in the draw order
    strata: npt.NDArray[np.int8]  # index into ``draw.STRATA``
    samples: npt.NDArray[np.int8]  # index into ``SAMPLES``
    teams: npt.NDArray[np.int64]  # one row of officer ids per entity

    def __len__(self) -> int:
        return len(self.entities)


def columns_of(result: draw.DrawResult) -> Columns:
    """Entity, rank, stratum, sample and team of each entity drawn, in entity order.

    In entity order, the index and foreign-key lookups walk their B-trees in
    order instead of jumping (several times faster on a cold cache).
    """
    pool = result.pool
    by_entity = np.argsort(result.drawn, kind="stable")  # positions ascend with ids
    positions = result.drawn[by_entity]
    main = by_entity < len(result.selected)  # the order lists the selected first
    chosen = result.ranking.control_chosen
    control = chosen[positions] if chosen is not None else np.zeros(len(positions), np.bool_)
    samples = np.where(main, np.where(control, 1, 0), 2).astype(np.int8)
    return Columns(
        entities=pool.ids[positions],
        ranks=by_entity.astype(np.int64) + 1,
        strata=pool.strata[positions],
        samples=samples,
        teams=result.team_rows[by_entity],
    )


_COLUMNS = ("task_id", "entity_id", "rank", "stratum", "sample", "status", "team")
_PIECE = 1 << 22  # bytes of COPY text per write: the server stores one while the next is sent


def insert(task_id: int, columns: Columns) -> None:
    """Write the selections: one COPY on PostgreSQL, multi-row INSERTs on SQLite."""
    table = TaskSelection._meta.db_table
    if connection.vendor != "postgresql":
        _rows_insert(table, _COLUMNS, _rows(task_id, columns))
        return
    names = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    text = memoryview(copy_text(task_id, columns))
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for begin in range(0, len(text), _PIECE):
            copy.write(text[begin : begin + _PIECE])


def _rows(task_id: int, columns: Columns) -> list[tuple[Any, ...]]:
    status = SelectionStatus.SELECTED.value
    strata = [draw.STRATA[s] for s in columns.strata.tolist()]
    samples = [SAMPLES[s] for s in columns.samples.tolist()]
    teams = [str(team) for team in columns.teams.tolist()]  # "[1, 2]": JSON
    values = (columns.entities.tolist(), columns.ranks.tolist(), strata, samples)
    return list(zip(repeat(task_id), *values, repeat(status), teams, strict=False))


def copy_text(task_id: int, columns: Columns) -> bytes:
    """The rows in COPY's text format, as ``_rows`` would print them, tab-separated.

    The values are numbers and codes (no tab, newline or backslash), so
    COPY's text format takes them as they are. A team is its JSON list.
    """
    fields: list[_Field] = [
        f"{task_id}\t".encode("ascii"),
        columns.entities,
        b"\t",
        columns.ranks,
        b"\t",
        (columns.strata, draw.STRATA),
        b"\t",
        (columns.samples, SAMPLES),
        f"\t{SelectionStatus.SELECTED.value}\t[".encode("ascii"),
    ]
    for i in range(columns.teams.shape[1]):
        fields += [b", "] if i else []
        fields.append(columns.teams[:, i])
    fields.append(b"]\n")
    return lines_text(len(columns), fields)


# A field of ``lines_text``: the same bytes on every line, non-negative
# integers written in decimal, or codes written as the strings they index.
_Field = bytes | npt.NDArray[np.int64] | tuple[npt.NDArray[np.int8], Sequence[str]]


def lines_text(count: int, fields: Sequence[_Field]) -> bytes:
    """``count`` lines, each the concatenation of its ``fields``: numpy, not a loop per line.

    Each field is written into a fixed-width slot of a byte matrix, padded
    with zero bytes (numbers on the left); the zero bytes are then dropped.
    The text itself may hold no zero byte.
    """
    slots: list[npt.NDArray[np.uint8]] = []
    for field in fields:
        if isinstance(field, bytes):
            slots.append(np.broadcast_to(np.frombuffer(field, np.uint8), (count, len(field))))
        elif isinstance(field, tuple):
            codes, names = field
            encoded = [name.encode("utf-8") for name in names]
            width = max(len(e) for e in encoded)
            table = np.zeros((len(encoded), width), np.uint8)
            for i, e in enumerate(encoded):
                table[i, : len(e)] = np.frombuffer(e, np.uint8)
            slots.append(table[codes])
        else:
            slots.append(_decimal(field.astype(np.int64, copy=False)))
    if not count:
        return b""
    matrix = np.hstack(slots) if slots else np.zeros((count, 0), np.uint8)
    flat = matrix.ravel()
    return flat[flat != 0].tobytes()


def _decimal(values: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """Each value's decimal digits, right-aligned in a slot padded with zero bytes."""
    if len(values) and int(values.min()) < 0:
        raise ValueError("negative values are not written")
    top = int(values.max()) if len(values) else 0
    width = len(str(top))
    out = np.zeros((len(values), width), np.uint8)
    rest = values.copy()
    for j in range(width):
        digit = (rest % 10).astype(np.uint8) + np.uint8(48)
        # The units digit always; the others while digits remain.
        out[:, width - 1 - j] = digit if j == 0 else np.where(rest > 0, digit, np.uint8(0))
        rest //= 10
    return out


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
