"""Nothing lost on a crash (issue 13): a worker killed at any phase of an
import leaves the registry as it was (or, after the commit, complete), the
job marked failed with an audit event, no staging rows, every index back,
and an audit chain that verifies."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from fazhi.core.audit import audit_verify
from fazhi.core.models import AuditEvent
from fazhi.registry import workflow
from fazhi.registry.choices import ImportStatus
from fazhi.registry.imports import jobs, pgbulk, recovery, runner
from fazhi.registry.models import Entity, EntityStaging, ImportJob
from fazhi.registry.tests import factories as f
from fazhi.registry.tests.test_import_entities import _table_structure

ROOT = Path(__file__).resolve().parents[3]

# Run in a separate process, which kills itself (SIGKILL: no clean-up at
# all) at the named phase of the job.
CRASH = """
import os, signal, sys
import django
django.setup()
from fazhi.registry.imports import entities, entity_apply, pgbulk, runner

phase, job_id = sys.argv[1], int(sys.argv[2])

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if phase == "check":
    entities.EntitySpec.clean_chunk = die
    runner.job_validate(job_id)
elif phase == "stage":
    real_stage = runner.stage_rows
    def stage(*args):
        real_stage(*args)  # committed
        die()
    runner.stage_rows = stage
    runner.job_validate(job_id)
elif phase == "apply":
    real_insert = entities.EntitySpec._insert
    def insert(self, lo, hi):
        real_insert(self, lo, hi)  # written, not committed
        die()
    entities.EntitySpec._insert = insert
    runner.job_apply(job_id)
elif phase == "index":
    pgbulk.BULK_ROWS = 1
    def build(statements):
        pgbulk.bulk_restore([s for s in statements if " USING gin " not in s][:1])
        die()
    pgbulk.bulk_restore_parallel = build
    runner.job_apply(job_id)
