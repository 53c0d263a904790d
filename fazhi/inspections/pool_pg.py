"""Read a big pool on PostgreSQL with two connections sharing one snapshot.

Writing a million pool lines is the server's work (about three quarters of a
second for one backend), so the table is cut into ranges of blocks and two
backends write them at once. Both read the same MVCC snapshot: the first
opens a repeatable-read transaction and exports its snapshot
(``pg_export_snapshot``), the second imports it (``SET TRANSACTION SNAPSHOT``)
before reading anything, so the pool is one consistent view of the table,
exactly as one statement would see it. The ranges are put back in block
order: the text is the table's scan order from its first block, as one
sequential scan would return it.

Each range's text is one value, so a range holds at most ``CHUNK_BLOCKS``
blocks: far below PostgreSQL's 1 GB limit on a value however big the table.
The helper connections use the client encoding SQL_ASCII, so the text comes
as the database's UTF-8 bytes, not decoded into a ``str`` and encoded back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import psycopg
from django.db import connection

from fazhi.inspections.pool_parallel import WORKERS, read_ranges

# Below this many blocks of table (32 MB, ~150,000 entities) one statement on
# the request's own connection is quicker than opening two more.
PARALLEL_MIN_BLOCKS = 4096
# At most 1 GB of table per statement: some 200 MB of pool text even with the
# narrowest rows, far below the 1 GB a PostgreSQL value may hold.
CHUNK_BLOCKS = 131_072

_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


def table_blocks(table: str) -> int:
    """The table's size in blocks (its heap, as a sequential scan reads it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int", [table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def parallel_blocks(table: str) -> int:
    """The table's blocks when it is worth reading in parallel (PostgreSQL, big), else 0."""
    if connection.vendor != "postgresql":
        return 0
    blocks = table_blocks(table)
    return blocks if blocks >= PARALLEL_MIN_BLOCKS else 0


def block_ranges(blocks: int) -> list[tuple[int, int | None]]:
    """Cut ``blocks`` into consecutive ranges; the last is open (the table may grow)."""
    count = max(2 * WORKERS, -(-blocks // CHUNK_BLOCKS))  # a parse overlaps a read
    step = max(1, -(-blocks // count))
    starts = [i * step for i in range(count)]
    return [(start, starts[i + 1] if i + 1 < count else None) for i, start in enumerate(starts)]


def ctid_clause(alias: str, block_range: tuple[int, int | None]) -> str:
    """The condition of a range (integers only: written into the statement)."""
    start, end = block_range
    clause = f"{alias}.ctid >= '({int(start)},0)'::tid"
    if end is not None:
        clause += f" AND {alias}.ctid < '({int(end)},0)'::tid"
    return clause


def _connect() -> psycopg.Connection[Any]:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)  # Django's client-side binding cursor
    params["client_encoding"] = "SQL_ASCII"  # text as bytes, not decoded
    conn = psycopg.connect(**params)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    return conn


def read_parallel[T](
    sql_of: Callable[[tuple[int, int | None]], str],
    args: list[Any],
    ranges: list[tuple[int, int | None]],
    then: Callable[[bytes], T],
    in_order: Callable[[T], None] | None = None,
) -> Callable[[], list[T]]:
    """Start reading each range's one-value statement; the callable waits for ``then`` of each.

    The reading runs in threads (``pool_parallel.read_ranges``, which also
    says what ``in_order`` hears), so the caller's connection can read other
    things meanwhile.
    """
    conns: list[psycopg.Connection[Any]] = []
    try:
        first = _connect()
        conns.append(first)
        row = first.execute("SELECT pg_export_snapshot()").fetchone()
        value = row[0] if row else b""
        snapshot = value.decode("ascii") if isinstance(value, bytes) else str(value)
        if not _SNAPSHOT_ID.fullmatch(snapshot):
            raise RuntimeError(f"unexpected snapshot id {snapshot!r}")
        for _ in range(1, min(WORKERS, len(ranges))):
            other = _connect()
            conns.append(other)
            other.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # first statement
    except BaseException:
        for conn in conns:
            conn.close()
        raise

    def fetch(conn: psycopg.Connection[Any], index: int) -> bytes:
        with psycopg.Cursor(conn) as cursor:  # server-side binding
            cursor.execute(sql_of(ranges[index]), args)
            found = cursor.fetchone()
        value = found[0] if found else None
        return b"" if value is None else bytes(value)

    # Closing a connection ends its read-only transaction.
    return read_ranges(conns, fetch, len(ranges), then, lambda conn: conn.close(), in_order)
