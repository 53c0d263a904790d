"""Keyset pagination and cheap counts for lists that grow to a million rows.

A page is "the next N rows after id X" (newest first), so page 5,000 costs
the same as page 1 and no query counts the whole table: PostgreSQL's planner
estimate is shown as "about N", and elsewhere counting stops at a cap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import QuerySet

COUNT_CAP = 1000


@dataclass
class Cursor:
    """Where a page starts: after (older than) or before (newer than) an id."""

    after: int | None = None
    before: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> Cursor:
        """Read "a123" (after id 123) or "b123" (before id 123); ignore junk."""
        if not value or len(value) < 2 or value[0] not in "ab" or not value[1:].isdigit():
            return cls()
        number = int(value[1:])
        return cls(after=number) if value[0] == "a" else cls(before=number)


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

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_cursor is not None


def keyset_page(items: QuerySet[Any], *, cursor: Cursor, per_page: int) -> KeysetPage:
    """Return one page of ``items`` ordered newest first (by id, descending)."""
    if cursor.before is not None:
        rows = list(items.filter(id__gt=cursor.before).order_by("id")[: per_page + 1])
        more_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return KeysetPage(
            rows,
            next_cursor=f"a{rows[-1].id}" if rows else None,
            prev_cursor=f"b{rows[0].id}" if rows and more_newer else None,
            per_page=per_page,
        )
    page = items.filter(id__lt=cursor.after) if cursor.after is not None else items
    rows = list(page.order_by("-id")[: per_page + 1])
    more_older = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        rows,
        next_cursor=f"a{rows[-1].id}" if rows and more_older else None,
        prev_cursor=f"b{rows[0].id}" if rows and cursor.after is not None else None,
        per_page=per_page,
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
    sql, params = items.order_by().values("id").query.sql_with_params()
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
    estimate = count_estimate(items)
    if estimate is not None:
        page.count = max(estimate, len(page.items) + (1 if page.has_next else 0))
        page.count_is_estimate = True
        return page
    page.count, page.count_capped = count_capped(items, cap)
    return page
