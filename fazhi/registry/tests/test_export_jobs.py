"""Exports of the entity list as background jobs (issue 15): CSV and XLSX,
scope, permission, progress, and a job whose worker died."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fazhi.core.models import AuditEvent, Role
from fazhi.registry import export_jobs, exports, selectors
from fazhi.registry.choices import ExportStatus
from fazhi.registry.imports import entity_layout
from fazhi.registry.models import Entity, ExportJob
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
HEADERS = [c.header for c in entity_layout.COLUMNS]


@pytest.fixture
def entities(personas):
    a = [
        f.entity(
            personas.county_a,
            region_code="370811",
            risk_level="high",
            key_supervision=True,
            scale="small",
            contact_phone="05371234567",
            legal_representative="张三",
        )
        for _ in range(3)
    ]
    b = [f.entity(personas.county_b, region_code="370826") for _ in range(2)]
    return a, b


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(exports.BOM)
    return list(csv.reader(io.StringIO(content[len(exports.BOM) :].decode())))


def _xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return [[str(c) for c in row] for row in sheet.to_python()]


def _download(client, job_id: int) -> bytes:
    response = client.get(reverse("registry:export_download", args=[job_id]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _expected(entity_qs) -> list[list[str]]:
    categories = selectors.category_list()
    return [
        ["" if v is None else str(v) for v in entity_layout.export_row(e, categories)]
        for e in entity_qs.select_related("supervising_agency").order_by("-id")
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_writes_the_list_in_the_import_layout(personas, entities, fmt):
    officer = personas.county_a_officer
    client = personas.client(officer)
    response = client.post(reverse("registry:entity_export_start"), {"format": fmt})
    job = ExportJob.objects.get()
    assert response.url == reverse("registry:export_detail", args=[job.pk])
    assert job.status == ExportStatus.DONE
    assert job.written_rows == 3 == job.total_rows
    page = client.get(response.url).content.decode()
    assert reverse("registry:export_download", args=[job.pk]) in page
    content = _download(client, job.pk)
    rows = _csv_rows(content) if fmt == "csv" else _xlsx_rows(content)
    assert rows[0] == HEADERS
    # Scope: a county officer gets the county's entities only.
    assert rows[1:] == _expected(Entity.objects.filter(supervising_agency=personas.county_a))
    assert rows[1][HEADERS.index("重点监管")] == "是"
    assert rows[1][HEADERS.index("联系电话")] == "05371234567"  # text, leading zero kept
    assert AuditEvent.objects.filter(verb="registry.exportjob.create").count() == 1


def test_the_fast_rows_match_the_import_layout(personas, entities):
    f.entity(personas.county_a, category_bits=0b101, status="cancelled", credit_class="B")
    everything = Entity.objects.all()
    assert [list(r) for r in exports.entity_rows(everything)] == _expected(everything)


def test_filters_apply_and_an_empty_list_still_has_its_headers(personas, entities):
    client = personas.client(personas.city_officer)
    url = reverse("registry:entity_export_start") + "?risk_level=major"
    client.post(url, {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert job.filters["risk_level"] == "major"
    assert job.written_rows == 0
    assert _xlsx_rows(_download(client, job.pk)) == [HEADERS]


def test_a_role_without_the_export_permission_is_refused(personas, entities):
    role = Role.objects.get(code="officer")
    role.permissions.remove(Permission.objects.get(codename="add_exportjob"))
    client = personas.client(personas.county_a_officer)
    assert (
        client.post(reverse("registry:entity_export_start"), {"format": "csv"}).status_code == 403
    )
    assert client.get(reverse("registry:entity_export")).status_code == 403
    assert (
        client.post(f"{BASE}/entities/exports", {"format": "csv"}, "application/json").status_code
        == 403
    )
    assert "entity-export" not in client.get(reverse("registry:entity_list")).content.decode()
    assert not ExportJob.objects.exists()


def test_an_export_is_its_makers_only(personas, entities):
    job = export_jobs.export_start(
        actor=personas.county_a_officer, filters=selectors.EntityFilters(), format="csv"
    )
    other = personas.client(personas.city_reviewer)
    assert other.get(reverse("registry:export_detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("registry:export_download", args=[job.pk])).status_code == 404
    assert other.get(f"{BASE}/exports/{job.pk}").status_code == 404


def test_a_big_list_runs_in_the_background_with_progress(
    personas, entities, settings, monkeypatch
):
    settings.FAZHI_EXPORT_INLINE_MAX = 2
    monkeypatch.setattr(export_jobs, "SAVE_EVERY", 0.0)
    monkeypatch.setattr(exports, "CHUNK", 1)
    queued: list[int] = []
    monkeypatch.setattr(export_jobs, "_enqueue", lambda job_id: queued.append(job_id))
    client = personas.client(personas.county_a_officer)
    client.post(reverse("registry:entity_export_start"), {"format": "csv"})
    job = ExportJob.objects.get()
    assert queued == [job.pk]
    assert job.status == ExportStatus.QUEUED
    body = client.get(reverse("registry:export_progress", args=[job.pk])).content.decode()
    assert "hx-get" in body  # the page polls
    assert client.get(reverse("registry:export_download", args=[job.pk])).status_code == 302

    seen: list[tuple[int, int]] = []
    real = exports.entities_csv

    def spy(target, rows, progress=None):
        def saved(done):
            progress(done)
            seen.append(ExportJob.objects.values_list("written_rows", "total_rows").get(pk=job.pk))

        return real(target, rows, saved)

    monkeypatch.setattr(exports, "entities_csv", spy)
    assert export_jobs.export_run(job.pk) == ExportStatus.DONE
    assert seen
    assert seen[-1] == (3, 3)
    job.refresh_from_db()
    assert job.percent == 100
    assert len(_csv_rows(_download(client, job.pk))) == 4


def test_a_big_list_is_refused_in_the_response_but_not_in_the_background(
    personas, entities, settings
):
    settings.FAZHI_EXPORT_INLINE_MAX = 2
    client = personas.client(personas.county_a_officer)
    assert client.get(reverse("registry:entity_export")).status_code == 302
    assert client.get(f"{BASE}/entities/export").status_code == 409
    started = client.post(f"{BASE}/entities/exports", {"format": "xlsx"}, "application/json")
    assert started.status_code == 202
    body = client.get(f"{BASE}/exports/{started.json()['id']}").json()
    assert body["status"] == "done"
    assert body["written_rows"] == 3
    file = client.get(body["download_url"])
    assert file.status_code == 200
    assert _xlsx_rows(b"".join(file.streaming_content))[0] == HEADERS


def test_a_killed_export_serves_no_half_file_and_runs_again(personas, entities, monkeypatch):
    """The worker dies mid-export: the job stays "running", no file is offered;
    once its worker is known gone it can be run again, and then it is whole."""

    class Killed(BaseException):  # what a SIGKILL looks like from inside: nothing is caught
        pass

    def die(*args, **kwargs):
        raise Killed

    queued: list[int] = []
    monkeypatch.setattr(export_jobs, "_enqueue", lambda job_id: queued.append(job_id))
    actor = personas.county_a_officer
    job = export_jobs.export_start(
        actor=actor, filters=selectors.EntityFilters(), format="csv", run=False
    )
    monkeypatch.setattr(exports, "_copy_csv", die)
    monkeypatch.setattr(exports, "entity_rows", die)
    with pytest.raises(Killed):
        export_jobs.export_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING
    assert not job.file
    client = personas.client(actor)
    assert client.get(reverse("registry:export_download", args=[job.pk])).status_code == 302
    assert client.get(f"{BASE}/exports/{job.pk}/download").status_code == 409
    assert (
        not default_storage.exists("registry/exports")
        or not default_storage.listdir("registry/exports")[1]
    )
    # Its worker is alive (this process): no rerun yet.
    assert not export_jobs.may_rerun(job)
    assert client.post(f"{BASE}/exports/{job.pk}/rerun").status_code == 409
    # The worker's process is gone.
    ExportJob.objects.filter(pk=job.pk).update(
        worker="{}:999999999".format(export_jobs.worker_id().rpartition(":")[0])
    )
    monkeypatch.undo()
    assert client.get(f"{BASE}/exports/{job.pk}").json()["may_rerun"] is True
    page = client.get(reverse("registry:export_detail", args=[job.pk])).content.decode()
    assert "export-rerun" in page
    response = client.post(reverse("registry:export_rerun", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.written_rows == 3
    assert len(_csv_rows(_download(client, job.pk))) == 4
    assert AuditEvent.objects.filter(verb="registry.exportjob.rerun").count() == 1


def test_a_failed_export_says_why_and_can_run_again(personas, entities, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "entities_xlsx_fast", broken)
    job = export_jobs.export_start(
        actor=personas.county_a_officer, filters=selectors.EntityFilters(), format="xlsx"
    )
    assert job.status == ExportStatus.FAILED
    assert "RuntimeError" in job.message
    assert not job.file
    monkeypatch.undo()
    job = export_jobs.export_rerun(actor=personas.county_a_officer, job=job)
    assert job.status == ExportStatus.DONE


def test_an_address_with_a_line_break_is_one_row(personas):
    f.entity(personas.county_a, address="任城区\n测试路1号", name='济宁"引号"有限公司')
    job = export_jobs.export_start(
        actor=personas.county_a_officer, filters=selectors.EntityFilters(), format="csv"
    )
    assert job.written_rows == 1
    rows = _csv_rows(_download(personas.client(personas.county_a_officer), job.pk))
    assert rows[1] == _expected(Entity.objects.all())[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_while_the_copy_runs(personas, monkeypatch):
    """Outside a test's transaction, as in the worker: progress saved mid-COPY
    goes through a connection of its own (on the COPY's it would hang)."""
    for _ in range(4):
        f.entity(personas.county_a)
    monkeypatch.setattr(exports, "COPY_REPORT_ROWS", 1)
    monkeypatch.setattr(export_jobs, "SAVE_EVERY", 0.0)
    saved: list[int] = []
    real = export_jobs._save_progress

    def spy(job_id, **fields):
        real(job_id, **fields)

        def read() -> None:  # as the page would, while the COPY holds this connection
            saved.append(ExportJob.objects.values_list("written_rows", flat=True).get(pk=job_id))
            connections.close_all()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=30)

    monkeypatch.setattr(export_jobs, "_save_progress", spy)
    job = export_jobs.export_start(
        actor=personas.county_a_officer, filters=selectors.EntityFilters(), format="csv"
    )
    assert job.status == ExportStatus.DONE
    assert job.written_rows == 4
    assert saved
    assert saved[-1] == 4


