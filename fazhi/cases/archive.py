"""电子卷宗 — the electronic case file, exported as one ZIP and verifiable offline.

The ZIP holds, in filing order (when each item entered the file): every
文书 of the case, every evidence file, the case's records (``records.json``,
the 全过程记录 timeline), a 卷内目录 rendered from the kit's admin-editable
template ``case_archive_toc``, and ``manifest.json`` listing each file with
its SHA-256 and size. ``verify_archive`` (the ``case_verify`` command) needs
nothing but the ZIP: no database, no network.
The format is described in docs/case-archive.md.

An export runs as a background task (a case with hours of body-camera video
is gigabytes); evidence whose stored bytes no longer match the hash taken
at upload stops the export, and the finding is audited.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fazhi.cases import permissions as p
from fazhi.cases.choices import EventKind
from fazhi.cases.evidence import case_evidence, evidence_check
from fazhi.cases.models import Case, CaseEvent
from fazhi.cases.records import ArchiveState, CaseArchive
from fazhi.cases.selectors import case_documents, case_events
from fazhi.core import policy
from fazhi.core.actors import Actor, actor_label
from fazhi.core.audit import audit_record
from fazhi.core.documents import render_bytes, template_active, template_bytes
from fazhi.core.errors import DomainError
from fazhi.core.models import User

FORMAT = "fazhi-case-archive/1"
MANIFEST = "manifest.json"
TOC_TEMPLATE = "case_archive_toc"
CHUNK = 1024 * 1024


@dataclass
class Item:
    """One file of the case file, before it is numbered."""

    date: datetime.date
    made_at: datetime.datetime
    title: str
    number: str
    kind: str  # document | evidence | record | toc
    folder: str
    name: str
    storage_name: str = ""
    data: bytes | None = None
    expected_sha256: str = ""


def _safe(name: str) -> str:
    """A file name without path separators or control characters."""
    cleaned = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip()
    return cleaned[:120] or "file"


def _items(case: Case) -> list[Item]:
    items: list[Item] = []
    for doc in case_documents(case):
        items.append(
            Item(
                date=timezone.localdate(doc.created_at),
                made_at=doc.created_at,
                title=doc.title,
                number=doc.number,
                kind="document",
                folder="文书",
                name=_safe(doc.attachment.original_name),
                storage_name=doc.attachment.blob.storage_name,
                expected_sha256=doc.attachment.blob.sha256,
            )
        )
    for evidence in case_evidence(case).select_related("attachment__blob"):
        check = evidence_check(evidence)
        if not check.intact:
            raise EvidenceChanged(check)
        items.append(
            Item(
                date=evidence.recorded_on,
                made_at=evidence.created_at,
                title=f"{evidence.get_kind_display()}：{evidence.description}",
                number="",
                kind="evidence",
                folder="证据",
                name=_safe(evidence.attachment.original_name),
                storage_name=evidence.attachment.blob.storage_name,
                expected_sha256=evidence.sha256,
            )
        )
    items.sort(key=lambda i: i.made_at)  # filing order: when each entered the file
    return items


class EvidenceChanged(Exception):
    def __init__(self, check: Any) -> None:
        super().__init__(check.evidence.pk)
        self.check = check


def _records(case: Case) -> bytes:
    rows = [
        {
            "date": e.occurred_on.isoformat(),
            "kind": e.kind,
            "kind_label": str(e.get_kind_display()),
            "text": e.text,
            "data": e.data,
            "by": e.actor_label,
            "recorded_at": e.created_at.isoformat(),
        }
        for e in case_events(case)
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2).encode()


def _copy(source: IO[bytes], target: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def write_archive(case: Case, target: IO[bytes], *, by: str) -> dict[str, Any]:
    """Write the case file of ``case`` as a ZIP into ``target``; return its manifest."""
    items = _items(case)
    today = timezone.localdate()
    now = timezone.now()
    items.append(
        Item(today, now, _("Case records (timeline)"), "", "record", "", "records.json",
             data=_records(case))
    )  # fmt: skip
    entries: list[dict[str, Any]] = []
    for seq, item in enumerate(items, start=2):
        path = (
            str(PurePosixPath(item.folder) / f"{seq:03d}-{item.name}")
            if item.folder
            else (f"{seq:03d}-{item.name}")
        )
        entries.append(
            {"seq": seq, "title": item.title, "number": item.number,
             "date": item.date.isoformat(), "path": path, "kind": item.kind}
        )  # fmt: skip
    toc_context = {
        "agency_name": case.unit.agency().name,
        "case_number": case.number or _("(not opened)"),
        "title": case.title,
        "party_name": case.party_name,
        "generated_on": today,
        "entries": [{"seq": 1, "title": "卷内目录", "number": "", "date": today.isoformat(),
                     "path": "001-卷内目录.docx"}, *entries],
    }  # fmt: skip
    toc = render_bytes(template_bytes(template_active(TOC_TEMPLATE)), toc_context)
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        with zf.open("001-卷内目录.docx", "w") as out:
            out.write(toc)
        files.append(
            {"seq": 1, "path": "001-卷内目录.docx", "title": "卷内目录", "number": "",
             "date": today.isoformat(), "kind": "toc",
             "sha256": hashlib.sha256(toc).hexdigest(), "size": len(toc)}
        )  # fmt: skip
        for item, entry in zip(items, entries, strict=True):
            with zf.open(entry["path"], "w", force_zip64=True) as out:
                if item.data is not None:
                    out.write(item.data)
                    sha256, size = hashlib.sha256(item.data).hexdigest(), len(item.data)
                else:
                    with default_storage.open(item.storage_name, "rb") as source:
                        sha256, size = _copy(source, out)
            if item.expected_sha256 and sha256 != item.expected_sha256:
                raise DomainError(
                    _("The stored file %(name)s changed while it was being exported.")
                    % {"name": item.name}
                )
            files.append({**entry, "sha256": sha256, "size": size})
        manifest = {
            "format": FORMAT,
            "algorithm": "sha256",
            "case": {
                "id": case.pk,
                "number": case.number,
                "title": case.title,
                "party": case.party_name,
                "unit": case.unit.name,
                "state": case.state,
            },
            "generated_at": now.isoformat(),
            "generated_by": by,
            "files": files,
        }
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    return manifest


# -- offline verification -------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    files: int
    problem: str = ""
    manifest_sha256: str = ""


def verify_archive(path: str | IO[bytes]) -> Verdict:
    """Check a case-file ZIP against its manifest: MATCH, or the first mismatch.

    Needs only the ZIP. Every file listed must be there with the listed
    SHA-256 and size, and every file in the ZIP must be listed.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return Verdict(False, 0, f"not a ZIP file: {exc}")
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            return Verdict(False, 0, f"{MANIFEST} is missing")
        raw = zf.read(MANIFEST)
        manifest_sha256 = hashlib.sha256(raw).hexdigest()
        try:
            manifest = json.loads(raw)
            listed = manifest["files"]
            if manifest.get("format") != FORMAT:
                return Verdict(False, 0, f"unknown format {manifest.get('format')!r}")
        except (ValueError, KeyError, TypeError):
            return Verdict(False, 0, f"{MANIFEST} is not a case-file manifest")
        seen = set()
        for entry in listed:
            name = entry.get("path", "")
            seen.add(name)
            if name not in names:
                return Verdict(
                    False, len(seen) - 1, f"{name}: listed but missing", manifest_sha256
                )
            digest = hashlib.sha256()
            size = 0
            with zf.open(name) as handle:
                for chunk in iter(lambda h=handle: h.read(CHUNK), b""):  # type: ignore[misc]
                    digest.update(chunk)
                    size += len(chunk)
            if digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
                return Verdict(
                    False,
                    len(seen) - 1,
                    f"{name}: SHA-256 {digest.hexdigest()} (size {size}) does not match the "
                    f"manifest's {entry.get('sha256')} (size {entry.get('size')})",
                    manifest_sha256,
                )
        extra = sorted(names - seen - {MANIFEST})
        if extra:
            return Verdict(False, len(seen), f"{extra[0]}: not listed in the manifest",
                           manifest_sha256)  # fmt: skip
        return Verdict(True, len(seen), "", manifest_sha256)


