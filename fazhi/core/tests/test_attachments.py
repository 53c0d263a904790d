"""Attachments: typed by content, size-limited, stored once under their hash, scoped."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from fazhi.core import files, services
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.models import Attachment, AuditEvent, Blob

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"  # pages ignore Accept-Language
    with translation.override("en"):
        yield


def _store(actor, unit, content: bytes, name: str, **extra) -> Attachment:
    return services.attachment_store(
        actor=actor, upload=io.BytesIO(content), name=name, unit=unit, **extra
    )


def _download(client, attachment: Attachment):
    response = client.get(reverse("core:attachment_download", args=[attachment.pk]))
    if response.status_code == 200:
        # Consuming the stream closes the response (and the file); closing it again
        # would fire request_finished and drop the test's database connection.
        return response, b"".join(response.streaming_content)
    return response, b""


def test_type_comes_from_content_not_name(personas):
    attachment = _store(personas.county_b_officer, personas.county_b_brigade, PDF, "photo.jpg")
    assert attachment.blob.content_type == "application/pdf"
    assert attachment.original_name == "photo.jpg"


def test_executable_is_refused_whatever_its_name(personas):
    with pytest.raises(DomainError) as excinfo:
        _store(personas.county_b_officer, personas.county_b_brigade, EXE, "report.pdf")
    assert excinfo.value.field == "file"
    assert "not accepted" in str(excinfo.value.message)
    assert not Blob.objects.exists()
    assert not AuditEvent.objects.filter(verb="core.attachment.store").exists()


def test_size_limit(personas, settings):
    settings.ATTACHMENT_MAX_BYTES = len(PDF)
    _store(personas.county_b_officer, personas.county_b_brigade, PDF, "exact.pdf")
    with pytest.raises(DomainError) as excinfo:
        _store(personas.county_b_officer, personas.county_b_brigade, PDF + b" ", "big.pdf")
    assert excinfo.value.field == "file"
    assert "larger than the limit" in str(excinfo.value.message)
    assert Attachment.objects.count() == 1


def test_empty_file_is_refused(personas):
    with pytest.raises(DomainError) as excinfo:
        _store(personas.county_b_officer, personas.county_b_brigade, b"", "empty.pdf")
    assert "empty" in str(excinfo.value.message)


def test_identical_content_is_stored_once_under_its_hash(personas, settings, tmp_path):
    first = _store(personas.county_b_officer, personas.county_b_brigade, PDF, "a.pdf")
    second = _store(personas.city_officer, personas.city_detachment, PDF, "b.pdf")
    assert Blob.objects.count() == 1
    assert first.blob_id == second.blob_id
    sha = hashlib.sha256(PDF).hexdigest()
    blob = first.blob
    assert blob.sha256 == sha
    assert blob.size == len(PDF)
    assert blob.storage_name == f"blobs/{sha[:2]}/{sha[2:4]}/{sha}"
    with default_storage.open(blob.storage_name, "rb") as fh:
        assert fh.read() == PDF
    stored = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [sha]


def test_sm3_is_recorded_when_available(personas):
    attachment = _store(personas.county_b_officer, personas.county_b_brigade, PNG, "x.png")
    try:
        expected = hashlib.new("sm3", PNG).hexdigest()
    except ValueError:
        expected = ""
    assert attachment.blob.sm3 == expected


def test_hash_is_recorded_in_the_audit_event(personas):
    attachment = _store(
        personas.county_b_officer, personas.county_b_brigade, PDF, "notice.pdf", role="evidence"
    )
    event: Any = AuditEvent.objects.get(verb="core.attachment.store")
    assert event.object_id == str(attachment.pk)
    assert event.after["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert event.after["size"] == len(PDF)
    assert event.after["content_type"] == "application/pdf"
    assert event.unit_id == personas.county_b_brigade.pk
    assert event.actor_id == personas.county_b_officer.pk


def test_cannot_store_for_a_unit_outside_scope(personas):
    with pytest.raises(NotAllowed):
        _store(personas.county_a_officer, personas.county_b_brigade, PDF, "a.pdf")
    assert not Attachment.objects.exists()


def test_download_returns_the_bytes_in_scope_and_404_outside(personas):
    attachment = _store(personas.county_b_officer, personas.county_b_brigade, PDF, "决定书.pdf")
    for user in (personas.county_b_officer, personas.city_reviewer, personas.admin):
        response, body = _download(personas.client(user), attachment)
        assert response.status_code == 200, user
        assert body == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-SHA256"] == hashlib.sha256(PDF).hexdigest()
        assert "attachment" in response["Content-Disposition"]
    response, _ = _download(personas.client(personas.county_a_officer), attachment)
    assert response.status_code == 404
    response, _ = _download(personas.client(None), attachment)
    assert response.status_code == 302


def test_upload_through_the_page(personas):
    client = personas.client(personas.county_b_officer)
    upload = SimpleUploadedFile("检查记录.pdf", PDF, content_type="image/jpeg")
    response = client.post(
        reverse("core:attachment_list"),
        {
            "file": upload,
            "unit": personas.county_b_brigade.pk,
            "role": "evidence",
            "description": "现场",
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "检查记录.pdf"
    assert attachment.blob.content_type == "application/pdf"
    assert attachment.role == "evidence"
    assert attachment.uploaded_by == personas.county_b_officer
    listing = client.get(reverse("core:attachment_list"))
    assert "检查记录.pdf" in listing.content.decode()


def test_page_shows_a_refused_file_as_a_field_error(personas):
    client = personas.client(personas.county_b_officer)
    response = client.post(
        reverse("core:attachment_list"),
        {
            "file": SimpleUploadedFile("report.pdf", EXE),
            "unit": personas.county_b_brigade.pk,
            "role": "other",
        },
    )
    assert response.status_code == 200
    assert "not accepted" in response.context["form"].errors["file"][0]
    assert not Attachment.objects.exists()


def test_page_offers_only_units_in_scope(personas):
    client = personas.client(personas.county_a_officer)
    response = client.post(
        reverse("core:attachment_list"),
        {
            "file": SimpleUploadedFile("a.pdf", PDF),
            "unit": personas.county_b_brigade.pk,
            "role": "other",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert not Attachment.objects.exists()


def test_list_is_scoped_and_searchable(personas):
    _store(personas.county_b_officer, personas.county_b_brigade, PDF, "微山现场.pdf")
    _store(personas.county_a_officer, personas.county_a_brigade, PNG, "任城照片.png")
    names = lambda response: {a.original_name for a in response.context["object_list"]}  # noqa: E731
    assert names(
        personas.client(personas.county_a_officer).get(reverse("core:attachment_list"))
    ) == {"任城照片.png"}
    city = personas.client(personas.city_reviewer)
    assert names(city.get(reverse("core:attachment_list"))) == {"微山现场.pdf", "任城照片.png"}
    assert names(city.get(reverse("core:attachment_list"), {"q": "微山"})) == {"微山现场.pdf"}
    sha = hashlib.sha256(PNG).hexdigest()
    assert names(city.get(reverse("core:attachment_list"), {"q": sha[:12].upper()})) == {
        "任城照片.png"
    }


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), files._OOXML["word/"]),
        (_zip(["[Content_Types].xml", "xl/workbook.xml"]), files._OOXML["xl/"]),
        (_zip(["readme.txt"]), "application/zip"),
        ("企业名称,统一社会信用代码\n".encode("gb18030"), "text/plain"),
        ("企业名称,统一社会信用代码\n".encode(), "text/plain"),
        (EXE, "application/octet-stream"),
        (b"\x00\x01\x02binary", "application/octet-stream"),
    ],
)
def test_sniff(content, mime):
    assert files.sniff(content[:4096], io.BytesIO(content)) == mime


def test_sniff_tolerates_a_multibyte_character_cut_at_the_sample_end():
    text = ("危险化学品" * 1000).encode()
    assert files.sniff(text[:4095], io.BytesIO(text)) == "text/plain"
