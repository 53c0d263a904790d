"""Backup and restore: a restored copy holds the same data and passes audit_verify."""

from __future__ import annotations

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fazhi.core import services
from fazhi.core.audit import audit_verify
from fazhi.core.models import Attachment, AuditChainHead, AuditEvent, OrgUnit

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_a_restored_copy_has_the_data_and_files_and_passes_audit_verify(personas, media, tmp_path):
    attachment = services.attachment_store(
        actor=personas.admin, upload=io.BytesIO(PDF), name="证据.pdf", unit=personas.county_a
    )
    blob_path = media / attachment.blob.storage_name
    events = AuditEvent.objects.count()
    assert audit_verify() == (events, None)

    call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["audit_head"]["seq"] == events
    assert f"media/{attachment.blob.storage_name}" in manifest["files"]

    # Lose everything: the events, the head, a unit's name and the stored file.
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    OrgUnit.objects.filter(pk=personas.county_a.pk).update(name="changed")
    blob_path.unlink()

    out = StringIO()
    call_command("restore", str(tmp_path / "backup"), "--replace", stdout=out)
    assert "OK" in out.getvalue()
    assert audit_verify() == (events, None)
    assert OrgUnit.objects.get(pk=personas.county_a.pk).name == personas.county_a.name
    assert blob_path.read_bytes() == PDF
    assert Attachment.objects.filter(pk=attachment.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_whose_files_do_not_match_the_manifest(personas, media, tmp_path):
    call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
    dump = next((tmp_path / "backup").glob("database.*"))
    dump.write_bytes(dump.read_bytes() + b"tampered")
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="does not match its hash"):
        call_command("restore", str(tmp_path / "backup"), "--replace", stdout=StringIO())
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_restore_needs_replace_and_backup_needs_an_empty_directory(personas, media, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "full"), stdout=StringIO())
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(tmp_path / "full"), stdout=StringIO())
