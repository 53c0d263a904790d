"""全过程记录: evidence hashed and verified, the case file exported and checked offline."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from fazhi.cases import services
from fazhi.cases.archive import archive_build, archive_request, verify_archive, write_archive
from fazhi.cases.choices import CaseState, EventKind, PenaltyKind
from fazhi.cases.evidence import evidence_add
from fazhi.cases.models import Case
from fazhi.cases.records import ArchiveState, CaseArchive, CaseEvidence
from fazhi.cases.tests import factories
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.models import AuditEvent

D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 80
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"1 0 obj\n" * 20


@pytest.fixture(autouse=True)
def _own_media(settings: Any, tmp_path: Path) -> None:
    """Files of one test only: a test that changes a stored file must not leak it."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def root(personas: Any) -> Any:
    return factories.superuser(personas.city)


@pytest.fixture
def case(personas: Any, root: Any) -> Case:
    case = factories.case(personas.county_a_brigade)
    return services.case_transition(actor=root, case=case, name="file", on=D(2026, 11, 4))


def _add(actor: Any, case: Case, data: bytes, name: str, kind: str, **kw: Any) -> CaseEvidence:
    return evidence_add(
        actor=actor,
        case=case,
        upload=io.BytesIO(data),
        name=name,
        kind=kind,
        description=kw.pop("description", "现场检查照片"),
        **kw,
    )


def _tamper(evidence: CaseEvidence) -> None:
    path = Path(default_storage.path(evidence.attachment.blob.storage_name))
    path.write_bytes(path.read_bytes() + b"x")


def test_evidence_is_hashed_typed_and_in_the_timeline(case: Case, root: Any) -> None:
    photo = _add(root, case, PNG, "scene.png", "photo", recorded_on=D(2026, 11, 4))
    video = _add(root, case, MP4, "执法记录仪.mp4", "video", description="执法记录仪视频")
    assert photo.sha256 == photo.attachment.blob.sha256
    assert photo.content_type == "image/png"
    assert video.content_type == "video/mp4"
    assert photo.step == CaseState.INVESTIGATING
    events = case.events.filter(kind=EventKind.EVIDENCE)
    assert [e.data["sha256"] for e in events] == [photo.sha256, video.sha256]
    assert (
        AuditEvent.objects.filter(verb="cases.evidence.add", object_id=str(case.pk)).count() == 2
    )


def test_evidence_kind_must_match_the_content(case: Case, root: Any) -> None:
    with pytest.raises(DomainError, match="application/pdf"):
        _add(root, case, PDF, "photo.jpg", "photo")
    with pytest.raises(DomainError):
        _add(root, case, b"MZ\x90\x00" + b"\x00" * 100, "x.exe", "document")
    with pytest.raises(DomainError):
        _add(root, case, PNG, "scene.png", "photo", description=" ")
    assert not CaseEvidence.objects.exists()


def test_evidence_size_limit(case: Case, root: Any, settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(DomainError, match="MB"):
        _add(root, case, MP4, "big.mp4", "video")


def test_changed_evidence_is_refused_on_download_and_found_by_the_command(
    case: Case, root: Any, personas: Any
) -> None:
    photo = _add(root, case, PNG, "scene.png", "photo")
    client = personas.client(personas.county_a_officer)
    url = f"/cases/{case.pk}/evidence/{photo.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-SHA256"] == photo.sha256
    call_command("case_evidence_verify", stdout=io.StringIO())
    _tamper(photo)
    refused = client.get(url)
    assert refused.status_code == 409
    assert "audit" in refused.content.decode().lower() or "审计" in refused.content.decode()
    assert client.get(f"/api/v1/cases/{case.pk}/evidence/{photo.pk}/file").status_code == 409
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1"):
        call_command("case_evidence_verify", stdout=out)
    assert f"evidence {photo.pk}" in out.getvalue()
    tampered = AuditEvent.objects.filter(verb="cases.evidence.tampered")
    assert {(e.after or {}).get("during") for e in tampered} == {"download", "verification"}
    assert {(e.after or {}).get("expected") for e in tampered} == {photo.sha256}


