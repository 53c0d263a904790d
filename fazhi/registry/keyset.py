"""Keyset pagination and cheap counts for lists that grow to a million rows.

A page is "the next N rows after id X" (newest first), so page 5,000 costs
the same as page 1 and no query counts the whole table: PostgreSQL's planner
estimate is shown as "about N", and elsewhere counting stops at a cap.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connections, transaction
from django.db.models import F, QuerySet

COUNT_CAP = 1000
# Below this many expected rows a filtered page is found through the filters'
# indexes and sorted, not by walking the primary key newest first: a rare or
# contradictory filter would walk the whole table looking for 25 rows.
SELECTIVE_ROWS = 1_000
# Between the two the planner's estimate may be far off (filters that never
# meet, like a region and another county's agency): the newest-first walk
# gets this long, then the page is found through the indexes instead. (10 ms
# was tried: contradictions got 15 ms faster, but a county's common filters
# whose walk needs 10–25 ms fell to a sort costing 60–90 ms.)
GUARDED_ROWS = 200_000
WALK_MS = 25
# A walk bounded by an agency (its covering index, ``filter_index.PG_COVER``)
# reads ~26 / (matches / the agency's entities) index entries: kept from this
# many expected matches on (a county's 90,000: ~25,000 entries, ~6 ms), and
# for this long; rarer mixes are sorted from the bloom index (~10 ms).
BOUNDED_ROWS = 100
BOUNDED_WALK_MS = 10
# SQLite: how much work one way of finding a filter's ids may do before the
# next is tried (virtual-machine steps: a seek through a fitting index takes
# well under a million at 1M rows, a scan of an index or the table 3–11
# million), and the indexes tried (``filter_index``, migration 0016).
SEEK_STEPS = 1_000_000
# After the planner's plan: the attributes' index first, which answers a
# rare value (status=cancelled) that SQLite's statistics (values per column,
# not per value) cannot tell from a common one, then the places' index.
INDEXES = ("registry_entity_filters_lite", "registry_entity_places_lite")


_CURSOR = re.compile(r"^([ab])(\d{1,19})(?:n(\d{1,9}))?$")


@dataclass
class Cursor:
    """Where a page starts: after (older than) or before (newer than) an id.

    ``rows`` counts the rows listed before the page's edge, so a page can
    number its rows (序号) without counting the table.
    """

    after: int | None = None
    before: int | None = None
    rows: int = 0

    @classmethod
    def parse(cls, value: str | None) -> Cursor:
        """Read "a123" (after id 123), "b123" (before id 123), "a123n50" (…, 50 rows
        listed before); ignore junk."""
        match = _CURSOR.match(value or "")
        if match is None:
            return cls()
        side, number, rows = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if side == "a":
            return cls(after=number, rows=rows)
        return cls(before=number, rows=rows)


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    per_page: int
    count: int | None = None
    count_is_estimate: bool = False
    count_capped: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    start: int = 0  # rows listed before this page (newest first)

    @property
    def start_index(self) -> int:
        """The 序号 of the page's first row."""
        return self.start + 1

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_cursor is not None


Shape = Callable[[QuerySet[Any]], QuerySet[Any]]


def keyset_page(
    items: QuerySet[Any], *, cursor: Cursor, per_page: int, shape: Shape | None = None
) -> KeysetPage:
    """Return one page of ``items`` ordered newest first (by id, descending).

    ``shape`` turns the page's query into the rows wanted (``values()`` with
    a joined column, say) after the matching ids are found: ``items`` stays
    the plain filtered query, so finding and counting them joins nothing.

    On PostgreSQL a filter the planner expects to match few rows is ordered
    by ``id + 0``: the same order, which the primary key cannot provide, so
    the rows come from the filters' indexes (the bloom index of migration
    0012, region, agency, name) and are sorted.
    """
    if items.query.where and connections[items.db].vendor == "sqlite":
        return _counted_page(items, cursor=cursor, per_page=per_page, shape=shape)
    plan = walk_plan(items, per_page) if items.query.where else None
    estimate = plan.rows if plan is not None else None
    if plan is not None and plan.bounded:
        page = _bounded_walk(items, plan, cursor=cursor, per_page=per_page, shape=shape)
    elif estimate is None or estimate >= GUARDED_ROWS:
        page = _keyset_page(items, cursor=cursor, per_page=per_page, key=F("id"), shape=shape)
    elif estimate < SELECTIVE_ROWS:
        page = _keyset_page(items, cursor=cursor, per_page=per_page, key=F("id") + 0, shape=shape)
    else:
        page = _walk_or_sort(items, cursor=cursor, per_page=per_page, shape=shape)
    if estimate is not None:
        page.extra["estimate"] = estimate  # with_count shows it
    return page


@dataclass
class WalkPlan:
    """PostgreSQL's plan for a page newest first: the rows it expects the
    filters to match, and whether it walks an index bounded by an equality
    (an agency's or a region's entries) rather than the whole primary key."""

    rows: int
    bounded: bool


