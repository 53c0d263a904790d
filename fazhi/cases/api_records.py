"""/api/v1/cases/{id}/evidence, /documents and /archives: the whole-process record.

Its router joins the cases router (at the end of fazhi/cases/api.py).
"""

import datetime
from typing import Any, cast

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from fazhi.cases import archive as archives
from fazhi.cases import documents, intake, preservation, selectors
from fazhi.cases import evidence as ev
from fazhi.core.actors import Actor
from fazhi.core.api_types import Id
from fazhi.registry.models import Officer

router = Router(tags=["cases"])


def _actor(request: HttpRequest) -> Actor:
    return cast("Actor", request.user)


class EvidenceOut(Schema):
    id: int
    kind: str
    step: str
    description: str
    recorded_on: datetime.date
    name: str = ""
    sha256: str
    size: int
    content_type: str
    actor_label: str


class ArchiveOut(Schema):
    id: int
    state: str
    files: int
    size: int | None
    sha256: str
    manifest_sha256: str
    error: str
    requested_at: datetime.datetime
    finished_at: datetime.datetime | None


class RecordIn(Schema):
    code: str
    text: str
    subject: str = ""


class DocumentOut(Schema):
    id: int
    title: str
    number: str
    sha256: str


def _evidence_out(evidence: Any) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "kind": evidence.kind,
        "step": evidence.step,
        "description": evidence.description,
        "recorded_on": evidence.recorded_on,
        "name": evidence.attachment.original_name,
        "sha256": evidence.sha256,
        "size": evidence.size,
        "content_type": evidence.content_type,
        "actor_label": evidence.actor_label,
    }


@router.get("/cases/{case_id}/evidence", response=list[EvidenceOut])
def evidence_list(request: HttpRequest, case_id: Id) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return [_evidence_out(e) for e in ev.case_evidence(case)]


@router.post("/cases/{case_id}/evidence", response={201: EvidenceOut})
def evidence_add(
    request: HttpRequest,
    case_id: Id,
    file: File[UploadedFile],
    kind: Form[str],
    description: Form[str],
    recorded_on: Form[datetime.date | None] = None,
) -> Any:
    """Attach a photo, recording or document to the case's current step."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    evidence = ev.evidence_add(
        actor=_actor(request),
        case=case,
        upload=file,
        name=file.name or "evidence",
        kind=kind,
        description=description,
        recorded_on=recorded_on,
    )
    return Status(201, _evidence_out(evidence))


@router.get("/cases/{case_id}/evidence/{evidence_id}/file")
def evidence_download(request: HttpRequest, case_id: Id, evidence_id: Id) -> FileResponse:
    """The file, after checking its bytes against the hash taken at upload (409 if changed)."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    evidence = ev.evidence_get(actor=_actor(request), case=case, pk=evidence_id)
    response = FileResponse(
        ev.evidence_open(actor=_actor(request), evidence=evidence),
        as_attachment=True,
        filename=evidence.attachment.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-SHA256"] = evidence.sha256
    return response


@router.post("/cases/{case_id}/documents", response={201: DocumentOut})
def record_make(request: HttpRequest, case_id: Id, payload: RecordIn) -> Any:
    """Make 询问笔录 (``inquiry_record``) or 先行登记保存证据通知书.

    (``evidence_preservation_notice``) from a written record.
    """
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    document = documents.record_make(actor=_actor(request), case=case, **payload.dict())
    return Status(
        201,
        {
            "id": document.pk,
            "title": document.title,
            "number": document.number,
            "sha256": document.attachment.blob.sha256,
        },
    )


class PreservationOut(Schema):
    notice_id: int
    notice_number: str
    started_on: datetime.date
    due_on: datetime.date
    state: str
    overdue: bool
    outcome: str
    reason: str
    decided_on: datetime.date | None
    late: bool


class PreservationDecisionIn(Schema):
    outcome: str
    reason: str


def _preservation_out(row: preservation.Preservation) -> dict[str, Any]:
    decision = row.decision
    return {
        "notice_id": row.notice_id,
        "notice_number": row.notice.number if row.notice is not None else "",
        "started_on": row.clock.started_on,
        "due_on": row.clock.due_on,
        "state": row.clock.state,
        "overdue": row.overdue(timezone.localdate()),
        "outcome": decision.data.get("outcome", "") if decision is not None else "",
        "reason": decision.text if decision is not None else "",
        "decided_on": decision.occurred_on if decision is not None else None,
        "late": bool(decision.data.get("late")) if decision is not None else False,
    }


@router.get("/cases/{case_id}/preservations", response=list[PreservationOut])
def preservation_list(request: HttpRequest, case_id: Id) -> Any:
    """先行登记保存: each notice's 7-working-day time limit and the decision once made."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return [_preservation_out(row) for row in preservation.case_preservations(case)]


@router.post(
    "/cases/{case_id}/preservations/{notice_id}/decision", response={201: PreservationOut}
)
def preservation_decide(
    request: HttpRequest, case_id: Id, notice_id: Id, payload: PreservationDecisionIn
) -> Any:
    """Record the decision on the items preserved under a notice (``outcome``: release,
    test, seize, confiscate or hand_over) and stop its time limit; late ones are marked."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    preservation.preservation_decide(
        actor=_actor(request),
        case=case,
        notice_id=notice_id,
        outcome=payload.outcome,
        reason=payload.reason,
    )
    row = next(r for r in preservation.case_preservations(case) if r.notice_id == notice_id)
    return Status(201, _preservation_out(row))


