"""The import pages: upload, check summary and report, progress polling, import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fazhi.core.models import Attachment, AuditEvent
from fazhi.registry.choices import ImportStatus
from fazhi.registry.imports import jobs
from fazhi.registry.models import Entity, ImportJob
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def test_upload_check_then_import_valid_rows(
    personas, tmp_path, django_capture_on_commit_callbacks
):
    path = f.write_xlsx(
        tmp_path / "名录.xlsx",
        f.ENTITY_HEADERS,
        [f.entity_row(1), f.entity_row(2, **{"风险等级": "极高"})],
    )
    client = personas.client(personas.county_a_officer)
    assert client.get(reverse("registry:entity_import")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:entity_import"),
            {
                "file": SimpleUploadedFile("名录.xlsx", path.read_bytes()),
                "unit": personas.county_a.pk,
            },
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:import_detail", kwargs={"pk": job.pk})
    assert job.attachment is not None
    assert Attachment.objects.get().role == "import"
    page = client.get(response.url).content.decode()
    assert 'data-status="validated"' in page
    assert "hx-get" not in page
    assert 'data-testid="report-link"' in page
    assert "Import the 1 valid row" in page
    # The problem rows and their reasons are on the page, not only counted (issue 14).
    assert 'data-testid="import-problems"' in page
    assert "极高" in page
    assert "is not one of" in page
    api = client.get(f"/api/v1/imports/{job.pk}").json()
    assert [(p["row"], p["value"]) for p in api["problems"]] == [(3, "极高")]
    assert Entity.objects.count() == 0
    report = client.get(reverse("registry:import_report", kwargs={"pk": job.pk}))
    assert report.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:import_confirm", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Entity.objects.count() == 1
    done = client.get(reverse("registry:import_progress", kwargs={"pk": job.pk})).content.decode()
    assert 'data-testid="created-count">1<' in done
    # After the import: created/updated only, not also the check's new/changed.
    assert ">New<" not in done
    assert ">Changed<" not in done
    event = AuditEvent.objects.filter(verb="registry.entity.import", object_id=str(job.pk)).get()
    assert (event.after or {})["created"] == 1
    listing = client.get(reverse("registry:import_list")).content.decode()
    assert "名录.xlsx" in listing


def test_a_running_job_is_polled_with_htmx(personas, tmp_path):
    path = f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, [f.entity_row(1)])
    job = jobs.import_job_create(
        actor=personas.county_a_officer,
        kind="entity",
        unit=personas.county_a,
        filename="e.csv",
        path=str(path),
        run=False,
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.VALIDATING, total_rows=200, processed_rows=50
    )
    partial = personas.client(personas.county_a_officer).get(
        reverse("registry:import_progress", kwargs={"pk": job.pk})
    )
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html
    assert "<html" not in html


def test_a_wrong_file_type_is_refused_on_the_form(personas):
    response = personas.client(personas.county_a_officer).post(
        reverse("registry:entity_import"),
        {"file": SimpleUploadedFile("notes.pdf", b"%PDF-1.4 x"), "unit": personas.county_a.pk},
    )
    assert response.status_code == 200
    assert "CSV" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_discard_from_the_page(personas, tmp_path, django_capture_on_commit_callbacks):
    path = f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, [f.entity_row(1)])
    client = personas.client(personas.county_a_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("registry:entity_import"),
            {"file": SimpleUploadedFile("e.csv", path.read_bytes()), "unit": personas.county_a.pk},
        )
    job = ImportJob.objects.get()
    client.post(reverse("registry:import_discard", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert (
        client.post(reverse("registry:import_confirm", kwargs={"pk": job.pk})).status_code == 302
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert not Entity.objects.exists()


def test_the_blank_templates_download(personas):
    client = personas.client(personas.city_reviewer)
    for name in ("registry:entity_template", "registry:officer_template"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:2] == b"PK"
