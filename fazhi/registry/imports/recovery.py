"""Keeping imports whole across crashes (issue 13): dead jobs, staging rows,
missing indexes.

An import writes its rows, its job's final state and its audit event in one
transaction, so a worker that dies leaves nothing half-applied: only the
job row still says "checking" or "importing". A worker holds a job it runs
(on PostgreSQL a session advisory lock, which dies with its connection;
elsewhere its host and process id, and the time of its last progress
save). ``jobs_recover`` finds jobs whose worker is gone and marks them
failed, with an audit event; ``staging_clean`` drops staging rows no job
needs; ``doctor`` does both and builds any index a bulk load did not get to
build again. The worker runs ``doctor`` before its first job and
``jobs_recover`` before each; ``./dev manage doctor`` runs it by hand.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core.audit import audit_record
from fazhi.registry import workflow
from fazhi.registry.choices import ImportStatus
from fazhi.registry.imports import pgbulk
from fazhi.registry.models import EntityStaging, ImportJob, OfficerStaging

logger = logging.getLogger(__name__)

JOB_LOCK = 7_301_002  # advisory lock class: (JOB_LOCK, job id) is held by the job's worker
# Without advisory locks, a job on another host is dead after this long without progress.
SILENT_FOR = datetime.timedelta(minutes=15)
STAGING_MODELS: tuple[type[models.Model], ...] = (EntityStaging, OfficerStaging)


def worker_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


@contextlib.contextmanager
def job_held(job: ImportJob) -> Iterator[None]:
    """Hold the job for this worker while it runs (see the module notes)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [JOB_LOCK, job.pk])
    try:
        yield
    finally:
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [JOB_LOCK, job.pk])


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_alive(job: ImportJob) -> bool:
    """Is the worker that runs ``job`` still there?"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [JOB_LOCK, job.pk])
            (free,) = cursor.fetchone()
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [JOB_LOCK, job.pk])
        return not free
    host, _sep, pid = job.worker.rpartition(":")
    if host == socket.gethostname()[:80] and pid.isdigit():
        return _process_alive(int(pid))
    last = job.heartbeat_at or job.created_at
    return timezone.now() - last < SILENT_FOR


def jobs_recover() -> list[int]:
    """Mark failed every job whose worker died while checking or importing it.

    Nothing of such a job is in the registry (its transaction died with
    it); its staging rows are dropped. Return the ids of the jobs marked.
    """
    marked = []
    for job in ImportJob.objects.filter(status__in=workflow.RUNNING).select_related("unit"):
        if worker_alive(job):
            continue
        phase = job.status
        message = (
            _(
                "The worker stopped while checking this file. "
                "Nothing was imported; upload the file again."
            )
            if phase == ImportStatus.VALIDATING
            else _(
                "The worker stopped while importing this file. Nothing was imported "
                "(the import is all or nothing); upload it again."
            )
        )
        with transaction.atomic():
            if not workflow.move(job, "fail", message=message, finished_at=timezone.now()):
                continue
            audit_record(
                actor=None,
                actor_label="system",
                verb="registry.importjob.fail",
                obj=job,
                before={"status": phase},
                after={"status": job.status, "worker": job.worker, "reason": "worker stopped"},
                unit=job.unit,
            )
        for model in STAGING_MODELS:
            model.objects.filter(job_id=job.pk).delete()  # type: ignore[attr-defined]
        logger.warning("import job %s: its worker %s died; marked failed", job.pk, job.worker)
        marked.append(job.pk)
    return marked


def staging_clean(*only: type[models.Model]) -> int:
    """Drop staging rows no job needs any more; return how many.

    On PostgreSQL, a staging table no live job uses is truncated (its
    space comes back at once); otherwise the dead rows are vacuumed after a
    big delete. Outside a transaction only (TRUNCATE and VACUUM would
    otherwise wait for the caller's locks or fail).
    """
    removed = 0
    live = ImportJob.objects.filter(status__in=workflow.KEEPS_STAGING).values("pk")
    for model in only or STAGING_MODELS:
        rows = model._default_manager.all()
        if (
            connection.vendor == "postgresql"
            and not connection.in_atomic_block
            and not rows.filter(job_id__in=live).exists()
            and _truncate(model)
        ):
            continue
        count, _kinds = rows.exclude(job_id__in=live).delete()
        removed += count
        if count >= pgbulk.BULK_ROWS:
            pgbulk.vacuum(model._meta.db_table)
    return removed


def _truncate(model: type[models.Model]) -> bool:
    """TRUNCATE an unused staging table if no one is writing to it now."""
    table = connection.ops.quote_name(model._meta.db_table)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            live = ImportJob.objects.filter(status__in=workflow.KEEPS_STAGING).values("pk")
            if model._default_manager.filter(job_id__in=live).exists():
                return False
            cursor.execute(f"TRUNCATE {table}")
    except Exception:  # a lock timeout: someone is staging; delete instead
        logger.info("staging table %s busy; not truncated", table)
        return False
    return True


@dataclass
class Checkup:
    dead_jobs: list[int] = field(default_factory=list)
    staging_rows: int = 0
    indexes_built: list[str] = field(default_factory=list)


def doctor() -> Checkup:
    """Everything a restart needs: dead jobs, staging rows, missing indexes."""
    result = Checkup()
    result.dead_jobs = jobs_recover()
    result.staging_rows = staging_clean()
    result.indexes_built = pgbulk.indexes_ensure()
    return result


_checked = False


def checkup_once() -> None:
    """``doctor`` on a worker's first job, ``jobs_recover`` before each."""
    global _checked
    if _checked:
        jobs_recover()
        return
    _checked = True
    doctor()
