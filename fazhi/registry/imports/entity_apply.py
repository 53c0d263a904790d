"""Writing checked entity rows: against the registry (the database check and
the counts), from staging into the registry, and straight into an empty
registry (``EntityLoad``)."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.registry import selectors
from fazhi.registry.choices import ChangeKind
from fazhi.registry.imports import pgbulk
from fazhi.registry.imports.entity_layout import COMPARED, STAGING_FIELDS
from fazhi.registry.imports.report import RowError
from fazhi.registry.imports.spec import ImportSpec
from fazhi.registry.imports.streams import CopyStream
from fazhi.registry.models import EntityChange

logger = logging.getLogger(__name__)
APPLY_CHUNK = {"postgresql": 250_000}
APPLY_CHUNK_DEFAULT = 25_000


def _differs(e: str) -> str:
    """SQL that is true when staging row ``s`` would change entity ``e``."""
    parts = [f"{e}.{c} <> s.{c}" for c in COMPARED]
    parts.append(
        "(s.supervising_agency_id IS NOT NULL"
        f" AND s.supervising_agency_id <> {e}.supervising_agency_id)"
    )
    return "(" + " OR ".join(parts) + ")"


class EntityLoad(CopyStream):
    """Checked rows straight into an empty registry (a province's first load).

    With nothing registered, no row can update an entity or clash with one,
    so staging them first would only copy every row twice. The stream's
    transaction takes the import lock, finds the registry empty (otherwise
    it declines, and the rows are staged as usual), drops the indexes and
    foreign keys (``bulk_detach``), receives the rows while the file is
    still being checked, then builds the unique index and checks the keys
    before it commits; the plain indexes follow after the commit.
    """

    table = "registry_entity"
    columns = (
        *STAGING_FIELDS,
        "created_at",
        "updated_at",
        "created_by_id",
        "source_job_id",
    )

    def __init__(self, spec: ImportSpec) -> None:
        job = spec.job
        self.unit_id = job.unit_id
        now = timezone.now()
        self.tail = (now, now, getattr(spec.actor, "pk", None), job.pk)
        self.job_id = job.pk
        self.restore_now: list[str] = []
        self.restore_later: list[str] = []
        super().__init__()

    def begin(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [pgbulk.LOCK_KEY])
            cursor.execute("SELECT EXISTS (SELECT 1 FROM registry_entity)")
            (registered,) = cursor.fetchone()
        if registered:
            return False
        self.restore_now, self.restore_later = pgbulk.bulk_detach(self.table)
        return True

    def convert(self, rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        unit_id, tail = self.unit_id, self.tail
        for row in rows:
            yield (*row[2:18], unit_id if row[18] is None else row[18], row[19], *tail)

    def frame_csv(self, frame: pl.DataFrame) -> bytes:
        now, _now, actor_id, job_id = self.tail
        out = io.BytesIO()
        frame.select(
            *STAGING_FIELDS[:-2],
            pl.col("supervising_agency_id").fill_null(self.unit_id),
            "dedupe_key",
            pl.lit(now.isoformat()).alias("created_at"),
            pl.lit(now.isoformat()).alias("updated_at"),
            pl.lit(actor_id, dtype=pl.Int64).alias("created_by_id"),
            pl.lit(job_id, dtype=pl.Int64).alias("source_job_id"),
        ).write_csv(out, include_header=False)
        return out.getvalue()

    def end(self) -> None:
        pgbulk.bulk_restore(self.restore_now)

    def after_commit(self) -> None:
        logger.info("entity import %s: bulk load committed", self.job_id)
        pgbulk.bulk_restore_parallel([*self.restore_later, pgbulk.ANALYZE])


class EntityApply(ImportSpec):
    """The database side of an entity import."""

    def check_database(self) -> list[RowError]:
        if self.job.processed_rows >= pgbulk.BULK_ROWS:
            pgbulk.analyze("registry_entitystaging")
        with pgbulk.bulk_joins(self.job.processed_rows):
            return self._check_database()

    def _check_database(self) -> list[RowError]:
        errors: list[RowError] = []
        drop: set[int] = set()
        scope = selectors.units_in_scope(self.actor)
        uscc_header = self.header_of("uscc")
        name_header = self.header_of("name")
        with connection.cursor() as cursor:
            if scope is not None:
                marks = ", ".join(["%s"] * len(scope)) or "NULL"
                cursor.execute(
                    "SELECT s.row_no, s.uscc, e.name, o.name FROM registry_entitystaging s "
                    "JOIN registry_entity e ON e.uscc = s.uscc AND e.merged_into_id IS NULL "
                    "JOIN core_orgunit o ON o.id = e.supervising_agency_id "
                    f"WHERE s.job_id = %s AND e.supervising_agency_id NOT IN ({marks})",
                    [self.job.pk, *scope],
                )
                for row_no, uscc, name, agency in cursor.fetchall():
                    drop.add(row_no)
                    errors.append(
                        RowError(
                            row_no,
                            uscc_header,
                            uscc,
                            _(
                                "Already registered as “%(name)s”, supervised by %(agency)s, "
                                "outside your scope."
                            )
                            % {"name": name, "agency": agency},
                        )
                    )
            cursor.execute(
                "SELECT s.row_no, s.name, e.uscc FROM registry_entitystaging s "
                "JOIN registry_entity e ON e.dedupe_key = s.dedupe_key "
                "AND e.merged_into_id IS NULL AND e.uscc <> s.uscc WHERE s.job_id = %s",
                [self.job.pk],
            )
            for row_no, name, other in cursor.fetchall():
                if row_no in drop:
                    continue
                drop.add(row_no)
                errors.append(
                    RowError(
                        row_no,
                        name_header,
                        name,
                        _(
                            "An entity with the same name and address is already registered "
                            "under code %(uscc)s."
                        )
                        % {"uscc": other},
                    )
                )
        self.drop_rows(drop)
        return errors

    def classify(self) -> tuple[int, int, int]:
        with pgbulk.bulk_joins(self.job.processed_rows), connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), COUNT(e.id), "
                f"SUM(CASE WHEN e.id IS NOT NULL AND {_differs('e')} THEN 1 ELSE 0 END) "
                "FROM registry_entitystaging s "
                "LEFT JOIN registry_entity e ON e.uscc = s.uscc AND e.merged_into_id IS NULL "
                "WHERE s.job_id = %s",
                [self.job.pk],
            )
            total, matched, changed = cursor.fetchone()
        changed = int(changed or 0)
        return total - matched, changed, matched - changed

    # --- writing ------------------------------------------------------------

    def apply(self, progress: Callable[[int], None]) -> tuple[int, int, int]:
        bounds = self.staged().aggregate(lo=Min("row_no"), hi=Max("row_no"))
        if bounds["lo"] is None:
            return 0, 0, 0
        pgbulk.indexes_ensure()
        step = APPLY_CHUNK.get(connection.vendor, APPLY_CHUNK_DEFAULT)
        scope = selectors.units_in_scope(self.actor)
        created = updated = 0
        span = bounds["hi"] - bounds["lo"] + 1
        bulk = self._bulk_load()
        restore_now: list[str] = []
        restore_later: list[str] = []
        # A bulk load runs as one transaction (so dropping the indexes stays
        # atomic); otherwise each step commits on its own.
        with transaction.atomic() if bulk else contextlib.nullcontext():
            for lo in range(bounds["lo"], bounds["hi"] + 1, step):
                hi = lo + step - 1
                with transaction.atomic(), pgbulk.bulk_joins(self.job.valid_rows):
                    if connection.vendor == "postgresql":
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [pgbulk.LOCK_KEY])
                            cursor.execute("SET LOCAL work_mem = '128MB'")
                    if bulk and lo == bounds["lo"]:
                        restore_now, restore_later = pgbulk.bulk_detach("registry_entity")
                    # The check counted new and changed rows; a step with none
                    # (no changes in a first import, nothing new in a re-import)
                    # is skipped: the user imports what the check showed.
                    if self.job.changed_rows:
                        updated += self._update(lo, hi, scope)
                    if self.job.new_rows:
                        created += self._insert(lo, hi)
                progress(min(hi - bounds["lo"] + 1, span) * self.job.valid_rows // span)
            pgbulk.bulk_restore(restore_now)
        if bulk:
            logger.info("entity import %s: bulk load committed", self.job.pk)
            pgbulk.bulk_restore_parallel([*restore_later, pgbulk.ANALYZE])
        elif created + updated >= pgbulk.BULK_ROWS:
            pgbulk.analyze("registry_entity")
        skipped = max(self.job.valid_rows - created - updated - self.job.unchanged_rows, 0)
        return created, updated, skipped

    def _bulk_load(self) -> bool:
        """Is this import big next to the registry (at least doubling it)?

        Keeping every index up to date row by row then costs far more than
        building them again: the load drops them and the foreign keys,
        inserts, builds the unique indexes and checks the keys in one
        transaction (readers wait for it), commits, then builds the plain
        indexes (writers wait for those; readers meanwhile scan).
        """
        if connection.vendor != "postgresql" or self.job.new_rows < pgbulk.BULK_ROWS:
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT GREATEST(reltuples, 0) FROM pg_class "
                "WHERE oid = 'registry_entity'::regclass"
            )
            (estimate,) = cursor.fetchone()
        return self.job.new_rows >= estimate

    def _scope_sql(self, scope: list[int] | None, column: str) -> tuple[str, list[Any]]:
        if scope is None:
            return "", []
        marks = ", ".join(["%s"] * len(scope)) or "NULL"
        return f" AND {column} IN ({marks})", list(scope)

    def _update(self, lo: int, hi: int, scope: list[int] | None) -> int:
        now = timezone.now()
        scope_sql, scope_params = self._scope_sql(scope, "e.supervising_agency_id")
        entity_cols = ", ".join(f"e.{c}" for c in (*COMPARED, "supervising_agency_id"))
        staged_cols = ", ".join(f"s.{c}" for c in (*COMPARED, "supervising_agency_id"))
        changes: list[EntityChange] = []
        actor = self.actor if getattr(self.actor, "pk", None) else None
        label = self.actor.get_username() if actor is not None else "system"
        width = len(COMPARED) + 1
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.id, {entity_cols}, {staged_cols} FROM registry_entitystaging s "
                "JOIN registry_entity e ON e.uscc = s.uscc AND e.merged_into_id IS NULL "
                "WHERE s.job_id = %s AND s.row_no BETWEEN %s AND %s "
                f"AND {_differs('e')}{scope_sql}",
                [self.job.pk, lo, hi, *scope_params],
            )
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    old, new = row[1 : 1 + width], row[1 + width :]
                    diff = {}
                    for name, before, after in zip(
                        (*COMPARED, "supervising_agency_id"), old, new, strict=True
                    ):
                        if name == "supervising_agency_id" and after is None:
                            continue
                        if before != after:
                            diff[name] = [before, after]
                    changes.append(
                        EntityChange(
                            entity_id=row[0],
                            kind=ChangeKind.IMPORTED,
                            changed_at=now,
                            actor=actor,
                            actor_label=label,
                            job_id=self.job.pk,
                            diff=diff,
                        )
                    )
            if not changes:
                return 0
            EntityChange.objects.bulk_create(changes, batch_size=2000)
            assignments = ", ".join(f"{c} = s.{c}" for c in COMPARED)
            target_scope, _params = self._scope_sql(scope, "registry_entity.supervising_agency_id")
            cursor.execute(
                f"UPDATE registry_entity SET {assignments}, "
                "supervising_agency_id = "
                "COALESCE(s.supervising_agency_id, registry_entity.supervising_agency_id), "
                "dedupe_key = s.dedupe_key, updated_at = %s "
                "FROM registry_entitystaging s "
                "WHERE s.job_id = %s AND s.row_no BETWEEN %s AND %s "
                "AND registry_entity.uscc = s.uscc AND registry_entity.merged_into_id IS NULL "
                f"AND {_differs('registry_entity')}{target_scope}",
                [
                    connection.ops.adapt_datetimefield_value(now),
                    self.job.pk,
                    lo,
                    hi,
                    *scope_params,
                ],
            )
        return len(changes)

    def _insert(self, lo: int, hi: int) -> int:
        """Insert the staged rows whose code is not registered yet.

        Rows of registered entities were handled by ``_update`` or are
        unchanged. Not sorted and no ON CONFLICT: on a million rows each of
        those costs more than the insert itself; the import lock keeps the
        NOT EXISTS check race-free.
        """
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        actor_id = self.actor.pk if getattr(self.actor, "pk", None) else None
        columns = ", ".join((*COMPARED, "uscc", "supervising_agency_id", "dedupe_key"))
        selected = ", ".join(f"s.{c}" for c in COMPARED)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO registry_entity ({columns}, "
                "created_at, updated_at, created_by_id, source_job_id) "
                f"SELECT {selected}, s.uscc, COALESCE(s.supervising_agency_id, %s), s.dedupe_key, "
                "%s, %s, %s, %s "
                "FROM registry_entitystaging s WHERE s.job_id = %s AND s.row_no BETWEEN %s AND %s "
                "AND NOT EXISTS (SELECT 1 FROM registry_entity e "
                "WHERE e.uscc = s.uscc AND e.merged_into_id IS NULL)",
                [self.job.unit_id, now, now, actor_id, self.job.pk, self.job.pk, lo, hi],
            )
            return max(cursor.rowcount, 0)
