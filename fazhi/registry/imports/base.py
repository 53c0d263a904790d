"""The validate-first import pipeline shared by the entity and officer lists.

1. ``job_validate`` reads the file in chunks, checks every row (codes, code
   tables, required fields, duplicates in the file), stages the valid rows,
   then checks them against the database in bulk, counts what would be new,
   changed and unchanged, and writes the XLSX error report. Nothing in the
   registry changes.
2. Only when the user chooses to import the valid rows does ``job_apply``
   write them, chunk by chunk, each chunk in its own transaction.

Both steps store their progress on the ``ImportJob`` row, so they run the
same under the immediate task backend (tests, development), the database
backend (a worker process) and the command line.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import logging
import queue
import tempfile
import threading
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

import polars as pl
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core.audit import audit_record
from fazhi.core.errors import DomainError
from fazhi.registry.choices import ImportStatus
from fazhi.registry.imports.readers import PlainCsv, SourceError, Table, csv_blocks, open_table
from fazhi.registry.imports.report import RowError, write_report
from fazhi.registry.models import ImportJob

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
Progress = Callable[[ImportJob], None]


class SystemActor:
    """Acts for imports started from the command line without a user."""

    pk = None
    is_authenticated = True
    is_superuser = True
    unit = None
    role = None

    def get_username(self) -> str:
        return "system"

    def has_perm(self, perm: str) -> bool:
        return True


@dataclass(frozen=True)
class Column:
    """One column of an import file (the header is file format, not UI text)."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


def normalize_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip().lstrip("*").strip()
    for suffix in ("(必填)", "(选填)"):
        text = text.removesuffix(suffix)
    return "".join(text.split()).lower()


class ImportSpec(ABC):
    """What one kind of list needs from the pipeline."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    staging_model: ClassVar[type[models.Model]]
    staging_fields: ClassVar[tuple[str, ...]]

    def __init__(self, job: ImportJob, actor: Any) -> None:
        self.job = job
        self.actor = actor
        self.index: dict[str, int] = {}
        self.headers: list[str] = []

    def bind(self, headers: list[str]) -> list[RowError]:
        """Map the file's header to columns; report missing required ones."""
        self.headers = headers
        wanted: dict[str, str] = {}
        for column in self.columns:
            for name in (column.header, column.key, *column.aliases):
                wanted[normalize_header(name)] = column.key
        for position, header in enumerate(headers):
            key = wanted.get(normalize_header(header))
            if key is not None and key not in self.index:
                self.index[key] = position
        errors = []
        for column in self.columns:
            if column.required and column.key not in self.index:
                errors.append(
                    RowError(
                        1,
                        column.header,
                        "",
                        _("The required column “%(c)s” is missing.") % {"c": column.header},
                    )
                )
        return errors

    def header_of(self, key: str) -> str:
        for column in self.columns:
            if column.key == key:
                return self.headers[self.index[key]] if key in self.index else column.header
        return key

    @abstractmethod
    def prepare(self) -> None:
        """Load the lookups the row checks need (code tables, units …)."""

    @abstractmethod
    def clean_chunk(
        self, chunk: Sequence[tuple[int, list[Any]]], errors: list[RowError]
    ) -> list[tuple[Any, ...]]:
        """Check rows; append errors; return staging tuples for the valid rows."""

    @abstractmethod
    def check_database(self) -> list[RowError]:
        """Check staged rows against the database; drop the ones that fail."""

    @abstractmethod
    def classify(self) -> tuple[int, int, int]:
        """Count staged rows that are (new, changed, unchanged)."""

    @abstractmethod
    def apply(self, progress: Callable[[int], None]) -> tuple[int, int, int]:
        """Write staged rows; return (created, updated, skipped)."""

    def direct_load(self, rows: int) -> CopyStream | None:
        """A stream that writes checked rows straight into the registry, for
        imports of ``rows`` rows on PostgreSQL that need no choice after the
        check (``valid_only``, ``import_if_clean``), or None (stage them).
        It may still decline in ``begin``; its transaction commits only if
        the rows are to be imported."""
        return None

    def staged(self) -> models.QuerySet[Any]:
        return self.staging_model.objects.filter(job_id=self.job.pk)  # type: ignore[attr-defined]

    def discard(self) -> None:
        self.staged().delete()

    def drop_rows(self, rows: set[int]) -> None:
        ordered = sorted(rows)
        for start in range(0, len(ordered), 900):
            self.staged().filter(row_no__in=ordered[start : start + 900]).delete()