@router.get("/cases/{case_id}/archives", response=list[ArchiveOut])
def archive_list(request: HttpRequest, case_id: Id) -> Any:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    return list(case.archives.all())


@router.post("/cases/{case_id}/archives", response={202: ArchiveOut})
def archive_request(request: HttpRequest, case_id: Id) -> Any:
    """Start an export of the electronic case file (a background task makes the ZIP)."""
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    archive = archives.archive_request(actor=_actor(request), case=case)
    archive.refresh_from_db()
    return Status(202, archive)


@router.get("/cases/{case_id}/archives/{archive_id}/file")
def archive_download(request: HttpRequest, case_id: Id, archive_id: Id) -> FileResponse:
    case = selectors.case_get(actor=_actor(request), pk=case_id)
    archive = archives.archive_get(actor=_actor(request), case=case, pk=archive_id)
    response = FileResponse(
        archives.archive_open(archive),
        as_attachment=True,
        filename=f"case-{case.pk}-{archive.pk}.zip",
        content_type="application/zip",
    )
    response["X-Content-SHA256"] = archive.sha256
    return response


class FindingReferralOut(Schema):
    id: int
    finding_id: int
    hazard: str
    provision: str
    entity: str
    inspection_id: int
    note: str
    referred_at: datetime.datetime


class FindingOpenIn(Schema):
    title: str = ""
    officer_ids: list[int] | None = None


@router.get("/case-referrals", response=list[FindingReferralOut])
def finding_list(request: HttpRequest) -> Any:
    """Hazards inspections referred for a penalty that no case was registered from yet."""
    return [
        {
            "id": r.pk,
            "finding_id": r.finding_id,
            "hazard": r.finding.description,
            "provision": r.finding.provision,
            "entity": r.finding.inspection.entity.name,
            "inspection_id": r.finding.inspection_id,
            "note": r.note,
            "referred_at": r.referred_at,
        }
        for r in intake.findings_open(actor=_actor(request))[:500]
    ]


@router.post("/case-referrals/{referral_id}/case", response={201: dict[str, Any]})
def finding_open(request: HttpRequest, referral_id: Id, payload: FindingOpenIn) -> Any:
    """Register the case from a referred hazard (officers: the inspection team if not given)."""
    referral = intake.finding_get(actor=_actor(request), pk=referral_id)
    if payload.officer_ids:
        officers = list(Officer.objects.filter(pk__in=payload.officer_ids))
    else:
        officers = list(referral.finding.inspection.officers.all())
    case = intake.case_open_from_finding(
        actor=_actor(request), referral=referral, officers=officers, title=payload.title
    )
    return Status(201, {"id": case.pk, "state": case.state, "title": case.title})
