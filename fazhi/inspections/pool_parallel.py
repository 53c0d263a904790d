"""Read a big pool over several connections at once, each range parsed where it is read.

A pool of a million entities is some 35 MB of lines: joining them is the
database's work, parsing and compressing them ours. Both are cut into
ranges of the table, and ``WORKERS`` threads each hold a connection: a
thread reads a range (the driver lets go of the GIL while the database
works), parses it and compresses it (numpy and zlib let go of it too), then
takes the next. The ranges come back in table order and are joined.

Every connection must read the same state of the database:

- PostgreSQL: the first connection exports its snapshot and the others
  import it (``pool_pg``).
- SQLite: the ranges are read only inside the request's transaction, which
  Fazhi opens ``IMMEDIATE`` (``config/env.py``): it holds the database's
  write lock, so no other connection can commit until it ends, and every
  connection opened meanwhile reads exactly the committed state it reads.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

from fazhi.inspections import draw

WORKERS = 2  # threads reading at once (the server has two cores)
# Below this span of ids (~150,000 entities, 5 MB of lines) one statement on
# the request's own connection is quicker than opening more.
SQLITE_MIN_IDS = 150_000
SQLITE_RANGE_IDS = 250_000  # ids per range: a few ranges per thread
SQLITE_MMAP = 0x7FFF0000  # SQLite's own ceiling on Linux (2 GB)
_ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KB window, fastest level
_DEFLATE_END = zlib.compressobj(1, zlib.DEFLATED, -15).flush()  # an empty last block
_ADLER_BASE = 65521


@dataclass(frozen=True)
class Part:
    """One range of the pool: its lines parsed, compressed as deflate blocks.

    Also compressed: its columns for the snapshot (``pool._columns_pack``),
    each line's id gap but the first's (which depends on the range before),
    strata and eligibility. ``checks`` are the Adler-32 of the text and of
    those three, as they were before compression.
    """

    pool: draw.Pool
    packed: bytes
    columns: tuple[bytes, bytes, bytes]
    checks: tuple[int, int, int, int]


@dataclass(frozen=True)
class Joined:
    """The whole pool, its text's zlib stream and its columns' (``pool._columns_pack``).

    Both streams are None when the parts had to be sorted again.
    """

    pool: draw.Pool
    packed: bytes | None
    columns: bytes | None


def part_make(text: bytes, history: Sequence[tuple[int, str]]) -> Part:
    """Parse one range's lines, write the history's codes, compress the result."""
    pool = draw.pool_exclude(draw.pool_sort(text), history)
    pieces = (
        np.diff(pool.ids).astype("<i8").tobytes(),
        pool.strata.astype(np.int8).tobytes(),
        pool.eligible.astype(np.uint8).tobytes(),
    )
    checks = (zlib.adler32(pool.data), *(zlib.adler32(piece) for piece in pieces))
    columns = (_deflate(pieces[0]), _deflate(pieces[1]), _deflate(pieces[2]))
    return Part(pool, _deflate(pool.data), columns, (checks[0], checks[1], checks[2], checks[3]))


def _deflate(data: bytes) -> bytes:
    """Deflate blocks ending on a byte boundary: parts concatenate into one stream."""
    squeeze = zlib.compressobj(1, zlib.DEFLATED, -15)
    return squeeze.compress(data) + squeeze.flush(zlib.Z_SYNC_FLUSH)


def adler_combine(first: int, second: int, length: int) -> int:
    """The Adler-32 of two texts one after the other, from theirs and the second's length."""
    a1, b1 = first & 0xFFFF, first >> 16
    a2, b2 = second & 0xFFFF, second >> 16
    a = (a1 + a2 - 1) % _ADLER_BASE
    b = (b1 + b2 + length * (a1 - 1)) % _ADLER_BASE
    return (b << 16) | a


def _stream(blocks: Sequence[tuple[bytes, int, int]]) -> bytes:
    """One zlib stream of deflate blocks, each given with the Adler-32 and length of its data."""
    check = 1
    for _packed, adler, length in blocks:
        check = adler_combine(check, adler, length)
    body = [packed for packed, _adler, _length in blocks]
    return b"".join([_ZLIB_HEADER, *body, _DEFLATE_END, check.to_bytes(4, "big")])


def parts_join(parts: Sequence[Part]) -> Joined:
    """The whole pool and its streams (None when the parts had to be re-sorted).

    Ranges of ids are in order by construction; block ranges nearly always
    are. When two ranges overlap, the whole text is sorted again.
    """
    kept = [p for p in parts if len(p.pool)]
    pools = [p.pool for p in kept]
    ordered = all(a.ids[-1] < b.ids[0] for a, b in itertools.pairwise(pools))
    data = b"".join([p.data for p in pools])
    if not ordered:
        return Joined(draw.pool_sort(data), None, None)
    pool = draw.Pool(
        np.concatenate([p.ids for p in pools]) if pools else np.zeros(0, np.int64),
        np.concatenate([p.strata for p in pools]) if pools else np.zeros(0, np.int8),
        np.concatenate([p.eligible for p in pools]) if pools else np.zeros(0, np.bool_),
        data,
    )
    text = [(p.packed, p.checks[0], len(p.pool.data)) for p in kept]
    gaps: list[tuple[bytes, int, int]] = []
    last = 0
    for p in kept:  # each range's first gap is from the range before's last id
        first = int(p.pool.ids[0] - last).to_bytes(8, "little", signed=True)
        gaps += [(_deflate(first), zlib.adler32(first), 8)]
        gaps += [(p.columns[0], p.checks[1], 8 * (len(p.pool) - 1))]
        last = int(p.pool.ids[-1])
    strata = [(p.columns[1], p.checks[2], len(p.pool)) for p in kept]
    eligible = [(p.columns[2], p.checks[3], len(p.pool)) for p in kept]
    return Joined(pool, _stream(text), _stream(gaps + strata + eligible))