# --- staging writes --------------------------------------------------------

STREAM_ROWS = 20_000  # from this many rows on, PostgreSQL stages in a thread


def stage_rows(
    model: type[models.Model], fields: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Bulk-write staging rows: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in ("job_id", "row_no", *fields))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * (len(fields) + 2))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


Step = tuple[pl.DataFrame, list[tuple[Any, ...]], int]  # checked frame, tuples, rows read


class ColumnarSpec(ImportSpec):
    """A spec that can also check big plain CSV files column by column."""

    @abstractmethod
    def prescan(self, plain: PlainCsv) -> bool:
        """Prepare a columnar check of the file; False: it cannot have one."""

    @abstractmethod
    def clean_block(
        self, plain: PlainCsv, row_no: int, block: bytes, errors: list[RowError]
    ) -> Step:
        """Check a block of a plain CSV column-wise, after ``prescan``."""

    def blocks(self, plain: PlainCsv, errors: list[RowError]) -> Iterator[Step]:
        for row_no, block in csv_blocks(plain):
            yield self.clean_block(plain, row_no, block, errors)


class CopyStream(ABC):
    """Rows the main thread checks, sent by a thread through one COPY.

    The main thread queues each checked chunk and goes on checking the next
    one while the thread, on its own connection, sends it: PostgreSQL parses
    and stores rows on the second core. Everything happens in one
    transaction of the thread's: ``close`` commits it, ``abort`` (or any
    error) rolls it back, so a failed check writes nothing.

    ``begin`` runs first in that transaction and may decline the stream
    (``started`` then returns False); ``end`` runs last, before the commit.
    """

    table: str
    columns: tuple[str, ...]

    def __init__(self) -> None:
        self.chunks: queue.Queue[Any] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.accepted = False
        self.rows = 0
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="import-staging", daemon=True)
        self.thread.start()

    def begin(self) -> bool:
        return True

    def end(self) -> None:  # noqa: B027 - an optional hook
        """Run last in the stream's transaction, before the commit."""

    def convert(self, rows: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        return iter(rows)

    @abstractmethod
    def frame_csv(self, frame: pl.DataFrame) -> bytes:
        """A frame of checked rows (``row_no`` and the staging fields) as CSV."""

    def after_commit(self) -> None:  # noqa: B027 - an optional hook
        """Run by the caller after ``close`` committed."""

    def _run(self) -> None:
        from django.db import connections

        connection = connections["default"]
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        finished = False
        try:
            with transaction.atomic():
                self.accepted = self.begin()
                self._ready.set()
                if not self.accepted:
                    return
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(
                        f"COPY {self.table} ({columns}) FROM STDIN (FORMAT csv)"
                    ) as copy,
                ):
                    while isinstance(rows := self.chunks.get(), list | pl.DataFrame):
                        if isinstance(rows, pl.DataFrame):
                            copy.write(self.frame_csv(rows))
                        else:
                            copy.write(_csv_text(self.convert(rows)))
                    finished = True
                    if rows is _ABORT:
                        raise _Aborted
                self.end()
        except _Aborted:
            pass
        except BaseException as exc:  # raised again by write() or close()
            self.error = exc
            if self.accepted and not finished:  # let the producer end
                while isinstance(self.chunks.get(), list | pl.DataFrame):
                    pass
        finally:
            self._ready.set()
            connection.close()

    def started(self) -> bool:
        """Wait for ``begin``; is the stream taking rows?"""
        self._ready.wait()
        if self.error is not None:
            raise self.error
        return self.accepted

    def write(self, rows: list[tuple[Any, ...]] | pl.DataFrame) -> None:
        if self.error is not None:
            raise self.error
        if len(rows):
            self.rows += len(rows)
            self.chunks.put(rows)

    def close(self) -> None:
        """Send the rest and commit."""
        self.chunks.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Roll back everything sent (the caller is already failing)."""
        if self.thread.is_alive():
            self.chunks.put(_ABORT)
            self.thread.join()
        if self.error is not None:
            logger.warning("an aborted import stream had failed: %s", self.error)


_ABORT = object()


class _Aborted(Exception):
    pass


def _csv_text(rows: Iterator[tuple[Any, ...]]) -> bytes:
    """Rows as COPY's CSV: strings quoted, None as an unquoted empty field (NULL)."""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_STRINGS, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