# -- the export as a background task ---------------------------------------------------


@policy.requires(p.VIEW)
def archive_request(*, actor: Actor, case: Case) -> CaseArchive:
    """Ask for an export of the case file; a background task makes it."""
    policy.require(actor, p.VIEW, unit=case.unit)
    policy.require_in_scope(actor, case.unit)
    with transaction.atomic():
        archive = CaseArchive.objects.create(
            case=case, requested_by=actor if isinstance(actor, User) else None
        )
        audit_record(
            actor=actor,
            verb="cases.case.archive_request",
            obj=case,
            after={"archive": archive.pk},
            unit=case.unit,
        )
    archive_id = archive.pk
    transaction.on_commit(lambda: case_archive_task.enqueue(archive_id))
    return archive


def archive_build(archive: CaseArchive) -> CaseArchive:
    """Make the ZIP of ``archive`` (in the worker); record the outcome and audit it.

    The case file is written in the bureau's language whoever asked for it.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _archive_build(archive)


def _archive_build(archive: CaseArchive) -> CaseArchive:
    case = Case.objects.select_related("unit").get(pk=archive.case_id)
    actor = archive.requested_by
    by = actor_label(actor) if actor is not None else "system"
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed below, after storing)
    try:
        try:
            manifest = write_archive(case, handle, by=by)
        except EvidenceChanged as exc:
            from fazhi.cases.evidence import _tampered

            with transaction.atomic():
                _tampered(actor, exc.check, during="archive")
            return _failed(
                archive,
                _("Evidence “%(name)s” no longer matches the hash taken at upload.")
                % {"name": exc.check.evidence.attachment.original_name},
            )
        except DomainError as exc:
            return _failed(archive, str(exc.message))
        handle.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
        size = handle.tell()
        handle.seek(0)
        name = f"archives/case-{case.pk}/{archive.pk}-{digest.hexdigest()[:12]}.zip"
        stored = default_storage.save(name, File(handle))
    finally:
        handle.close()
    manifest_raw = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    with transaction.atomic():
        archive.state = ArchiveState.READY
        archive.storage_name = stored
        archive.sha256 = digest.hexdigest()
        archive.manifest_sha256 = hashlib.sha256(manifest_raw).hexdigest()
        archive.size = size
        archive.files = len(manifest["files"])
        archive.finished_at = timezone.now()
        archive.save()
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.ARCHIVE,
            occurred_on=timezone.localdate(),
            text=_("Case file exported (%(n)d files).") % {"n": archive.files},
            data={"archive": archive.pk, "sha256": archive.sha256,
                  "manifest_sha256": archive.manifest_sha256},
            actor=actor,
            actor_label=by,
        )  # fmt: skip
        audit_record(
            actor=actor,
            verb="cases.case.archive",
            obj=case,
            after={"archive": archive.pk, "sha256": archive.sha256,
                   "manifest_sha256": archive.manifest_sha256, "files": archive.files,
                   "size": size},
            unit=case.unit,
        )  # fmt: skip
    return archive


def _failed(archive: CaseArchive, error: str) -> CaseArchive:
    archive.state = ArchiveState.FAILED
    archive.error = error
    archive.finished_at = timezone.now()
    archive.save()
    return archive


@task
def case_archive_task(archive_id: int) -> str:
    archive = CaseArchive.objects.select_related("requested_by").get(pk=archive_id)
    return archive_build(archive).state


def archive_get(*, actor: Actor, case: Case, pk: int) -> CaseArchive:
    policy.require(actor, p.VIEW)
    policy.require_in_scope(actor, case.unit)
    return CaseArchive.objects.get(case=case, pk=pk)


def archive_open(archive: CaseArchive) -> Iterator[bytes] | IO[bytes]:
    if archive.state != ArchiveState.READY:
        raise DomainError(_("The case file is not ready."))
    return default_storage.open(archive.storage_name, "rb")