def walk_plan(items: QuerySet[Any], per_page: int) -> WalkPlan | None:
    """Ask PostgreSQL how it would find the first page (None elsewhere).

    One ``EXPLAIN``, as the estimate alone cost: the node under the limit
    expects the whole query's rows.
    """
    connection = connections[items.db]
    if connection.vendor != "postgresql":
        return None
    query = items.order_by(F("id").desc()).values("id")[: per_page + 1]
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an id list left empty)
        return WalkPlan(0, bounded=False)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]["Plan"]
    node = top["Plans"][0] if top["Node Type"] == "Limit" and top.get("Plans") else top
    return WalkPlan(int(node["Plan Rows"]), bounded=_walks_bounded(node))


def _walks_bounded(node: dict[str, Any]) -> bool:
    """Whether the plan reads rows in id order from an index other than the
    primary key (led by an equality: an agency, a region), sorting nothing."""
    while node["Node Type"] in ("Gather Merge", "Result") and node.get("Plans"):
        node = node["Plans"][0]
    return node["Node Type"] in ("Index Scan", "Index Only Scan") and not node.get(
        "Index Name", ""
    ).endswith("_pkey")


def _bounded_walk(
    items: QuerySet[Any], plan: WalkPlan, *, cursor: Cursor, per_page: int, shape: Shape | None
) -> KeysetPage:
    """A page within one agency's (or region's) entries.

    Walking them newest first through the covering index
    (``filter_index.PG_COVER``) checks the filters without reading the
    table (the page's ids only; its rows are then read by id), so it is
    kept while the filters are expected to match at least ``BOUNDED_ROWS``,
    and for ``BOUNDED_WALK_MS``. Fewer (a rare or empty
    mix) would read every entry of the agency: the bloom and the other
    indexes find them faster, and the planner, which prices reading the
    covering index below them, is kept from it for that sort.
    """
    ids_only: Shape = lambda query: query.values("id")  # noqa: E731
    page = None
    if plan.rows >= BOUNDED_ROWS:
        page = _guarded(
            items, cursor=cursor, per_page=per_page, shape=ids_only, ms=BOUNDED_WALK_MS
        )
    if page is None:
        with transaction.atomic(using=items.db), connections[items.db].cursor() as db:
            db.execute("SET LOCAL enable_indexonlyscan = off")
            page = _keyset_page(
                items, cursor=cursor, per_page=per_page, key=F("id") + 0, shape=ids_only
            )
            db.execute("RESET enable_indexonlyscan")
    # the rows themselves, by id (the walk read only the index)
    ids = [_id(row) for row in page.items]
    rows = (shape or (lambda query: query))(items.filter(id__in=ids)).order_by(F("id").desc())
    page.items = list(rows) if ids else []
    return page


def _counted_page(
    items: QuerySet[Any], *, cursor: Cursor, per_page: int, shape: Shape | None
) -> KeysetPage:
    """SQLite, which estimates nothing: find the matching ids first (up to
    ``COUNT_CAP`` + 1), which also counts them.

    The ids come from the filter indexes (``filter_index``): a rare filter's
    few rows are found by seeking, a common one stops at the cap. SQLite
    knows only how many values a column has, not which are rare, so its
    plan gets ``SEEK_STEPS``; then each filter index is tried for as long;
    then the primary key is walked newest first. Few rows are then read by id and
    sorted; many are paged by the newest-first walk, which meets them soon.
    """
    matching = items.order_by().values_list("id", flat=True)[: COUNT_CAP + 1]
    ids = None
    for index in (None, *INDEXES):
        ids = _within(items.db, SEEK_STEPS, functools.partial(_ids_by, matching, index))
        if ids is not None:
            break
    if ids is None:
        ids = list(items.order_by("-id").values_list("id", flat=True)[: COUNT_CAP + 1])
    if len(ids) > COUNT_CAP:
        page = _keyset_page(items, cursor=cursor, per_page=per_page, key=F("id"), shape=shape)
        page.extra["counted"] = (COUNT_CAP, True)
    else:
        matches = items.filter(id__in=ids)
        page = _keyset_page(
            matches, cursor=cursor, per_page=per_page, key=F("id") + 0, shape=shape
        )
        page.extra["counted"] = (len(ids), False)
    return page


