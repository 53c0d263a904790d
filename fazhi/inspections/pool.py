"""Freeze a task's pools from the database into the draw's canonical texts.

The database joins the pool lines the entity rows keep (docs/draw-algorithm.md
§2.1; ``registry.pool_line``, decision 0029), a range at a time on other
connections for a big pool (``pool_parallel``), so Python only parses bytes.
The exclusions the inspection history decides on the task's date are read by
a second, small statement and written into the lines (``draw.pool_exclude``).
The officers and barred pairs are small and read through the ORM.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from django.db import connection
from django.db.models import Max, Q

from fazhi.core.clocks import add_months
from fazhi.core.models import OrgUnit
from fazhi.inspections import draw, pool_parallel, pool_pg
from fazhi.inspections.choices import Exclusion, InspectionRuleCode, InspectionState
from fazhi.inspections.common import Progress
from fazhi.inspections.models import DrawSnapshot, Inspection, InspectionTask
from fazhi.inspections.rules import rule_value
from fazhi.registry.choices import OfficerStatus
from fazhi.registry.models import ConflictOfInterest, EnforcementCertificate

OWN_GROUP = "own"

# Statuses in which an inspection counts as done (for the window and the cap).
_DONE = Q(ended_on__isnull=False) & ~Q(state=InspectionState.PLANNED)


@dataclass(frozen=True)
class Frozen:
    """The four texts of a commitment, parsed where the draw needs it."""

    pool: draw.Pool
    officers: draw.Officers
    pairs: draw.Pairs
    params: draw.DrawParams
    params_bytes: bytes
    # The pool text compressed for the snapshot, while the rest is read, and
    # its columns (``_columns_pack``) when the ranges read made them.
    pool_packed: Callable[[], bytes] | None = None
    columns_packed: bytes | None = None
    # The SHA-256 of ``pool.data`` when it was taken as the ranges came.
    pool_sha256: str | None = None

    @property
    def commitment(self) -> str:
        return draw.commitment_of_digests(
            pool=self.pool_sha256 or draw.sha256_hex(self.pool.data),
            officers=draw.sha256_hex(self.officers.data),
            pairs=draw.sha256_hex(self.pairs.data),
            params=draw.sha256_hex(self.params_bytes),
        )


def group_of_agency(agency_id: int) -> str:
    return f"ext-{agency_id}"


def _scope_sql(task: InspectionTask) -> tuple[str, list[Any]]:
    """The WHERE clause of the task's scope over ``registry_entity e``.

    The agencies in scope are listed by id (a handful of units), so the
    database scans the entities without joining the org tree for each row.
    """
    units = [
        str(pk)
        for pk in OrgUnit.objects.filter(path__startswith=task.unit.path).values_list(
            "pk", flat=True
        )
    ]
    # SQLite: the unary "+" keeps the planner on the table itself, read in id
    # order, instead of the agency index (whose order would need a sort).
    plus = "+" if connection.vendor == "sqlite" else ""
    agencies = ", ".join(units)
    clauses = ["e.merged_into_id IS NULL", f"{plus}e.supervising_agency_id IN ({agencies})"]
    params: list[Any] = []
    scope = task.scope or {}
    for field, column in (
        ("region_codes", "e.region_code"),
        ("industry_sections", "e.industry_section"),
        ("kinds", "e.kind"),
    ):
        values = [str(v) for v in scope.get(field, []) if v]
        if values:
            clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params += values
    bits = int(scope.get("category_bits", 0) or 0)
    if bits:
        clauses.append("(e.category_bits & %s) != 0")
        params.append(bits)
    return " AND ".join(clauses), params


def entity_count(task: InspectionTask) -> int:
    """How many entities the task's scope holds (to decide whether to run in the background)."""
    where, params = _scope_sql(task)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM registry_entity e WHERE {where}", params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _pool_sql(task: InspectionTask) -> tuple[Callable[[str], str], list[Any]]:
    """The statement joining the task's pool lines, as the rows keep them, into one value.

    Each row keeps its line (``registry.pool_line``): the statement only
    joins them. Returned as a function of one more condition on ``e`` (a
    block range on PostgreSQL, see ``pool_pg``; ``1 = 1`` for the whole table).
    """
    where, params = _scope_sql(task)
    if connection.vendor == "postgresql":
        joined = "string_agg(line, '')"
        # PostgreSQL sorting a million rows costs more than putting the lines
        # in order afterwards, when they are not.
        order = ""
    else:
        # SQLite keeps a subquery's order in group_concat: ascending id is
        # the table's own order (no sort).
        joined = "CAST(group_concat(line, '') AS BLOB)"
        order = "ORDER BY e.id"

    def sql(condition: str) -> str:
        return f"""
        SELECT {joined} FROM (SELECT e.pool_line AS line FROM registry_entity e
        WHERE {where} AND {condition} {order}) p
    """

    return sql, params