"""


def _crash(phase: str, job: ImportJob) -> None:
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://root@127.0.0.1:5432/{name}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", CRASH, phase, str(job.pk)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]


def _job(personas: Any, path: Path) -> ImportJob:
    return jobs.import_job_create(
        actor=personas.county_a_officer,
        kind="entity",
        unit=personas.county_a,
        filename=path.name,
        path=str(path),
        run=False,
    )


def _stage(job: ImportJob) -> None:
    EntityStaging.objects.create(
        job_id=job.pk,
        row_no=2,
        uscc="x",
        name="x",
        address="x",
        region_code="370811",
        category_bits=0,
        key_supervision=False,
        dedupe_key="x",
    )


def _events(job: ImportJob, verb: str) -> int:
    return AuditEvent.objects.filter(verb=verb, object_id=str(job.pk)).count()


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="kills a worker process on a shared database"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("phase", ["check", "stage", "apply", "index"])
def test_a_worker_killed_at_any_phase_loses_nothing(personas, tmp_path, phase):
    structure = _table_structure()
    # A registry that has entities (a bulk load needs an empty-ish one: not for "index").
    existing = [] if phase == "index" else [f.entity_row(n) for n in range(1, 3)]
    if existing:
        path = f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, existing)
        first = runner.job_validate(_job(personas, path).pk)
        jobs.import_job_confirm(actor=personas.county_a_officer, job=first, run=False)
        assert runner.job_apply(first.pk).status == ImportStatus.DONE
    rows = [*existing, *(f.entity_row(n) for n in range(3, 9))]
    job = _job(personas, f.write_csv(tmp_path / "b.csv", f.ENTITY_HEADERS, rows))
    if phase in ("apply", "index"):
        job = runner.job_validate(job.pk)
        jobs.import_job_confirm(actor=personas.county_a_officer, job=job, run=False)
    before = Entity.objects.count()

    _crash(phase, job)

    job.refresh_from_db()
    # What the dead worker left: a job "running", or, killed after the commit, done.
    assert job.status == ImportStatus.DONE if phase == "index" else job.status in workflow.RUNNING
    checkup = recovery.doctor()
    job.refresh_from_db()
    if phase == "index":
        # Killed after the commit: the import stands, recorded; the indexes come back.
        assert job.status == ImportStatus.DONE
        assert Entity.objects.count() == before + len(rows) == len(rows)
        assert _events(job, "registry.entity.import") == 1
        assert checkup.indexes_built
        assert checkup.dead_jobs == []
    else:
        assert job.status == ImportStatus.FAILED
        assert "worker stopped" in job.message
        assert checkup.dead_jobs == [job.pk]
        assert Entity.objects.count() == before
        assert _events(job, "registry.importjob.fail") == 1
        assert _events(job, "registry.entity.import") == 0
    assert not EntityStaging.objects.exists()
    assert _table_structure() == structure
    assert audit_verify()[1] is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_running_job_is_not_taken_for_dead(personas, tmp_path):
    job = _job(personas, f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, [f.entity_row(1)]))
    seen: list[list[int]] = []
    real_prepare = type(runner.spec_for(job, personas.county_a_officer)).prepare

    def prepare(self: Any) -> None:
        # While this job runs, a second worker (another connection) looks.
        import threading

        def look() -> None:
            seen.append(recovery.jobs_recover())
            connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        real_prepare(self)

    import fazhi.registry.imports.entities as entities

    original = entities.EntitySpec.prepare
    entities.EntitySpec.prepare = prepare  # type: ignore[method-assign]
    try:
        job = runner.job_validate(job.pk)
    finally:
        entities.EntitySpec.prepare = original  # type: ignore[method-assign]
    assert seen == [[]]
    assert job.status == ImportStatus.VALIDATED


@pytest.mark.django_db
def test_a_job_whose_process_is_gone_is_marked_failed(personas, tmp_path):
    job = _job(personas, f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, [f.entity_row(1)]))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = recovery.worker_id().rpartition(":")[0]
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING,
        worker=f"{host}:{dead.stdout.strip()}",
        heartbeat_at=timezone.now(),
    )
    _stage(job)
    if connection.vendor == "postgresql":
        assert recovery.worker_alive(ImportJob.objects.get(pk=job.pk)) is False
    assert recovery.jobs_recover() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Nothing was imported" in job.message
    assert not EntityStaging.objects.filter(job_id=job.pk).exists()
    assert _events(job, "registry.importjob.fail") == 1
    assert recovery.jobs_recover() == []  # once


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL uses the advisory lock")
@pytest.mark.django_db
def test_a_job_on_another_host_is_dead_only_after_a_silence(personas, tmp_path):
    job = _job(personas, f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, [f.entity_row(1)]))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, worker="elsewhere:1", heartbeat_at=timezone.now()
    )
    assert recovery.jobs_recover() == []
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - recovery.SILENT_FOR - datetime.timedelta(seconds=1)
    )
    assert recovery.jobs_recover() == [job.pk]


@pytest.mark.django_db
def test_staging_rows_no_job_needs_are_cleaned(personas, tmp_path):
    done = _job(personas, f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, [f.entity_row(1)]))
    waiting = runner.job_validate(
        _job(personas, f.write_csv(tmp_path / "b.csv", f.ENTITY_HEADERS, [f.entity_row(2)])).pk
    )
    ImportJob.objects.filter(pk=done.pk).update(status=ImportStatus.DONE)
    _stage(done)
    assert recovery.staging_clean() == 1
    assert list(EntityStaging.objects.values_list("job_id", flat=True)) == [waiting.pk]


@pytest.mark.django_db
def test_the_doctor_command_reports(personas, capsys):
    from django.core.management import call_command

    call_command("doctor")
    out = capsys.readouterr().out
    assert "import jobs whose worker died, now failed: none" in out
    assert "staging rows removed: 0" in out


@pytest.mark.django_db
def test_a_job_of_this_live_process_is_not_taken_for_dead(personas, tmp_path):
    job = _job(personas, f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, [f.entity_row(1)]))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, worker=recovery.worker_id(), heartbeat_at=timezone.now()
    )
    if connection.vendor == "postgresql":
        with recovery.job_held(job):
            assert _other_connection_sees_alive(job)
    else:
        assert recovery.jobs_recover() == []


def _other_connection_sees_alive(job: ImportJob) -> bool:
    import threading

    seen: list[bool] = []

    def look() -> None:
        seen.append(recovery.worker_alive(job))
        connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return seen == [True]


def test_every_import_state_is_reached_by_a_step():
    targets = {step.target for step in workflow.STEPS} | {ImportStatus.PENDING}
    assert targets == set(ImportStatus.values)
    assert workflow.RUNNING | workflow.WAITING | workflow.FINAL | {ImportStatus.VALIDATED} == set(
        ImportStatus.values
    )
    assert pgbulk.BULK_ROWS > 1