def _ids_by(matching: QuerySet[Any], index: str | None) -> list[int]:
    """The ids of ``matching``, read through ``index`` if named (SQLite's
    ``INDEXED BY``), else as the planner chooses.

    A column kept from the planner for the newest-first walk (``+column``,
    ``filter_index.Unindexed``) is given back to it: a covering index may
    seek on it.
    """
    try:
        sql, params = matching.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an id list left empty)
        return []
    table = f'"{matching.model._meta.db_table}"'
    if index:
        sql = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {index}", 1)
    sql = sql.replace(f"+{table}.", f"{table}.")
    with connections[matching.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _within[T](using: str, steps: int, run: Callable[[], T]) -> T | None:
    """Run a read on SQLite for at most ``steps`` virtual-machine steps; None
    if stopped. Steps, not seconds: the same plans pass on a busy machine."""
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    period = max(1, min(steps, 10_000))
    left = [steps // period]

    def tick() -> bool:
        left[0] -= 1
        return left[0] < 0

    raw.set_progress_handler(tick, period)
    try:
        return run()
    except OperationalError:  # "interrupted": a read leaves nothing to undo
        return None
    finally:
        raw.set_progress_handler(None, 0)


def _walk_or_sort(
    items: QuerySet[Any], *, cursor: Cursor, per_page: int, shape: Shape | None
) -> KeysetPage:
    """Walk the primary key for at most ``WALK_MS``, else sort the filtered rows."""
    page = _guarded(items, cursor=cursor, per_page=per_page, shape=shape, ms=WALK_MS)
    if page is None:
        page = _keyset_page(items, cursor=cursor, per_page=per_page, key=F("id") + 0, shape=shape)
    return page


def _guarded(
    items: QuerySet[Any], *, cursor: Cursor, per_page: int, shape: Shape | None, ms: int
) -> KeysetPage | None:
    """The page newest first as the planner walks it, if found within ``ms``."""
    connection = connections[items.db]
    try:
        with transaction.atomic(using=items.db), connection.cursor() as db:
            db.execute(
                "SELECT current_setting('statement_timeout'), "
                "set_config('statement_timeout', %s, true)",
                [f"{ms}ms"],
            )
            (previous, _now) = db.fetchone()
            page = _keyset_page(items, cursor=cursor, per_page=per_page, key=F("id"), shape=shape)
            db.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return page
    except OperationalError:  # canceled by the timeout; the savepoint undid the setting
        return None


def _id(row: Any) -> int:
    """A row's id, from a model instance or a ``values()`` dict."""
    return int(row["id"] if isinstance(row, dict) else row.id)


def _keyset_page(
    items: QuerySet[Any], *, cursor: Cursor, per_page: int, key: Any, shape: Shape | None = None
) -> KeysetPage:
    shaped = shape or (lambda query: query)
    if cursor.before is not None:
        newer = shaped(items.filter(id__gt=cursor.before).order_by(key.asc()))
        rows = list(newer[: per_page + 1])
        more_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        # Rows added since the numbering began would push it below 1: the
        # first page always starts at 1.
        start = max(cursor.rows - len(rows), 0) if more_newer else 0
        return KeysetPage(
            rows,
            next_cursor=f"a{_id(rows[-1])}n{start + len(rows)}" if rows else None,
            prev_cursor=f"b{_id(rows[0])}n{start}" if rows and more_newer else None,
            per_page=per_page,
            start=start,
        )
    page = items.filter(id__lt=cursor.after) if cursor.after is not None else items
    rows = list(shaped(page.order_by(key.desc()))[: per_page + 1])
    more_older = len(rows) > per_page
    rows = rows[:per_page]
    start = cursor.rows if cursor.after is not None else 0
    return KeysetPage(
        rows,
        next_cursor=f"a{_id(rows[-1])}n{start + len(rows)}" if rows and more_older else None,
        prev_cursor=f"b{_id(rows[0])}n{start}" if rows and cursor.after is not None else None,
        per_page=per_page,
        start=start,
    )


def count_capped(items: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Count up to ``cap`` + 1 rows; return (count, capped)."""
    n = items.order_by().values("id")[: cap + 1].count()
    return min(n, cap), n > cap


def count_estimate(items: QuerySet[Any]) -> int | None:
    """Return PostgreSQL's row estimate for ``items`` (None elsewhere)."""
    connection = connections[items.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = items.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an id list left empty)
        return 0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def with_count(page: KeysetPage, items: QuerySet[Any], cap: int = COUNT_CAP) -> KeysetPage:
    """Attach a count that never costs a scan of the whole table.

    A first page with no next page is its own exact count. Otherwise
    PostgreSQL's planner estimate is shown as "about N"; elsewhere (SQLite,
    small installations) rows are counted up to ``cap``.
    """
    first_page = page.prev_cursor is None
    if first_page and not page.has_next:
        page.count = len(page.items)
        return page
    if "counted" in page.extra:  # SQLite counted while finding the page
        counted, capped = page.extra["counted"]
        page.count, page.count_capped = min(counted, cap), capped or counted > cap
        return page
    estimate = page.extra["estimate"] if "estimate" in page.extra else count_estimate(items)
    if estimate is not None:
        page.count = max(estimate, len(page.items) + (1 if page.has_next else 0))
        page.count_is_estimate = True
        return page
    page.count, page.count_capped = count_capped(items, cap)
    return page