def history_rows(task: InspectionTask) -> list[tuple[int, str]]:
    """Entities the inspection history excludes on the task's date, with the code.

    The yearly cap comes before a recent inspection (docs §2.1); a row's own
    exclusion (not in business, key plan) comes before both and is already
    in its line. In ascending entity id.
    """
    on = task.reference_date
    window = rule_value(InspectionRuleCode.RECENT_WINDOW, unit=task.unit, on=on)
    cap = rule_value(InspectionRuleCode.YEARLY_CAP, unit=task.unit, on=on)
    if cap <= 0:  # every entity has reached a cap of none
        return [(pk, str(Exclusion.CAP)) for pk in _all_ids(task)]
    since, _clamped = add_months(on, -window)
    year_start = datetime.date(on.year, 1, 1)
    in_year = "SUM(CASE WHEN ended_on >= %s THEN 1 ELSE 0 END)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT entity_id, CASE WHEN {in_year} >= %s THEN %s ELSE %s END
            FROM {Inspection._meta.db_table}
            WHERE ended_on IS NOT NULL AND state != %s
            GROUP BY entity_id
            HAVING {in_year} >= %s OR MAX(ended_on) >= %s
            ORDER BY entity_id""",
            [
                year_start,
                cap,
                Exclusion.CAP,
                Exclusion.RECENT,
                InspectionState.PLANNED,
                year_start,
                cap,
                since,
            ],
        )
        return [(int(pk), str(code)) for pk, code in cursor.fetchall()]


def _all_ids(task: InspectionTask) -> list[int]:
    where, params = _scope_sql(task)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT e.id FROM registry_entity e WHERE {where} ORDER BY e.id", params)
        return [int(pk) for (pk,) in cursor.fetchall()]


def pool_parts[T](
    task: InspectionTask,
    then: Callable[[bytes], T],
    *,
    blocks: int | None = None,
    in_order: Callable[[T], None] | None = None,
) -> Callable[[], list[T]]:
    """Start reading the task's pool lines as its rows keep them; ``then`` of each range.

    The database joins the lines its rows keep (no million Python tuples);
    the inspection history's exclusions are not in them yet
    (``draw.pool_exclude``). A big pool is read a range at a time by other
    connections in the background (``pool_parallel``; on PostgreSQL
    ``blocks`` is the table's size, by default ``pool_pg.parallel_blocks``;
    0 reads one statement on either database), so the caller may read other
    things meanwhile; the returned callable waits, and passes each range's
    ``then`` to ``in_order`` in range order as it comes. The lines come in
    scan order, which is not always ascending id: ``draw.pool_sort`` puts
    them in order.
    """
    sql, args = _pool_sql(task)
    if connection.vendor == "postgresql":
        if blocks is None:
            blocks = pool_pg.parallel_blocks("registry_entity")
        if blocks:
            return pool_pg.read_parallel(
                lambda block_range: sql(pool_pg.ctid_clause("e", block_range)),
                args,
                pool_pg.block_ranges(blocks),
                then,
                in_order,
            )
    elif blocks != 0:
        ranges = pool_parallel.sqlite_ranges(*_scope_sql(task))
        if ranges:
            return pool_parallel.sqlite_read(
                sql("e.id >= %s AND e.id < %s"), args, ranges, then, in_order
            )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Read the table's pages mapped in memory rather than copied in by
            # a system call each: the scan of a million rows takes less time.
            cursor.execute(f"PRAGMA mmap_size = {pool_parallel.SQLITE_MMAP}")
        cursor.execute(sql("1 = 1"), args)
        row = cursor.fetchone()
    # PostgreSQL: text (a bytea would travel as hex, twice the bytes).
    text = b"" if not row or row[0] is None else row[0]
    result = [then(text.encode("utf-8") if isinstance(text, str) else bytes(text))]

    def done() -> list[T]:
        if in_order is not None:
            in_order(result[0])
        return result

    return done


def pool_reading(task: InspectionTask, *, blocks: int | None = None) -> Callable[[], bytes]:
    """Start reading the task's pool lines, in the table's order (see ``pool_parts``)."""
    parts = pool_parts(task, bytes, blocks=blocks)
    return lambda: b"".join(parts())


def pool_text(task: InspectionTask) -> bytes:
    """The task's pool lines as the rows keep them, in the table's order (see ``pool_reading``)."""
    return pool_reading(task)()


def pool_freeze(task: InspectionTask) -> draw.Pool:
    """The task's pool, canonical: lines in ascending id (docs §2.1)."""
    return draw.pool_exclude(draw.pool_sort(pool_text(task)), history_rows(task))