def test_files_older_than_the_retention_are_deleted(
    personas, settings, django_capture_on_commit_callbacks
):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    settings.EXPORT_KEEP_DAYS = 7
    f.entity(personas.county_a)
    user = personas.county_a_officer
    old, new = (
        export_jobs.export_start(actor=user, filters=selectors.EntityFilters(), format=fmt)
        for fmt in ("csv", "xlsx")
    )
    now = timezone.now()
    ExportJob.objects.filter(pk=old.pk).update(finished_at=now - datetime.timedelta(days=8))
    ExportJob.objects.filter(pk=new.pk).update(finished_at=now - datetime.timedelta(days=6))
    old_name, new_name = str(old.file.name), str(new.file.name)
    assert default_storage.exists(old_name)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("exports_expire", stdout=io.StringIO())
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.expired
    assert not old.file
    assert not default_storage.exists(old_name)
    assert not new.expired
    assert default_storage.exists(new_name)
    event = AuditEvent.objects.get(verb="registry.exportjob.expire")
    assert event.object_id == str(old.pk)
    assert (event.before or {})["file"] == old_name
    # nothing left to delete: a second run changes nothing
    assert export_jobs.exports_expire() == 0

    client = personas.client(user)
    response = client.get(reverse("registry:export_download", args=[old.pk]), follow=True)
    assert "7" in response.content.decode()
    assert 'data-testid="export-expired"' in response.content.decode()
    assert client.get(f"{BASE}/exports/{old.pk}/download").status_code == 409
    assert _download(client, new.pk)
    default_storage.delete(new_name)
