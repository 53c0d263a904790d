"""Inspection records: the record itself, evidence, the signature, hazards and referrals.

Split from ``fazhi.inspections.services``, which re-exports them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.locks import lock_row
from fazhi.core.models import Attachment
from fazhi.core.services import attachment_store
from fazhi.inspections.choices import (
    CheckResult,
    InspectionState,
)
from fazhi.inspections.common import user_of
from fazhi.inspections.models import (
    CheckItem,
    Finding,
    Inspection,
    Referral,
)
from fazhi.laws.models import Article

_user = user_of


RECORD_FIELDS = ["site", "representative", "summary"]


@policy.requires("inspections.change_inspection")
@transaction.atomic
def inspection_record_save(
    *,
    actor: Actor,
    inspection: Inspection,
    version: int,
    checks: Mapping[int, tuple[str, str]] | None = None,
    **fields: Any,
) -> Inspection:
    """Save what was typed on site; a form saved from a stale copy is refused.

    ``version`` is the version the form was loaded with: when two tablets edit
    the same inspection, the second save finds a newer version and is told to
    reload instead of overwriting the first.
    """
    policy.require(actor, "inspections.change_inspection", unit=inspection.unit)
    inspection = lock_row(inspection)
    if inspection.version != version:
        raise Conflict(
            _(
                "This inspection was saved from another device meanwhile (version %(now)d, "
                "your form has %(yours)d). Reload it; your text is kept in this browser."
            )
            % {"now": inspection.version, "yours": version}
        )
    if inspection.state != InspectionState.IN_PROGRESS:
        raise Conflict(_("Only an inspection in progress can be edited."))
    before = snapshot(inspection, RECORD_FIELDS)
    for name, value in fields.items():
        if name not in RECORD_FIELDS:
            raise DomainError(_("Unknown field."), field=name)
        setattr(inspection, name, value)
    changed_checks = {}
    if checks:
        lines = {c.item_id: c for c in inspection.checks.all()}
        for item_id, (result, note) in checks.items():
            line = lines.get(int(item_id))
            if line is None or result not in CheckResult.values:
                raise DomainError(_("That checklist line does not exist."), field="checks")
            if (line.result, line.note) != (result, note):
                line.result, line.note = result, note
                line.full_clean()
                line.save(update_fields=["result", "note"])
                changed_checks[str(item_id)] = [result, note]
    inspection.version += 1
    inspection.full_clean()
    inspection.save()
    audit_record(
        actor=actor, verb="inspections.inspection.save", obj=inspection, before=before,
        after=snapshot(inspection, RECORD_FIELDS) | {"checks": changed_checks,
                                                     "version": inspection.version},
        unit=inspection.unit,
    )  # fmt: skip
    return inspection


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@policy.requires("inspections.change_inspection")
@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    inspection: Inspection,
    upload: Any,
    name: str,
    description: str = "",
    finding: Finding | None = None,
) -> Attachment:
    """Store a photo or recording as hashed evidence of the inspection."""
    policy.require(actor, "inspections.change_inspection", unit=inspection.unit)
    inspection = lock_row(inspection)
    if inspection.state not in (InspectionState.IN_PROGRESS, InspectionState.REINSPECTION):
        raise Conflict(_("Evidence is added while the inspection is in progress."))
    attachment = attachment_store(
        actor=actor, upload=upload, name=name, unit=inspection.unit, role="evidence",
        description=description,
    )  # fmt: skip
    inspection.evidence.add(attachment)
    if finding is not None:
        finding.evidence.add(attachment)
    audit_record(
        actor=actor, verb="inspections.inspection.evidence", obj=inspection,
        after={"attachment": attachment.pk, "sha256": attachment.blob.sha256,
               "finding": finding.pk if finding else None},
        unit=inspection.unit,
    )  # fmt: skip
    return attachment


@policy.requires("inspections.change_inspection")
@transaction.atomic
def signature_save(*, actor: Actor, inspection: Inspection, signer: str, png: bytes) -> Inspection:
    """Keep a signature drawn on the tablet (a PNG) for the officers or the entity."""
    policy.require(actor, "inspections.change_inspection", unit=inspection.unit)
    inspection = lock_row(inspection)
    if inspection.state != InspectionState.IN_PROGRESS:
        raise Conflict(_("Signatures are taken while the inspection is in progress."))
    if signer not in ("officer", "representative"):
        raise DomainError(_("Unknown signer."), field="signer")
    if not png.startswith(PNG_MAGIC) or len(png) < 100:
        raise DomainError(_("The signature is empty."), field="signature")
    attachment = attachment_store(
        actor=actor, upload=io.BytesIO(png), name=f"signature-{signer}-{inspection.pk}.png",
        unit=inspection.unit, role="evidence", description=_("Signature"),
    )  # fmt: skip
    setattr(inspection, f"{signer}_signature", attachment)
    inspection.version += 1
    inspection.save()
    audit_record(
        actor=actor, verb="inspections.inspection.sign", obj=inspection,
        after={"signer": signer, "sha256": attachment.blob.sha256}, unit=inspection.unit,
    )  # fmt: skip
    return inspection


FINDING_FIELDS = ["description", "severity", "article", "provision", "item", "rectified"]


@policy.requires("inspections.change_inspection")
@transaction.atomic
def finding_add(
    *,
    actor: Actor,
    inspection: Inspection,
    description: str,
    severity: str,
    article: Article | None = None,
    provision: str = "",
    item: CheckItem | None = None,
) -> Finding:
    """Record a hazard (隐患) with the provision it violates."""
    policy.require(actor, "inspections.change_inspection", unit=inspection.unit)
    inspection = lock_row(inspection)
    if inspection.state != InspectionState.IN_PROGRESS:
        raise Conflict(_("Hazards are recorded while the inspection is in progress."))
    if article is not None and not provision:
        provision = str(article)
    finding = Finding(
        inspection=inspection,
        description=description,
        severity=severity,
        article=article,
        provision=provision,
        item=item,
    )
    finding.full_clean()
    finding.save()
    audit_record(
        actor=actor, verb="inspections.finding.add", obj=finding,
        after=snapshot(finding, FINDING_FIELDS), unit=inspection.unit,
    )  # fmt: skip
    return finding


@policy.requires("inspections.change_inspection")
@transaction.atomic
def finding_set_rectified(*, actor: Actor, finding: Finding, rectified: bool) -> Finding:
    """Record at re-inspection whether a hazard was rectified."""
    inspection = finding.inspection
    policy.require(actor, "inspections.change_inspection", unit=inspection.unit)
    inspection = lock_row(inspection)
    if inspection.state not in (InspectionState.REINSPECTION, InspectionState.IN_PROGRESS):
        raise Conflict(_("Rectification is recorded at the re-inspection."))
    finding = lock_row(finding)
    before = snapshot(finding, ["rectified"])
    finding.rectified = rectified
    finding.save(update_fields=["rectified"])
    audit_record(
        actor=actor, verb="inspections.finding.rectified", obj=finding, before=before,
        after=snapshot(finding, ["rectified"]), unit=inspection.unit,
    )  # fmt: skip
    return finding


@policy.requires("inspections.refer_finding")
@transaction.atomic
def finding_refer_to_case(*, actor: Actor, finding: Finding, note: str = "") -> Referral:
    """Send a hazard on to open a penalty case; until cases exist, record the referral.

    The cases app replaces the recording step with ``case_open_from_finding``
    and fills ``case_reference``.
    """
    inspection = finding.inspection
    policy.require(actor, "inspections.refer_finding", unit=inspection.unit)
    finding = lock_row(finding)
    if Referral.objects.filter(finding=finding).exists():
        raise Conflict(_("This hazard has already been referred."))
    if inspection.state in (InspectionState.PLANNED, InspectionState.IN_PROGRESS):
        raise Conflict(_("Refer a hazard once the inspection has ended."))
    referral = Referral(finding=finding, note=note, referred_by=_user(actor))
    referral.full_clean()
    referral.save()
    audit_record(
        actor=actor, verb="inspections.finding.refer", obj=referral,
        after={"finding": finding.pk, "note": note}, unit=inspection.unit,
    )  # fmt: skip
    return referral