def officers_rows(task: InspectionTask) -> list[tuple[int, str, str]]:
    """Officers who may be drawn: in service, certified on the day, in scope.

    An officer's certificate number is the greatest of those valid that day.
    """
    on = task.reference_date
    agencies = list(task.joint_agencies.values_list("pk", flat=True))
    in_scope = Q(officer__unit__path__startswith=task.unit.path) | Q(
        officer__external_agency_id__in=agencies
    )
    certificates = EnforcementCertificate.objects.filter(
        in_scope,
        officer__status=OfficerStatus.ACTIVE,
        status="valid",
        valid_from__lte=on,
        valid_to__gte=on,
    ).values_list("officer_id", "officer__external_agency_id", "number")
    best: dict[int, tuple[str, str]] = {}
    for officer_id, agency_id, number in certificates:
        current = best.get(officer_id)
        if current is None or number > current[0]:
            group = group_of_agency(agency_id) if agency_id else OWN_GROUP
            best[officer_id] = (number, group)
    return [(pk, number, group) for pk, (number, group) in sorted(best.items())]


def pair_rows(task: InspectionTask, officer_ids: list[int]) -> list[tuple[str, int, int]]:
    """Conflicts active on the day, and each entity's last team (no one twice running)."""
    on = task.reference_date
    rows: list[tuple[str, int, int]] = []
    conflicts = ConflictOfInterest.objects.filter(
        officer_id__in=officer_ids, valid_from__lte=on
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    for officer_id, entity_id, merged in conflicts.values_list(
        "officer_id", "entity_id", "entity__merged_into_id"
    ):
        rows.append(("conflict", officer_id, merged or entity_id))
    latest = (
        Inspection.objects.filter(_DONE).values("entity").annotate(last=Max("pk")).values("last")
    )
    through = Inspection.officers.through
    for officer_id, entity_id in through.objects.filter(
        inspection_id__in=latest, officer_id__in=officer_ids
    ).values_list("officer_id", "inspection__entity_id"):
        rows.append(("previous", officer_id, entity_id))
    return rows


def freeze(
    task: InspectionTask, params: draw.DrawParams, *, on_progress: Progress | None = None
) -> Frozen:
    """Read everything the draw depends on, as of now, into canonical texts."""
    if on_progress:
        on_progress("pool", 0, 3)
    # A big pool is read, parsed and compressed by other connections'
    # threads, a range at a time: this connection reads the officers and
    # barred pairs meanwhile.
    history = history_rows(task)
    # The text's SHA-256 is taken a range at a time while the next are read.
    digest = hashlib.sha256()
    reading = pool_parts(
        task,
        functools.partial(pool_parallel.part_make, history=history),
        in_order=lambda part: digest.update(part.pool.data),
    )
    staff = officers_rows(task)
    pairs_read = pair_rows(task, [row[0] for row in staff])
    joined = pool_parallel.parts_join(reading())
    pool = joined.pool
    pool_sha256 = None
    if joined.packed is None:  # ranges out of order: sorted again, compressed again
        packed = _in_background(zlib.compress, pool.data, 1)  # zlib lets go of the GIL
    else:
        packed = functools.partial(bytes, joined.packed)
        pool_sha256 = digest.hexdigest()
    if on_progress:
        on_progress("officers", 1, 3)
    officers = draw.officers_from_rows(staff)
    pairs = draw.pairs_from_rows(pairs_read)
    if on_progress:
        on_progress("snapshot", 2, 3)
    return Frozen(
        pool, officers, pairs, params, params.to_bytes(), packed, joined.columns, pool_sha256
    )


def _in_background(fn: Callable[..., bytes], *args: Any) -> Callable[[], bytes]:
    """Start ``fn(*args)`` in a thread; the returned callable waits for its result."""
    result: list[bytes] = []
    thread = threading.Thread(target=lambda: result.append(fn(*args)), daemon=True)
    thread.start()

    def wait() -> bytes:
        thread.join()
        if not result:
            raise RuntimeError("compressing the pool failed")
        return result[0]

    return wait


def _columns_pack(pool: draw.Pool) -> bytes:
    """The parsed pool, compact: id gaps (mostly 1), strata, eligibility, zlib'd."""
    gaps = np.diff(pool.ids, prepend=np.int64(0))
    raw = b"".join(
        (
            gaps.astype("<i8").tobytes(),
            pool.strata.astype(np.int8).tobytes(),
            pool.eligible.astype(np.uint8).tobytes(),
        )
    )
    return zlib.compress(raw, 1)


def _columns_unpack(packed: bytes) -> draw.Pool:
    raw = zlib.decompress(packed)
    n = len(raw) // 10
    return draw.Pool(
        ids=np.cumsum(np.frombuffer(raw, "<i8", n), dtype=np.int64),
        strata=np.frombuffer(raw, np.int8, n, 8 * n).copy(),
        eligible=np.frombuffer(raw, np.uint8, n, 9 * n).astype(np.bool_),
        data=b"",
    )


def snapshot_save(task: InspectionTask, frozen: Frozen) -> DrawSnapshot:
    def pack(data: bytes) -> bytes:
        return zlib.compress(data, 1)

    snapshot = DrawSnapshot(
        task=task,
        pool=frozen.pool_packed() if frozen.pool_packed else pack(frozen.pool.data),
        officers=pack(frozen.officers.data),
        pairs=pack(frozen.pairs.data),
        params=pack(frozen.params_bytes),
        compressed=True,
        columns=frozen.columns_packed or _columns_pack(frozen.pool),
    )
    if connection.vendor != "postgresql":
        snapshot.save(force_insert=True)
        return snapshot
    # Binary parameters: Django binds values into the statement's text, where
    # the pool's megabytes would travel, and be parsed, as a hex literal.
    fields = list(DrawSnapshot._meta.concrete_fields)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%b"] * len(fields))
    values = [getattr(snapshot, f.attname) for f in fields]
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"INSERT INTO {DrawSnapshot._meta.db_table} ({names}) VALUES ({marks})", values
        )
    snapshot._state.adding = False
    snapshot._state.db = connection.alias
    return snapshot


def snapshot_load(task: InspectionTask, *, text: bool = True) -> Frozen:
    """Read the frozen texts back (exactly the committed bytes).

    With ``text=False`` the pool comes from its parsed columns, without its
    text (``pool.data`` is empty): what the draw needs, not a receipt.
    """
    query = DrawSnapshot.objects.filter(task=task)
    if not text:
        query = query.defer("pool")
    snap = query.get()

    def unpack(data: bytes | memoryview) -> bytes:
        raw = bytes(data)
        return zlib.decompress(raw) if snap.compressed else raw

    columns = bytes(snap.columns or b"")
    pool = _columns_unpack(columns) if columns and not text else draw.pool_parse(unpack(snap.pool))
    params_bytes = unpack(snap.params)
    return Frozen(
        pool=pool,
        officers=draw.officers_parse(unpack(snap.officers)),
        pairs=draw.pairs_parse(unpack(snap.pairs)),
        params=draw.params_parse(params_bytes),
        params_bytes=params_bytes,
    )
