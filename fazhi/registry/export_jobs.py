"""Exports of the entity list as background jobs, with progress and a download.

``export_start`` records the user's choice (format and filters) and queues
``export_task`` on the ``TASKS`` backend (``./dev worker`` in production, at
once in tests and development), like the import checks and the big draws.
A small list (up to ``FAZHI_EXPORT_INLINE_MAX`` rows, 20,000 unless
configured) is written at once in the request, so its page offers the file
straight away; a big one never runs in a request, whatever its size.

The run writes to a scratch file and stores it only when it is whole: the
stored name is saved in the same update that marks the job done. A worker
that dies mid-export leaves a job still "running" with a worker that is gone
(or silent for ``SILENT_FOR``): ``export_rerun`` queues it again, and until
then nothing can be downloaded.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import os
import socket
import tempfile
import threading
import time
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import QuerySet
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.actors import SystemActor
from fazhi.core.audit import audit_record
from fazhi.core.errors import Conflict, DomainError
from fazhi.registry import exports, selectors
from fazhi.registry.choices import ExportFormat, ExportStatus
from fazhi.registry.models import ExportJob

logger = logging.getLogger(__name__)

EXPORT_PERM = "registry.add_exportjob"
# A job whose worker has said nothing for this long is taken for dead
# (progress is saved every few thousand rows, seconds apart).
SILENT_FOR = datetime.timedelta(minutes=2)
SAVE_EVERY = 1.0  # seconds between progress saves


def keep_days() -> int:
    return int(getattr(settings, "EXPORT_KEEP_DAYS", 7))


def inline_max() -> int:
    return int(getattr(settings, "FAZHI_EXPORT_INLINE_MAX", 20_000))


def worker_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_gone(job: ExportJob) -> bool:
    """Has the worker of a queued or running job died (so it may run again)?"""
    if job.status == ExportStatus.QUEUED:
        return timezone.now() - job.created_at > SILENT_FOR * 30  # never picked up
    if job.status != ExportStatus.RUNNING:
        return False
    host, _sep, pid = job.worker.rpartition(":")
    if host == socket.gethostname()[:80] and pid.isdigit() and not _process_alive(int(pid)):
        return True
    last = job.heartbeat_at or job.started_at or job.created_at
    return timezone.now() - last > SILENT_FOR


def may_rerun(job: ExportJob) -> bool:
    return job.status == ExportStatus.FAILED or worker_gone(job)


# --- reads ---------------------------------------------------------------------


def export_list(*, actor: Any) -> QuerySet[ExportJob]:
    """The actor's own exports, newest first (an export is its maker's)."""
    policy.require(actor, EXPORT_PERM)
    return ExportJob.objects.filter(created_by_id=getattr(actor, "pk", None))


def export_get(*, actor: Any, pk: int) -> ExportJob:
    """One of the actor's exports; raise ``ExportJob.DoesNotExist`` otherwise."""
    return export_list(actor=actor).get(pk=pk)


def _entities(job: ExportJob) -> QuerySet[Any]:
    filters = selectors.EntityFilters(**job.filters)
    return selectors.entity_list(actor=job.created_by, filters=filters)


# --- services --------------------------------------------------------------------


@policy.requires(EXPORT_PERM)
def export_start(
    *, actor: Any, filters: selectors.EntityFilters, format: str, run: bool = True
) -> ExportJob:
    """Export the entities ``actor`` sees that match ``filters``.

    A small list is written before this returns; a big one is queued.
    """
    policy.require(actor, "registry.view_entity")
    if format not in ExportFormat.values:
        raise DomainError(_("Unknown export format."), field="format")
    if getattr(actor, "pk", None) is None:
        raise DomainError(_("Only a signed-in user can export."))
    data = dataclasses.asdict(filters)
    with transaction.atomic():
        job = ExportJob.objects.create(format=format, filters=data, created_by=actor)
        audit_record(
            actor=actor,
            verb="registry.exportjob.create",
            obj=job,
            after={"format": format, "filters": {k: v for k, v in data.items() if v}},
            unit=getattr(actor, "unit", None),
        )
    if run:
        limit = inline_max()
        if _entities(job)[: limit + 1].count() <= limit:
            export_run(job.pk)
        else:
            _enqueue(job.pk)
        job.refresh_from_db()
    return job