class StagingStream(CopyStream):
    """Stage checked rows of a big file on PostgreSQL (see ``CopyStream``)."""

    def __init__(self, job_id: int, model: type[models.Model], fields: Sequence[str]) -> None:
        self.job_id = job_id
        self.table = model._meta.db_table
        self.fields = tuple(fields)
        self.columns = ("job_id", "row_no", *self.fields)
        super().__init__()

    def frame_csv(self, frame: pl.DataFrame) -> bytes:
        out = io.BytesIO()
        frame.select(pl.lit(self.job_id).alias("job_id"), "row_no", *self.fields).write_csv(
            out, include_header=False
        )
        return out.getvalue()


# --- running a job ---------------------------------------------------------


def job_actor(job: ImportJob) -> Any:
    return job.created_by if job.created_by_id is not None else SystemActor()


def spec_for(job: ImportJob, actor: Any) -> ImportSpec:
    from fazhi.registry.imports.entities import EntitySpec
    from fazhi.registry.imports.officers import OfficerSpec

    specs: dict[str, type[ImportSpec]] = {
        EntitySpec.kind: EntitySpec,
        OfficerSpec.kind: OfficerSpec,
    }
    return specs[job.kind](job, actor)


@contextlib.contextmanager
def source_file(job: ImportJob) -> Iterator[Path]:
    """Yield a local path to the job's file (copying it out of remote storage)."""
    if job.source_path:
        yield Path(job.source_path)
        return
    if job.attachment is None:
        raise SourceError(_("The job has no file."), field="file")
    name = job.attachment.blob.storage_name
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    with (
        tempfile.NamedTemporaryFile(suffix=Path(job.source_name).suffix) as tmp,
        default_storage.open(name, "rb") as src,
    ):
        for block in iter(lambda: src.read(1 << 20), b""):
            tmp.write(block)
        tmp.flush()
        yield Path(tmp.name)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector: a million small lists trigger it constantly
    and nothing here makes reference cycles (refcounting frees each chunk)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _save(job: ImportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _save_now(job: ImportJob, **fields: Any) -> None:
    """Save progress so that others see it at once, even from inside the
    import's own long transaction (a bulk load): PostgreSQL commits it on
    another connection. If that fails, it is saved here, with the rest.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        _save(job, **fields)
        return
    saved: list[int] = []

    def save() -> None:
        try:
            # Never wait for a row this transaction may have locked.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
                saved.append(ImportJob.objects.filter(pk=job.pk).update(**fields))
        except Exception:
            logger.exception("saving the progress of import job %s", job.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=save, name="import-progress")
    thread.start()
    thread.join()
    if saved == [1]:
        for name, value in fields.items():
            setattr(job, name, value)
    else:
        _save(job, **fields)


def _chunks(
    rows: Iterator[tuple[int, list[Any]]], size: int
) -> Iterator[list[tuple[int, list[Any]]]]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield chunk


def _summary(job: ImportJob) -> list[tuple[str, Any]]:
    return [
        (_("File"), job.source_name),
        (_("Rows"), job.total_rows),
        (_("Valid rows"), job.valid_rows),
        (_("Rows with errors"), job.error_rows),
        (_("Errors"), job.error_count),
        (_("New"), job.new_rows),
        (_("Changed"), job.changed_rows),
        (_("Unchanged"), job.unchanged_rows),
    ]


def _write_report(job: ImportJob, errors: list[RowError]) -> None:
    errors.sort(key=lambda e: e.row)
    with tempfile.TemporaryFile() as tmp:
        write_report(tmp, errors, _summary(job))
        tmp.seek(0)
        if job.report:
            job.report.delete(save=False)
        job.report.save(f"import-{job.pk}-errors.xlsx", File(tmp), save=False)
    ImportJob.objects.filter(pk=job.pk).update(report=job.report.name)


def job_validate(job_id: int, *, on_progress: Progress | None = None) -> ImportJob:
    """Check every row of the job's file; stage the valid ones; write the report."""
    job = ImportJob.objects.select_related("attachment__blob", "unit", "created_by").get(pk=job_id)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.VALIDATING
    )
    if not claimed:
        return job
    job.status = ImportStatus.VALIDATING
    actor = job_actor(job)
    spec = spec_for(job, actor)
    stream: CopyStream | None = None
    try:
        spec.discard()
        errors: list[RowError] = []
        rows = 0
        with source_file(job) as path:
            table = open_table(path)
            _save(job, total_rows=table.total, processed_rows=0)
            header_errors = spec.bind(table.headers)
            if header_errors:
                errors.extend(header_errors)
            else:
                spec.prepare()
                stream, plain = _stream_for(job, spec, table)
                if plain is not None and isinstance(spec, ColumnarSpec):
                    table.rows.close()  # type: ignore[attr-defined]
                    steps = spec.blocks(plain, errors)
                else:
                    steps = _steps(spec, table.rows, errors)
                with gc_paused():
                    for frame, staged, count in steps:
                        if stream is None:
                            stage_rows(spec.staging_model, spec.staging_fields, staged)
                        else:
                            stream.write(frame)
                            stream.write(staged)
                        rows += count
                        _save(job, processed_rows=rows, total_rows=max(job.total_rows, rows))
                        if on_progress is not None:
                            on_progress(job)
        direct = stream is not None and not isinstance(stream, StagingStream)
        if direct:
            # Straight into an empty registry: every valid row is new and
            # nothing in the database can conflict with it.
            assert stream is not None
            new, changed, unchanged = stream.rows, 0, 0
        else:
            if stream is not None:
                stream.close()
            errors.extend(spec.check_database())
            new, changed, unchanged = spec.classify()
        bad_rows = {e.row for e in errors if e.row > 1 or not header_errors}
        _save(
            job,
            total_rows=rows,
            processed_rows=rows,
            error_rows=len(bad_rows),
            error_count=len(errors),
            valid_rows=new + changed + unchanged,
            new_rows=new,
            changed_rows=changed,
            unchanged_rows=unchanged,
        )
        _write_report(job, errors)
        if header_errors:
            _save(
                job,
                status=ImportStatus.FAILED,
                message="; ".join(e.reason for e in header_errors),
                finished_at=timezone.now(),
            )
        elif job.valid_rows and (job.valid_only or (job.import_if_clean and not job.error_rows)):
            if direct:
                assert stream is not None
                _save(job, status=ImportStatus.IMPORTING)
                stream.close()
                stream.after_commit()
                _done(job, actor, spec, created=new, updated=0, skipped=0)
            else:
                _save(job, status=ImportStatus.QUEUED)
                return job_apply(job.pk, on_progress=on_progress)
        else:
            if stream is not None:
                stream.abort()
            if job.import_if_clean and job.error_rows:  # refused: nothing is imported
                spec.discard()
                _save(job, status=ImportStatus.DISCARDED, finished_at=timezone.now())
                _audit(job, actor, "import.discard")
            else:
                _save(job, status=ImportStatus.VALIDATED)
    except DomainError as exc:
        if stream is not None:
            stream.abort()
        _fail(job, spec, str(exc.message))
    except Exception as exc:
        if stream is not None:
            stream.abort()
        logger.exception("import job %s failed while checking", job.pk)
        _fail(job, spec, _("The check stopped on an unexpected error: %(error)s") % {"error": exc})
        raise
    if on_progress is not None:
        on_progress(job)
    return job


