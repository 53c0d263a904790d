"""全过程记录: evidence files (photos, recordings, documents) attached to a case step.

Files go through the core's ``attachment_store`` (size limit, content
sniffing, storage by SHA-256, audit); this module adds what a case needs: the
kind must match what the content is (a "photo" that is a PDF is refused), the
step the file belongs to, a timeline record, and verification — the bytes
in storage are hashed again on every download and by
``./dev manage case_evidence_verify``; a change is refused and audited.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.cases import permissions as p
from fazhi.cases.choices import CaseState, EventKind
from fazhi.cases.events import event_user
from fazhi.cases.models import Case, CaseEvent
from fazhi.cases.records import CaseEvidence, EvidenceKind
from fazhi.core import policy
from fazhi.core.actors import Actor, actor_label
from fazhi.core.audit import audit_record
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.locks import lock_row
from fazhi.core.services import attachment_store

# What each kind of evidence may be, by the type its content shows (not its name).
KIND_TYPES: dict[str, frozenset[str]] = {
    EvidenceKind.PHOTO: frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
    EvidenceKind.AUDIO: frozenset({"audio/mpeg", "audio/wav"}),
    EvidenceKind.VIDEO: frozenset({"video/mp4", "video/x-msvideo"}),
    EvidenceKind.DOCUMENT: frozenset(
        {
            "application/pdf",
            "text/plain",
            "application/x-ole-storage",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "image/jpeg",
            "image/png",
        }
    ),
}

# A closed case is read-only: no evidence is added after it (a correction is a note).
READ_ONLY = (CaseState.CLOSED, CaseState.ARCHIVED, CaseState.DECLINED)


@policy.requires(p.CHANGE)
@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    case: Case,
    upload: IO[bytes],
    name: str,
    kind: str,
    description: str,
    recorded_on: datetime.date | None = None,
) -> CaseEvidence:
    """Attach a file to the case's current step; hashed, typed by content, audited."""
    policy.require(actor, p.CHANGE, unit=case.unit)
    case = lock_row(case)
    if case.state in READ_ONLY:
        raise Conflict(
            _("The case is %(state)s: it is read-only; add a note to correct the record.")
            % {"state": case.get_state_display()}
        )
    if kind not in KIND_TYPES:
        raise DomainError(_("Choose the kind of evidence."), field="kind")
    if not description.strip():
        raise DomainError(_("Describe what the file shows."), field="description")
    on = recorded_on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError(_("The recording date is in the future."), field="recorded_on")
    attachment = attachment_store(
        actor=actor,
        upload=upload,
        name=name,
        unit=case.unit,
        role="evidence",
        description=description.strip()[:255],
    )
    blob = attachment.blob
    if blob.content_type not in KIND_TYPES[kind]:
        raise DomainError(
            _("The file's content is %(type)s, which is not a kind of %(kind)s.")
            % {"type": blob.content_type, "kind": EvidenceKind(kind).label},
            field="file",
        )
    evidence = CaseEvidence(
        case=case,
        attachment=attachment,
        kind=kind,
        step=case.state,
        description=description.strip()[:255],
        recorded_on=on,
        sha256=blob.sha256,
        size=blob.size,
        content_type=blob.content_type,
        uploaded_by=event_user(actor),
        actor_label=actor_label(actor),
    )
    evidence.full_clean()
    evidence.save()
    event = CaseEvent(
        case=case,
        kind=EventKind.EVIDENCE,
        occurred_on=on,
        text=evidence.description,
        data={
            "evidence": evidence.pk,
            "name": attachment.original_name,
            "kind": kind,
            "step": case.state,
            "sha256": blob.sha256,
            "size": blob.size,
        },
        actor=event_user(actor),
        actor_label=actor_label(actor),
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        verb="cases.evidence.add",
        obj=case,
        after=dict(event.data),
        unit=case.unit,
    )
    return evidence


def case_evidence(case: Case) -> QuerySet[CaseEvidence]:
    return case.evidence.select_related("attachment").order_by("created_at", "pk")


def evidence_get(*, actor: Actor, case: Case, pk: int) -> CaseEvidence:
    """One evidence file of a case the actor may see (404 otherwise)."""
    policy.require(actor, p.VIEW)
    policy.require_in_scope(actor, case.unit)
    return CaseEvidence.objects.select_related("attachment__blob", "case").get(case=case, pk=pk)


def stored_sha256(storage_name: str) -> str | None:
    """Hash the bytes in storage now (None when the file is missing)."""
    digest = hashlib.sha256()
    try:
        with default_storage.open(storage_name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


@dataclass(frozen=True)
class Check:
    evidence: CaseEvidence
    found: str | None  # the hash of the bytes now (None: the file is missing)

    @property
    def intact(self) -> bool:
        return self.found == self.evidence.sha256


def evidence_check(evidence: CaseEvidence) -> Check:
    return Check(evidence, stored_sha256(evidence.attachment.blob.storage_name))


def _tampered(actor: Actor | None, check: Check, *, during: str) -> None:
    evidence = check.evidence
    audit_record(
        actor=actor,
        verb="cases.evidence.tampered",
        obj=evidence.case,
        after={
            "evidence": evidence.pk,
            "name": evidence.attachment.original_name,
            "expected": evidence.sha256,
            "found": check.found,
            "during": during,
        },
        unit=evidence.case.unit,
    )


def evidence_open(*, actor: Actor, evidence: CaseEvidence) -> IO[bytes]:
    """Open an evidence file for download after checking its bytes are the ones uploaded.

    A changed or missing file is refused (Conflict) and the finding audited.
    """
    check = evidence_check(evidence)
    if not check.intact:
        with transaction.atomic():
            _tampered(actor, check, during="download")
        raise Conflict(
            _(
                "The stored file no longer matches the hash taken at upload: it was changed "
                "or lost. The finding has been recorded in the audit log."
            )
        )
    return default_storage.open(evidence.attachment.blob.storage_name, "rb")


def evidence_verify_all(
    *, actor: Actor | None, items: Iterable[CaseEvidence] | None = None
) -> tuple[int, list[Check]]:
    """Re-hash every evidence file (or ``items``); audit each mismatch and the run."""
    if items is None:
        items = CaseEvidence.objects.select_related("attachment__blob", "case__unit").order_by(
            "pk"
        )
    count = 0
    bad: list[Check] = []
    for evidence in items:
        count += 1
        check = evidence_check(evidence)
        if not check.intact:
            bad.append(check)
    with transaction.atomic():
        for check in bad:
            _tampered(actor, check, during="verification")
        audit_record(
            actor=actor,
            verb="cases.evidence.verify",
            object_type="cases.caseevidence",
            object_repr=_("Case evidence"),
            after={"checked": count, "changed": [c.evidence.pk for c in bad]},
        )
    return count, bad
