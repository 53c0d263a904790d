"""PostgreSQL helpers for bulk entity loads (decision 0004): dropping and
rebuilding a table's indexes and foreign keys, planning big joins, keeping
statistics fresh, and putting back indexes a stopped load did not rebuild.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence

from django.db import connection, transaction

from fazhi.registry import filter_index
from fazhi.registry.models import Entity

logger = logging.getLogger(__name__)

LOCK_KEY = 7_301_001  # advisory lock serializing entity imports on PostgreSQL
BULK_ROWS = 20_000  # from this many staged rows on, joins are planned as hash joins


@contextlib.contextmanager
def bulk_joins(rows: int) -> Iterator[None]:
    """Plan big staging joins as hash joins on PostgreSQL.

    Right after a million rows arrive the planner's statistics still call
    the table empty, and the nested loop it then picks never finishes. A
    small file keeps the default plan (index lookups).
    """
    if connection.vendor != "postgresql" or rows < BULK_ROWS:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        yield


def analyze(table: str) -> None:
    """Refresh PostgreSQL's statistics after a bulk write."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


SEARCH_INDEX = "registry_entity_name_trgm"
FILTER_INDEX = "registry_entity_filters"  # bloom, migration 0012
FILTER_COLUMNS = (
    "status",
    "risk_level",
    "credit_class",
    "kind",
    "scale",
    "industry_section",
    "industry_division",
    "standardization_level",
)
# After a bulk load; with the b-trees, while the slower search index builds.
ANALYZE = "ANALYZE registry_entity"


def indexes_ensure() -> list[str]:
    """Build the entity indexes a bulk load did not get to build again.

    A bulk load commits before it rebuilds the plain indexes; if the
    process stops in between, the next import (or ``doctor``) puts them
    back. The name search index exists only where pg_trgm is installed
    (migration 0004); the agency covering index is PostgreSQL's only
    (migration 0020). Return the names of the indexes built.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'registry_entity'")
        present = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
        (trigrams,) = cursor.fetchone()
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'bloom')")
        (bloom,) = cursor.fetchone()
    missing = [index for index in Entity._meta.indexes if index.name not in present]
    built = [index.name for index in missing]
    if missing:
        with connection.schema_editor() as editor:
            for index in missing:
                logger.warning("building the missing index %s", index.name)
                editor.add_index(Entity, index)
    if trigrams and SEARCH_INDEX not in present:
        logger.warning("building the missing index %s", SEARCH_INDEX)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {SEARCH_INDEX} "
                "ON registry_entity USING gin (name gin_trgm_ops)"
            )
        built.append(SEARCH_INDEX)
    if bloom and FILTER_INDEX not in present:
        logger.warning("building the missing index %s", FILTER_INDEX)
        columns = ", ".join(f"({c}::text)" for c in FILTER_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {FILTER_INDEX} "
                f"ON registry_entity USING bloom ({columns}) WITH (length = 96)"
            )
        built.append(FILTER_INDEX)
    if filter_index.PG_COVER not in present:
        logger.warning("building the missing index %s", filter_index.PG_COVER)
        with connection.cursor() as cursor:
            cursor.execute(filter_index.PG_COVER_CREATE)
        built.append(filter_index.PG_COVER)
    return built


def bulk_detach(table: str) -> tuple[list[str], list[str]]:
    """Drop ``table``'s indexes and foreign keys for a bulk load.

    Return the statements that restore them: those to run before the
    commit (unique indexes, then the foreign keys, each checked by one join
    instead of a trigger per row) and the plain indexes, which are built
    after it. Constraints' own indexes (the primary key) stay. The caller
    holds the import lock, and dropping an index locks the table, so no
    other writer can slip a duplicate in before the unique index is built
    again (which would then fail and roll the load back).
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Tables with pending deferred checks cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        keys = cursor.fetchall()
        for name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition, _unique in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    now = [d for _n, d, unique in indexes if unique]
    now += [f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(n)} {d}" for n, d in keys]
    return now, [d for _n, d, unique in indexes if not unique]


def bulk_restore(statements: Sequence[str]) -> None:
    """Run statements ``bulk_detach`` returned, in one transaction."""
    if statements:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in statements:
                cursor.execute(statement)


def bulk_restore_parallel(statements: Sequence[str]) -> None:
    """Build the plain indexes after the commit, on two connections at once.

    The GIN index (the slowest, and PostgreSQL builds it on one core) goes
    on one, the b-trees on the other. Inside a caller's transaction the
    other connections could not see the rows: build them in order there.
    The rows are committed by then, so a failed build is logged, not raised:
    the import stands, and the next one builds what is missing
    (``indexes_ensure``).
    """
    gin = [s for s in statements if " USING gin " in s]
    groups = [group for group in (gin, [s for s in statements if s not in gin]) if group]
    if len(groups) < 2 or connection.in_atomic_block:
        bulk_restore(statements)
        return

    def build(group: list[str]) -> None:
        try:
            bulk_restore(group)
        except Exception:
            logger.exception("building indexes after a bulk load failed: %s", group)
        finally:
            connection.close()

    threads = [threading.Thread(target=build, args=(group,)) for group in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def vacuum(*tables: str, analyze: bool = True) -> None:
    """``VACUUM (ANALYZE)`` tables a big write touched, on PostgreSQL.

    Some bureau servers run with autovacuum off: without this the dead rows
    of an update stay, and index-only scans are impossible. VACUUM cannot
    run inside a transaction: there (tests, callers' atomic blocks) the
    statistics are refreshed only. On SQLite, whose planner chooses among
    the entity list's filter indexes by the statistics (``filter_index``),
    they are refreshed too.
    """
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")
        return
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {quote(table)}")
            else:
                cursor.execute(f"VACUUM {'(ANALYZE) ' if analyze else ''}{quote(table)}")
