"""Reading a pool a range at a time over several connections (pool_parallel)."""

from __future__ import annotations

import functools
import zlib
from typing import Any

import pytest
from django.db import connection, transaction

from fazhi.inspections import draw, pool, pool_parallel
from fazhi.inspections.tests.test_pool import make_task
from fazhi.registry.tests import factories as rf


def _pool(rows: list[tuple[int, str]]) -> draw.Pool:
    return draw.pool_from_rows([(pk, f"U{pk:017d}", "A", "low", code) for pk, code in rows])


def test_parts_join_gives_the_pool_and_one_zlib_stream() -> None:
    """Ranges in order join as they are; their deflate blocks make one stream."""
    whole = _pool([(pk, "-") for pk in range(1, 301)])
    lines = whole.data.splitlines(keepends=True)
    parts = [
        pool_parallel.part_make(b"".join(lines[a:b]), [(150, "recent"), (999, "cap")])
        for a, b in ((0, 100), (100, 100), (100, 250), (250, 300))  # one range empty
    ]
    joined, packed = pool_parallel.parts_join(parts)
    expected = draw.pool_exclude(whole, [(150, "recent")])
    assert joined.data == expected.data
    assert joined.eligible.tolist() == expected.eligible.tolist()
    assert joined.ids.tolist() == list(range(1, 301))
    assert packed is not None
    assert zlib.decompress(packed) == expected.data


def test_parts_out_of_order_are_sorted_again() -> None:
    """Block ranges read out of id order: the whole text is put in order, not compressed yet."""
    whole = _pool([(pk, "-") for pk in range(1, 11)])
    lines = whole.data.splitlines(keepends=True)
    parts = [pool_parallel.part_make(b"".join(lines[a:b]), []) for a, b in ((5, 10), (0, 5))]
    joined, packed = pool_parallel.parts_join(parts)
    assert joined.data == whole.data
    assert packed is None


def test_exclusion_is_written_only_into_eligible_lines() -> None:
    base = _pool([(1, "-"), (2, "status"), (3, "-"), (4, "key_plan")])
    # In any order: the codes land on their own lines.
    out = draw.pool_exclude(base, [(7, "cap"), (4, "recent"), (3, "cap"), (2, "recent")])
    assert out.data.decode().split("\n")[:4] == [
        "1\tU00000000000000001\tA\tlow\t-",
        "2\tU00000000000000002\tA\tlow\tstatus",
        "3\tU00000000000000003\tA\tlow\tcap",
        "4\tU00000000000000004\tA\tlow\tkey_plan",
    ]
    assert out.eligible.tolist() == [True, False, False, False]
    assert draw.pool_parse(out.data).eligible.tolist() == out.eligible.tolist()
    assert draw.pool_exclude(base, []) is base
    both = draw.pool_exclude(base, [(3, "recent"), (1, "cap")])
    assert [line.rsplit("\t", 1)[1] for line in both.data.decode().splitlines()] == [
        "cap",
        "status",
        "recent",
        "key_plan",
    ]


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="id ranges on other connections: SQLite"
)


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_ranges_read_by_other_connections_give_one_statements_pool(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the request's IMMEDIATE transaction, other connections read id ranges."""
    a = personas.county_a
    for i in range(40):
        rf.entity(a, credit_class="ABCD"[i % 4], risk_level=("low", "high", "")[i % 3])
    task = make_task(a)
    monkeypatch.setattr(pool_parallel, "SQLITE_MIN_IDS", 1)
    monkeypatch.setattr(pool_parallel, "SQLITE_RANGE_IDS", 7)
    opened: list[Any] = []
    connect = pool_parallel.sqlite3.connect

    def counted(*args: Any, **kwargs: Any) -> Any:
        opened.append(args or kwargs)
        return connect(*args, **kwargs)

    monkeypatch.setattr(pool_parallel.sqlite3, "connect", counted)
    whole = pool.pool_reading(task, blocks=0)()
    assert not opened
    assert pool_parallel.sqlite_ranges(*pool._scope_sql(task)) is None  # not in a transaction
    with transaction.atomic():
        ranges = pool_parallel.sqlite_ranges(*pool._scope_sql(task))
        assert ranges is not None
        assert len(ranges) == 2 * pool_parallel.WORKERS
        make = functools.partial(pool_parallel.part_make, history=[])
        parts = pool.pool_parts(task, make)()
    assert len(opened) == pool_parallel.WORKERS
    joined, packed = pool_parallel.parts_join(parts)
    assert joined.data == draw.pool_sort(whole).data
    assert packed is not None
    assert zlib.decompress(packed) == joined.data
