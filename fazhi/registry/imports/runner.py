"""Running an import job: the validate-first pipeline shared by the entity
and officer lists.

1. ``job_validate`` reads the file in chunks, checks every row (codes, code
   tables, required fields, duplicates in the file), stages the valid rows,
   then checks them against the database in bulk, counts what would be new,
   changed and unchanged, and writes the XLSX error report. Nothing in the
   registry changes.
2. Only when the user chooses to import the valid rows does ``job_apply``
   write them.

Both steps store their progress on the ``ImportJob`` row, so they run the
same under the immediate task backend (tests, development), the database
backend (a worker process) and the command line.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import tempfile
import threading
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core.actors import SystemActor
from fazhi.core.audit import audit_record
from fazhi.core.errors import DomainError
from fazhi.registry import workflow
from fazhi.registry.imports import kinds, limits, recovery, streams
from fazhi.registry.imports.readers import PlainCsv, SourceError, Table, open_table
from fazhi.registry.imports.report import RowError, write_report
from fazhi.registry.imports.spec import ColumnarSpec, ImportSpec, Step
from fazhi.registry.imports.streams import CopyStream, StagingStream, stage_rows
from fazhi.registry.models import ImportJob

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
Progress = Callable[[ImportJob], None]


def job_actor(job: ImportJob) -> Any:
    return job.created_by if job.created_by_id is not None else SystemActor("system")


def spec_for(job: ImportJob, actor: Any) -> ImportSpec:
    return kinds.SPECS[job.kind](job, actor)


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
    fields["heartbeat_at"] = timezone.now()  # every save by the worker is a sign of life
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


def _claim(job: ImportJob, step: str) -> bool:
    """Take a waiting job for this worker (after ``recovery.job_held``)."""
    return workflow.move(job, step, worker=recovery.worker_id(), heartbeat_at=timezone.now())


def job_validate(job_id: int, *, on_progress: Progress | None = None) -> ImportJob:
    """Check every row of the job's file; stage the valid ones; write the report."""
    job = ImportJob.objects.select_related("attachment__blob", "unit", "created_by").get(pk=job_id)
    recovery.checkup_once()
    with recovery.job_held(job):
        if not _claim(job, "check"):
            return job
        return _validate(job, on_progress)


def _validate(job: ImportJob, on_progress: Progress | None) -> ImportJob:
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
                        limits.rows_check(rows)
                        _save(job, processed_rows=rows, total_rows=max(job.total_rows, rows))
                        if on_progress is not None:
                            on_progress(job)
                        if len(errors) >= limits.max_errors():
                            return _too_many_errors(job, spec, stream, errors, rows)
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
            workflow.move(
                job,
                "fail",
                message="; ".join(e.reason for e in header_errors),
                finished_at=timezone.now(),
            )
        elif job.valid_rows and (job.valid_only or (job.import_if_clean and not job.error_rows)):
            if direct:
                assert stream is not None
                workflow.move(job, "load")
                loaded = stream

                def record() -> None:  # in the load's own transaction, on its thread
                    _done(job, actor, spec, created=loaded.rows, updated=0, skipped=0)

                stream.on_end = record
                stream.close()
                stream.after_commit()
            else:
                workflow.move(job, "queue")
                return job_apply(job.pk, on_progress=on_progress)
        else:
            if stream is not None:
                stream.abort()
            if job.import_if_clean and job.error_rows:  # refused: nothing is imported
                spec.discard()
                workflow.move(job, "refuse", finished_at=timezone.now())
                _audit(job, actor, "registry.importjob.discard")
            else:
                workflow.move(job, "checked")
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


def _too_many_errors(
    job: ImportJob,
    spec: ImportSpec,
    stream: CopyStream | None,
    errors: list[RowError],
    rows: int,
) -> ImportJob:
    """Stop a check that found too many errors: report the first ones only."""
    if stream is not None:
        stream.abort()
    spec.discard()
    errors.sort(key=lambda e: e.row)
    del errors[limits.max_errors() :]
    _save(
        job,
        processed_rows=rows,
        error_rows=len({e.row for e in errors}),
        error_count=len(errors),
        valid_rows=0,
    )
    _write_report(job, errors)
    message = _(
        "The check stopped after %(n)s errors (at row %(row)s). The report lists them: "
        "fix these first, then upload the file again."
    ) % {"n": f"{len(errors):,}", "row": f"{errors[-1].row:,}"}
    workflow.move(job, "fail", message=message, finished_at=timezone.now())
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
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or total < streams.STREAM_ROWS
    ):
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
    workflow.move(job, "fail", message=message, finished_at=timezone.now())


def job_apply(job_id: int, *, on_progress: Progress | None = None) -> ImportJob:
    """Write the staged valid rows of a checked job (the user chose to import)."""
    job = ImportJob.objects.select_related("unit", "created_by", "attachment").get(pk=job_id)
    recovery.checkup_once()
    with recovery.job_held(job):
        if not _claim(job, "import"):
            return job
        return _apply(job, on_progress)


def _apply(job: ImportJob, on_progress: Progress | None) -> ImportJob:
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
        # All or nothing: the rows, the job's new state and the audit event
        # commit together; a crash or an error leaves the registry as it was.
        with gc_paused(), transaction.atomic():
            created, updated, skipped = spec.apply(progress)
            _done(job, actor, spec, created=created, updated=updated, skipped=skipped)
        spec.after_commit()
        recovery.staging_clean(spec.staging_model)
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
    """Record a finished import on the job and in the audit log, in the
    transaction that wrote its rows."""
    workflow.move(
        job,
        "done",
        created_count=created,
        updated_count=updated,
        skipped_count=skipped,
        processed_rows=job.total_rows,
        finished_at=timezone.now(),
    )
    _audit(
        job,
        actor,
        f"registry.{job.kind}.import",
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