def test_evidence_of_another_county_is_not_found(case: Case, root: Any, personas: Any) -> None:
    photo = _add(root, case, PNG, "scene.png", "photo")
    other = personas.client(personas.county_b_officer)
    assert other.get(f"/cases/{case.pk}/evidence/{photo.pk}/").status_code == 404
    assert other.get(f"/api/v1/cases/{case.pk}/evidence").status_code == 404


def test_evidence_upload_through_the_page_and_the_api(case: Case, personas: Any) -> None:
    client = personas.client(personas.county_a_officer)
    upload = io.BytesIO(PNG)
    upload.name = "scene.png"
    response = client.post(
        f"/cases/{case.pk}/evidence/",
        {"file": upload, "kind": "photo", "description": "储罐区无警示标志"},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "储罐区无警示标志" in page
    api = client.post(
        f"/api/v1/cases/{case.pk}/evidence",
        {"file": io.BytesIO(MP4), "kind": "video", "description": "执法记录仪"},
    )
    assert api.status_code == 201, api.content
    assert api.json()["content_type"] == "video/mp4"
    listed = client.get(f"/api/v1/cases/{case.pk}/evidence").json()
    assert [e["kind"] for e in listed] == ["photo", "video"]


def _journey(case: Case, root: Any) -> Case:
    def fire(name: str, on: datetime.date, **data: Any) -> Case:
        return services.case_transition(actor=root, case=case, name=name, on=on, **data)

    case = fire("end_investigation", D(2026, 11, 10))
    case = services.case_update(
        actor=root, case=case, penalty_kinds=[PenaltyKind.FINE], proposed_fine=Decimal(5000)
    )
    case = fire("give_notice", D(2026, 11, 11))
    case = fire("close_statement", D(2026, 11, 16), text="无异议")
    case = fire("decide", D(2026, 11, 17), penalty_kinds=[PenaltyKind.FINE], fine=Decimal(5000))
    case = fire("serve", D(2026, 11, 18), served_on=D(2026, 11, 18), method="直接送达")
    case = fire("record_payment", D(2026, 11, 20), paid_on=D(2026, 11, 20))
    return fire("close", D(2026, 11, 21))


def test_case_file_exports_in_filing_order_and_verifies(
    case: Case, root: Any, tmp_path: Path
) -> None:
    _add(root, case, PNG, "scene.png", "photo", recorded_on=D(2026, 11, 4))
    case = _journey(case, root)
    archive = archive_build(CaseArchive.objects.create(case=case, requested_by=root))
    assert archive.state == ArchiveState.READY, archive.error
    target = tmp_path / "case.zip"
    with default_storage.open(archive.storage_name, "rb") as handle:
        target.write_bytes(handle.read())
    verdict = verify_archive(str(target))
    assert verdict.ok, verdict.problem
    assert verdict.manifest_sha256 == archive.manifest_sha256
    with zipfile.ZipFile(target) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = zf.namelist()
        toc = docx.Document(io.BytesIO(zf.read("001-卷内目录.docx")))
    titles = [f["title"] for f in manifest["files"]]
    assert titles[0] == "卷内目录"
    assert titles[1] == "立案审批表"
    assert titles.index("行政处罚告知书") < titles.index("行政处罚决定书")
    assert any(t.startswith("照片") for t in titles)
    assert manifest["files"][-1]["path"].endswith("records.json")
    assert len(names) == len(manifest["files"]) + 1
    cells = [c.text for t in toc.tables for row in t.rows for c in row.cells]
    assert case.number in "\n".join(p.text for p in toc.paragraphs)
    assert "行政处罚决定书" in cells
    out = io.StringIO()
    call_command("case_verify", str(target), stdout=out)
    assert out.getvalue().startswith("MATCH")
    assert case.events.filter(kind=EventKind.ARCHIVE).exists()
    assert AuditEvent.objects.filter(verb="cases.case.archive").exists()


def _rewrite(source: Path, target: Path, change: str) -> None:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == change:
                data += b" "
            zout.writestr(item, data)


def test_case_verify_names_the_first_changed_file(case: Case, root: Any, tmp_path: Path) -> None:
    source = tmp_path / "case.zip"
    with source.open("wb") as handle:
        write_archive(case, handle, by="test")
    with zipfile.ZipFile(source) as zf:
        listed = [f["path"] for f in json.loads(zf.read("manifest.json"))["files"]]
    changed = tmp_path / "changed.zip"
    _rewrite(source, changed, listed[1])
    verdict = verify_archive(str(changed))
    assert not verdict.ok
    assert verdict.problem.startswith(listed[1])
    with pytest.raises(CommandError, match="MISMATCH"):
        call_command("case_verify", str(changed), stdout=io.StringIO())
    extra = tmp_path / "extra.zip"
    _rewrite(source, extra, "")
    with zipfile.ZipFile(extra, "a") as zf:
        zf.writestr("证据/999-added.png", PNG)
    assert "not listed" in verify_archive(str(extra)).problem
    assert not verify_archive(io.BytesIO(b"not a zip")).ok


def test_export_stops_at_changed_evidence(case: Case, root: Any) -> None:
    photo = _add(root, case, PNG, "scene.png", "photo")
    _tamper(photo)
    archive = archive_build(CaseArchive.objects.create(case=case, requested_by=root))
    assert archive.state == ArchiveState.FAILED
    assert "scene.png" in archive.error
    assert AuditEvent.objects.filter(
        verb="cases.evidence.tampered", after__during="archive"
    ).exists()


def test_export_requested_through_the_page_and_the_api(
    case: Case, personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client(personas.county_a_officer)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/{case.pk}/archives/").status_code == 302
    archive = CaseArchive.objects.get(case=case)
    assert archive.state == ArchiveState.READY
    download = client.get(f"/cases/{case.pk}/archives/{archive.pk}/")
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert verify_archive(io.BytesIO(data)).ok
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/api/v1/cases/{case.pk}/archives")
    assert started.status_code == 202
    listed = client.get(f"/api/v1/cases/{case.pk}/archives").json()
    assert {a["state"] for a in listed} == {"ready"}
    api_file = client.get(f"/api/v1/cases/{case.pk}/archives/{listed[0]['id']}/file")
    assert api_file.status_code == 200
    other = personas.client(personas.county_b_officer)
    assert other.get(f"/cases/{case.pk}/archives/{archive.pk}/").status_code == 404
    assert other.post(f"/api/v1/cases/{case.pk}/archives").status_code == 404


def test_archive_request_is_audited(case: Case, root: Any) -> None:
    archive = archive_request(actor=root, case=case)
    assert AuditEvent.objects.filter(
        verb="cases.case.archive_request", after__archive=archive.pk
    ).exists()


def test_closed_case_is_read_only_and_corrections_are_new_records(case: Case, root: Any) -> None:
    photo = _add(root, case, PNG, "scene.png", "photo")
    case = _journey(case, root)
    assert case.state == CaseState.CLOSED
    with pytest.raises(Conflict):
        services.case_update(actor=root, case=case, facts="改写的事实")
    with pytest.raises(Conflict):
        services.case_violation_add(
            actor=root, case=case, description="x", basis="y", law_in_force_from=D(2021, 9, 1)
        )
    with pytest.raises(Conflict):
        _add(root, case, MP4, "late.mp4", "video")
    from fazhi.cases.documents import record_make

    with pytest.raises(Conflict):
        record_make(actor=root, case=case, code="inquiry_record", text="问：……")
    before = list(case.events.order_by("pk").values_list("pk", "text", "data"))
    note = services.case_note_add(actor=root, case=case, text="更正：送达方式为邮寄送达")
    after = list(case.events.order_by("pk").values_list("pk", "text", "data"))
    assert after[:-1] == before
    assert after[-1][0] == note.pk
    case.refresh_from_db()
    assert case.facts != "改写的事实"
    assert CaseEvidence.objects.get(pk=photo.pk).sha256 == photo.sha256
