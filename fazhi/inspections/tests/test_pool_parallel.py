"""Reading a pool a range at a time over several connections (pool_parallel)."""

from __future__ import annotations

import functools
import threading
import time
import zlib
from typing import Any

import pytest
from django.db import connection, transaction

from fazhi.inspections import draw, pool, pool_parallel, pool_pg
from fazhi.inspections.drawing import task_params
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
    joined = pool_parallel.parts_join(parts)
    expected = draw.pool_exclude(whole, [(150, "recent")])
    assert joined.pool.data == expected.data
    assert joined.pool.eligible.tolist() == expected.eligible.tolist()
    assert joined.pool.ids.tolist() == list(range(1, 301))
    assert joined.packed is not None
    assert zlib.decompress(joined.packed) == expected.data
    # The snapshot's columns, made a range at a time, are those of the whole pool.
    assert joined.columns is not None
    assert zlib.decompress(joined.columns) == zlib.decompress(pool._columns_pack(expected))


def test_columns_made_in_parts_load_back_with_gaps_across_the_ranges() -> None:
    """Ids with gaps, ranges of one line: the first gap of each range spans the one before."""
    ids = [3, 4, 9, 10, 11, 500, 70_000_000_001]
    whole = _pool([(pk, "-" if pk % 2 else "status") for pk in ids])
    lines = whole.data.splitlines(keepends=True)
    cuts = ((0, 1), (1, 1), (1, 4), (4, 5), (5, 7))
    parts = [pool_parallel.part_make(b"".join(lines[a:b]), []) for a, b in cuts]
    joined = pool_parallel.parts_join(parts)
    assert joined.columns is not None
    loaded = pool._columns_unpack(joined.columns)
    assert loaded.ids.tolist() == ids
    assert loaded.strata.tolist() == whole.strata.tolist()
    assert loaded.eligible.tolist() == whole.eligible.tolist()


def test_adler_combine_gives_the_checksum_of_the_texts_joined() -> None:
    texts = [b"", b"a", b"\xff" * 70_000, bytes(range(256)) * 300, b"pool\tline\n"]
    for first in texts:
        for second in texts:
            combined = pool_parallel.adler_combine(
                zlib.adler32(first), zlib.adler32(second), len(second)
            )
            assert combined == zlib.adler32(first + second)


def test_parts_out_of_order_are_sorted_again() -> None:
    """Block ranges read out of id order: the whole text is put in order, not compressed yet."""
    whole = _pool([(pk, "-") for pk in range(1, 11)])
    lines = whole.data.splitlines(keepends=True)
    parts = [pool_parallel.part_make(b"".join(lines[a:b]), []) for a, b in ((5, 10), (0, 5))]
    joined = pool_parallel.parts_join(parts)
    assert joined.pool.data == whole.data
    assert joined.packed is None
    assert joined.columns is None


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
    joined = pool_parallel.parts_join(parts)
    assert joined.pool.data == draw.pool_sort(whole).data
    assert joined.packed is not None
    assert zlib.decompress(joined.packed) == joined.pool.data


def test_ranges_are_made_while_others_are_read_and_heard_in_order() -> None:
    """Ranges finishing out of order still come back, and are heard, in range order."""
    release = threading.Event()
    closed: list[str] = []

    def fetch(conn: str, index: int) -> bytes:
        if index == 0:  # the first range is the last to arrive
            assert release.wait(5)
        return str(index).encode()

    def then(text: bytes) -> int:
        if text == b"3":
            release.set()
        return int(text)

    heard: list[int] = []
    wait = pool_parallel.read_ranges(["a", "b"], fetch, 6, then, closed.append, heard.append)
    assert wait() == [0, 1, 2, 3, 4, 5]
    assert heard == [0, 1, 2, 3, 4, 5]
    assert sorted(closed) == ["a", "b"]


@pytest.mark.parametrize("where", ["fetch", "then"])
def test_a_failed_range_fails_the_read_without_waiting_for_the_rest(where: str) -> None:
    closed: list[str] = []
    begun: list[int] = []

    def fetch(conn: str, index: int) -> bytes:
        begun.append(index)
        if where == "fetch" and index == 1:
            raise OSError("connection lost")
        time.sleep(0.05)
        return str(index).encode()

    def then(text: bytes) -> int:
        if where == "then" and text == b"1":
            raise ValueError("not canonical")
        return int(text)

    wait = pool_parallel.read_ranges(["a", "b"], fetch, 50, then, closed.append)
    with pytest.raises(OSError if where == "fetch" else ValueError):
        wait()
    assert sorted(closed) == ["a", "b"]
    assert len(begun) < 10  # the ranges not begun are dropped


@pytest.mark.django_db(transaction=True)
def test_a_pool_frozen_in_ranges_commits_to_its_whole_text(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest taken a range at a time, the text and columns compressed in parts."""
    a = personas.county_a
    for i in range(60):
        rf.entity(a, credit_class="ABCD"[i % 4], risk_level=("low", "high", "")[i % 3])
    task = make_task(a)
    monkeypatch.setattr(pool_parallel, "SQLITE_MIN_IDS", 1)
    monkeypatch.setattr(pool_parallel, "SQLITE_RANGE_IDS", 7)
    monkeypatch.setattr(pool_pg, "PARALLEL_MIN_BLOCKS", 1)
    monkeypatch.setattr(pool_pg, "CHUNK_BLOCKS", 1)
    with transaction.atomic():
        frozen = pool.freeze(task, task_params(task))
    assert frozen.pool_sha256 == draw.sha256_hex(frozen.pool.data)
    assert frozen.commitment == draw.commitment_compute(
        pool=frozen.pool.data,
        officers=frozen.officers.data,
        pairs=frozen.pairs.data,
        params=frozen.params_bytes,
    )
    assert frozen.pool.data == pool.pool_freeze(task).data
    assert len(frozen.pool) == 60
    assert frozen.pool_packed is not None
    assert zlib.decompress(frozen.pool_packed()) == frozen.pool.data
    assert frozen.columns_packed is not None
    loaded = pool._columns_unpack(frozen.columns_packed)
    assert loaded.ids.tolist() == frozen.pool.ids.tolist()
    assert loaded.strata.tolist() == frozen.pool.strata.tolist()
    assert loaded.eligible.tolist() == frozen.pool.eligible.tolist()