@policy.requires(EXPORT_PERM)
def export_rerun(*, actor: Any, job: ExportJob, run: bool = True) -> ExportJob:
    """Queue again an export that failed or whose worker died."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.created_by_id != actor.pk:
            raise ExportJob.DoesNotExist
        if not may_rerun(job):
            raise Conflict(_("This export is running or done; it cannot be run again now."))
        before = {"status": job.status, "worker": job.worker}
        job.status = ExportStatus.QUEUED
        job.written_rows = 0
        job.message = ""
        job.worker = ""
        job.heartbeat_at = None
        job.started_at = None
        job.finished_at = None
        job.task_id = ""
        job.save()
        audit_record(
            actor=actor,
            verb="registry.exportjob.rerun",
            obj=job,
            before=before,
            after={"status": job.status},
            unit=getattr(actor, "unit", None),
        )
    if run:
        _enqueue(job.pk)
        job.refresh_from_db()
    return job


# --- the run ---------------------------------------------------------------------


@task
def export_task(job_id: int) -> str:
    """Write a queued export (the worker runs this), then delete old files."""
    status = export_run(job_id)
    exports_expire()
    return status


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports written more than ``EXPORT_KEEP_DAYS`` ago.

    The job stays (who exported what, when, with which filters); its page
    says the file is gone. Run by the worker after each export and by
    ``manage exports_expire`` (``./dev serve``/``demo`` and the worker's
    service run it at start). Return how many files were deleted.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days())
    actor = SystemActor("exports_expire")
    old = (
        ExportJob.objects.filter(status=ExportStatus.DONE, finished_at__lt=cutoff)
        .exclude(file="")
        .select_related("created_by__unit")
    )
    deleted = 0
    for job in old:
        name = str(job.file.name)
        with transaction.atomic():
            if not ExportJob.objects.filter(pk=job.pk, file=name).update(file=""):
                continue  # deleted meanwhile by another run
            audit_record(
                actor=actor,
                verb="registry.exportjob.expire",
                obj=job,
                before={"file": name, "size": job.size},
                after={"file": "", "keep_days": keep_days()},
                unit=job.created_by.unit,
            )
            transaction.on_commit(functools.partial(default_storage.delete, name))
        deleted += 1
    return deleted


def _enqueue(job_id: int) -> None:
    result = export_task.enqueue(job_id)
    ExportJob.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id)[:64])


def _claim(job_id: int) -> bool:
    """Take a queued job for this worker (one worker per job)."""
    now = timezone.now()
    return bool(
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.RUNNING,
            worker=worker_id(),
            started_at=now,
            heartbeat_at=now,
            written_rows=0,
        )
    )


def export_run(job_id: int) -> str:
    """Write the file of a queued export and store it (the task's body)."""
    if not _claim(job_id):
        return str(ExportJob.objects.filter(pk=job_id).values_list("status", flat=True).first())
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    entities = _entities(job)
    total = entities.count()
    ExportJob.objects.filter(pk=job_id).update(total_rows=total)
    last = [time.monotonic()]

    def progress(done: int) -> None:
        now = time.monotonic()
        if now - last[0] < SAVE_EVERY and done < total:
            return
        last[0] = now
        _save_progress(job_id, written_rows=min(done, total), heartbeat_at=timezone.now())

    try:
        name, size, rows = _write(job, entities, progress)
    except Exception as exc:
        logger.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED,
            message=_("The export stopped on an unexpected error (logged): %(error)s")
            % {"error": type(exc).__name__},
            finished_at=timezone.now(),
        )
        return ExportStatus.FAILED
    with transaction.atomic():
        updated = ExportJob.objects.filter(
            pk=job_id, status=ExportStatus.RUNNING, worker=worker_id()
        ).update(
            status=ExportStatus.DONE,
            file=name,
            size=size,
            written_rows=rows,
            total_rows=max(total, rows),
            heartbeat_at=timezone.now(),
            finished_at=timezone.now(),
        )
        if not updated:  # taken for dead and run again meanwhile: that run's file counts
            transaction.on_commit(lambda: default_storage.delete(name))
            return ExportStatus.FAILED
        audit_record(
            actor=job.created_by,
            verb="registry.exportjob.done",
            obj=job,
            after={"rows": rows, "size": size, "format": job.format},
            unit=job.created_by.unit,
        )
    return ExportStatus.DONE


def _save_progress(job_id: int, **fields: Any) -> None:
    """Save progress where the page sees it. On PostgreSQL from a connection
    of its own: the run's connection may be in the middle of a ``COPY``,
    which no other statement may interrupt."""
    me = worker_id()

    def save() -> None:
        ExportJob.objects.filter(pk=job_id, worker=me).update(**fields)

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        save()  # (no COPY reports progress inside a transaction: exports._copy_csv)
        return

    def save_apart() -> None:
        try:
            save()
        except Exception:
            logger.warning("progress of export %s not saved", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=save_apart, name="export-progress")
    thread.start()
    thread.join()


def _write(job: ExportJob, entities: QuerySet[Any], progress: Any) -> tuple[str, int, int]:
    """Write the export to a scratch file, then store it whole; return the
    stored name, its size and the rows written."""
    target = f"registry/exports/{job.pk}-{timezone.now():%Y%m%d%H%M%S}.{job.format}"
    with tempfile.NamedTemporaryFile(prefix="fazhi-export-", suffix=f".{job.format}") as scratch:
        if job.format == ExportFormat.CSV:
            rows = exports.entities_csv(scratch, entities, progress)
            scratch.flush()
        else:
            rows = exports.entities_xlsx_fast(scratch.name, entities, progress)
        size = os.path.getsize(scratch.name)
        with open(scratch.name, "rb") as whole:
            name = default_storage.save(target, File(whole))
    return name, size, rows


def export_open(job: ExportJob) -> Any:
    """The stored file of a finished export."""
    name = job.file.name if job.file else None
    if job.expired:
        raise Conflict(
            _("The file of this export was deleted after %(days)s days: export the list again.")
            % {"days": keep_days()}
        )
    if job.status != ExportStatus.DONE or not name:
        raise Conflict(_("The export is not ready yet."))
    return default_storage.open(name, "rb")


def content_type(job: ExportJob) -> str:
    return exports.CSV if job.format == ExportFormat.CSV else exports.XLSX