def _steps(
    spec: ImportSpec, rows: Iterator[tuple[int, list[Any]]], errors: list[RowError]
) -> Iterator[Step]:
    """Check the rows chunk by chunk, as (no frame, staging tuples, rows read)."""
    empty = pl.DataFrame()
    for chunk in _chunks(rows, CHUNK_ROWS):
        yield empty, spec.clean_chunk(chunk, errors), len(chunk)


def _stream_for(
    job: ImportJob, spec: ImportSpec, table: Table
) -> tuple[CopyStream | None, PlainCsv | None]:
    """How a big file's checked rows reach PostgreSQL, and whether they are
    checked column-wise (the plain CSV then, else None).

    They go straight into the registry when the spec can load them so
    (``direct_load``), otherwise through staging, on another connection.
    That COPY would escape an enclosing transaction (tests, callers' atomic
    blocks): stream only outside one; smaller files and other databases
    stage chunk by chunk, checked row by row.
    """
    total = table.total
    if connection.vendor != "postgresql" or connection.in_atomic_block or total < STREAM_ROWS:
        return None, None
    columnar = isinstance(spec, ColumnarSpec) and table.plain and spec.prescan(table.plain)
    plain = table.plain if columnar else None
    if job.valid_only or job.import_if_clean:
        loader = spec.direct_load(total)
        if loader is not None and loader.started():
            return loader, plain
    return StagingStream(job.pk, spec.staging_model, spec.staging_fields), plain


