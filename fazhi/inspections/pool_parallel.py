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


@dataclass(frozen=True)
class Part:
    """One range of the pool: its lines parsed, and compressed as deflate blocks."""

    pool: draw.Pool
    packed: bytes


def part_make(text: bytes, history: Sequence[tuple[int, str]]) -> Part:
    """Parse one range's lines, write the history's codes, compress the result."""
    pool = draw.pool_exclude(draw.pool_sort(text), history)
    return Part(pool, _deflate(pool.data))


def _deflate(data: bytes) -> bytes:
    """Deflate blocks ending on a byte boundary: parts concatenate into one stream."""
    squeeze = zlib.compressobj(1, zlib.DEFLATED, -15)
    return squeeze.compress(data) + squeeze.flush(zlib.Z_SYNC_FLUSH)


def parts_join(parts: Sequence[Part]) -> tuple[draw.Pool, bytes | None]:
    """The whole pool, and its zlib stream (None when the parts had to be re-sorted).

    Ranges of ids are in order by construction; block ranges nearly always
    are. When two ranges overlap, the whole text is sorted again.
    """
    pools = [p.pool for p in parts if len(p.pool)]
    ordered = all(a.ids[-1] < b.ids[0] for a, b in itertools.pairwise(pools))
    data = b"".join([p.data for p in pools])
    if not ordered:
        return draw.pool_sort(data), None
    pool = draw.Pool(
        np.concatenate([p.ids for p in pools]) if pools else np.zeros(0, np.int64),
        np.concatenate([p.strata for p in pools]) if pools else np.zeros(0, np.int8),
        np.concatenate([p.eligible for p in pools]) if pools else np.zeros(0, np.bool_),
        data,
    )
    check = zlib.adler32(data).to_bytes(4, "big")
    packed = b"".join([_ZLIB_HEADER, *(p.packed for p in parts), _DEFLATE_END, check])
    return pool, packed


def read_ranges[T](
    conns: Sequence[Any],
    fetch: Callable[[Any, int], bytes],
    count: int,
    then: Callable[[bytes], T],
    close: Callable[[Any], None],
) -> Callable[[], list[T]]:
    """Start threads reading ranges ``0 … count-1``; the callable waits for them, in order.

    ``fetch(conn, index)`` reads one range's text, ``then(text)`` makes what
    is kept of it; each thread closes its connection with ``close`` when done.
    """
    results: list[T | None] = [None] * count
    todo = list(range(count))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(conn: Any) -> None:
        try:
            while not errors:
                with lock:
                    if not todo:
                        return
                    index = todo.pop(0)
                results[index] = then(fetch(conn, index))
        except BaseException as exc:  # re-raised by the caller
            errors.append(exc)
        finally:
            close(conn)

    threads = [threading.Thread(target=work, args=(conn,), daemon=True) for conn in conns]
    for thread in threads:
        thread.start()

    def wait() -> list[T]:
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return [r for r in results if r is not None]

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
    sql: str, params: list[Any], ranges: list[tuple[int, int]], then: Callable[[bytes], T]
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

    return read_ranges(conns, fetch, len(ranges), then, lambda conn: conn.close())