def read_ranges[T](
    conns: Sequence[Any],
    fetch: Callable[[Any, int], bytes],
    count: int,
    then: Callable[[bytes], T],
    close: Callable[[Any], None],
    in_order: Callable[[T], None] | None = None,
) -> Callable[[], list[T]]:
    """Start threads reading ranges ``0 … count-1``; the callable waits for them, in order.

    ``fetch(conn, index)`` reads one range's text, ``then(text)`` makes what
    is kept of it; each thread closes its connection with ``close`` when done.
    A connection's thread hands each text to ``WORKERS`` other threads and
    reads its next range at once: the database writes one range while we
    parse another. The waiting thread passes each result, in range order, to
    ``in_order`` as soon as it and those before it are made.
    """
    slots: list[Future[T]] = [Future() for _ in range(count)]
    todo = list(range(count))
    lock = threading.Lock()
    stop = threading.Event()
    workers = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="pool-parse")

    def abandon(exc: BaseException) -> None:
        """Stop reading: the ranges not begun fail too, so nobody waits for them."""
        stop.set()
        with lock:
            rest = todo[:]
            todo.clear()
        for index in rest:
            slots[index].set_exception(exc)

    def make(index: int, text: bytes) -> None:
        try:
            slots[index].set_result(then(text))
        except BaseException as exc:  # re-raised by the caller
            slots[index].set_exception(exc)
            abandon(exc)

    def read(conn: Any) -> None:
        try:
            while not stop.is_set():
                with lock:
                    if not todo:
                        return
                    index = todo.pop(0)
                try:
                    text = fetch(conn, index)
                except BaseException as exc:  # re-raised by the caller
                    slots[index].set_exception(exc)
                    abandon(exc)
                    return
                workers.submit(make, index, text)
        finally:
            close(conn)

    threads = [threading.Thread(target=read, args=(conn,), daemon=True) for conn in conns]
    for thread in threads:
        thread.start()

    def wait() -> list[T]:
        try:
            results = []
            for slot in slots:
                results.append(slot.result())
                if in_order is not None:
                    in_order(results[-1])
            return results
        except BaseException:
            abandon(RuntimeError("the pool read was abandoned"))
            raise
        finally:
            for thread in threads:
                thread.join()
            workers.shutdown(wait=True, cancel_futures=True)

    return wait


def sqlite_ranges(where: str, params: list[Any]) -> list[tuple[int, int]] | None:
    """Id ranges of the scope worth reading at once on SQLite, or None (one statement).

    Only inside the request's ``IMMEDIATE`` transaction (see the module's note).
    """
    if (
        connection.vendor != "sqlite"
        or not connection.in_atomic_block
        or getattr(connection, "transaction_mode", None) != "IMMEDIATE"
    ):
        return None
    ends = []
    with connection.cursor() as cursor:
        for direction in ("ASC", "DESC"):  # each a step from one end of the table
            sql = f"SELECT e.id FROM registry_entity e WHERE {where} ORDER BY e.id {direction}"
            cursor.execute(f"{sql} LIMIT 1", params)
            row = cursor.fetchone()
            if row is None:
                return None
            ends.append(int(row[0]))
    first, last = ends
    if last - first + 1 < SQLITE_MIN_IDS:
        return None
    step = max(SQLITE_RANGE_IDS, -(-(last - first + 1) // (2 * WORKERS)))
    return [(start, min(start + step, last + 1)) for start in range(first, last + 1, step)]


def sqlite_read[T](
    sql: str,
    params: list[Any],
    ranges: list[tuple[int, int]],
    then: Callable[[bytes], T],
    in_order: Callable[[T], None] | None = None,
) -> Callable[[], list[T]]:
    """Read ``sql`` (``%s`` marks, the last two a range's first id and its end) per range."""
    query = sql.replace("%s", "?")
    conns = []
    for _ in range(min(WORKERS, len(ranges))):
        conn = sqlite3.connect(**connection.get_connection_params())
        conn.execute(f"PRAGMA mmap_size = {SQLITE_MMAP}")
        conns.append(conn)

    def fetch(conn: sqlite3.Connection, index: int) -> bytes:
        row = conn.execute(query, [*params, *ranges[index]]).fetchone()
        return b"" if not row or row[0] is None else bytes(row[0])

    return read_ranges(conns, fetch, len(ranges), then, lambda conn: conn.close(), in_order)