def _fail(job: ImportJob, spec: ImportSpec, message: str) -> None:
    with contextlib.suppress(Exception):
        spec.discard()
    _save(job, status=ImportStatus.FAILED, message=message, finished_at=timezone.now())


def job_apply(job_id: int, *, on_progress: Progress | None = None) -> ImportJob:
    """Write the staged valid rows of a checked job (the user chose to import)."""
    job = ImportJob.objects.select_related("unit", "created_by", "attachment").get(pk=job_id)
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.IMPORTING
    )
    if not claimed:
        return job
    job.status = ImportStatus.IMPORTING
    _save(job, processed_rows=0, total_rows=job.total_rows)
    actor = job_actor(job)
    spec = spec_for(job, actor)
    total = max(job.valid_rows, 1)
    # Inside a caller's transaction the job row may be locked by it: another
    # connection must not wait for that.
    save = _save if connection.in_atomic_block else _save_now

    def progress(done: int) -> None:
        # Scale to the file's row count so the bar's last phase fills it.
        save(job, processed_rows=min(job.total_rows, done * job.total_rows // total))
        if on_progress is not None:
            on_progress(job)

    try:
        spec.prepare()
        with gc_paused():
            created, updated, skipped = spec.apply(progress)
        _done(job, actor, spec, created=created, updated=updated, skipped=skipped)
    except Exception as exc:
        logger.exception("import job %s failed while importing", job.pk)
        _fail(
            job, spec, _("The import stopped on an unexpected error: %(error)s") % {"error": exc}
        )
        raise
    if on_progress is not None:
        on_progress(job)
    return job


def _done(
    job: ImportJob, actor: Any, spec: ImportSpec, *, created: int, updated: int, skipped: int
) -> None:
    """Record a finished import on the job and in the audit log."""
    spec.discard()
    _save(
        job,
        status=ImportStatus.DONE,
        created_count=created,
        updated_count=updated,
        skipped_count=skipped,
        processed_rows=job.total_rows,
        finished_at=timezone.now(),
    )
    _audit(
        job,
        actor,
        f"{job.kind}.import",
        {
            "file": job.source_name,
            "sha256": job.source_sha256,
            "created": created,
            "updated": updated,
            "unchanged": job.unchanged_rows,
            "skipped": skipped,
            "rows_with_errors": job.error_rows,
        },
    )


def _audit(job: ImportJob, actor: Any, verb: str, after: dict[str, Any] | None = None) -> None:
    """Audit what a job did, as its user or, from the command line, as the system."""
    user = actor if getattr(actor, "pk", None) else None
    audit_record(
        actor=user,
        actor_label="" if user else "system",
        verb=verb,
        obj=job,
        after=after,
        unit=job.unit,
    )
