"""案源: a hazard an inspection referred becomes a case (through the inspections' records).

The inspections app records a ``Referral`` when an officer sends a finding on
for a penalty (``finding_refer_to_case``). Here an officer registers the
case from it: the party, facts and dates come from the inspection, the
finding's photos and recordings become the case's evidence (the same hashed
files, not copies), and the referral is marked with the case so it is
registered once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fazhi.cases import permissions as p
from fazhi.cases import services
from fazhi.cases.choices import CaseSource, EventKind, PartyKind
from fazhi.cases.models import Case, CaseEvent
from fazhi.cases.records import CaseEvidence, EvidenceKind
from fazhi.core import policy
from fazhi.core.actors import Actor, actor_label
from fazhi.core.audit import audit_record
from fazhi.core.errors import Conflict
from fazhi.core.locks import lock_row
from fazhi.core.models import User
from fazhi.inspections.models import Referral
from fazhi.registry.models import Officer


def findings_open(*, actor: Actor) -> QuerySet[Referral]:
    """Referred findings in the actor's scope that no case was registered from yet."""
    policy.require(actor, p.ADD)
    return (
        Referral.objects.filter(
            policy.scope_q(actor, "finding__inspection__unit__path"), case_reference=""
        )
        .select_related("finding__inspection__entity", "finding__inspection__unit")
        .order_by("referred_at", "pk")
    )


def _kind(content_type: str) -> str:
    if content_type.startswith("image/"):
        return EvidenceKind.PHOTO
    if content_type.startswith("video/"):
        return EvidenceKind.VIDEO
    if content_type.startswith("audio/"):
        return EvidenceKind.AUDIO
    return EvidenceKind.DOCUMENT


@policy.requires(p.ADD)
def case_open_from_finding(
    *, actor: Actor, referral: Referral, officers: Iterable[Officer], title: str = ""
) -> Case:
    """案源登记 from a referred finding: one case per referral."""
    inspection = referral.finding.inspection
    policy.require(actor, p.ADD, unit=inspection.unit)
    with transaction.atomic():
        referral = lock_row(referral)
        if referral.case_reference:
            raise Conflict(_("A case was already registered from this hazard."))
        finding = referral.finding
        entity = inspection.entity
        day = inspection.ended_on or inspection.planned_on
        case = services.case_create(
            actor=actor,
            unit=inspection.unit,
            officers=officers,
            entity=entity,
            title=(title or finding.description)[:200],
            source=CaseSource.INSPECTION,
            source_ref=f"{inspection.task.number if inspection.task else ''} #{inspection.pk}"[
                :200
            ].strip(),
            party_kind=PartyKind.ORGANISATION,
            party_name=entity.name,
            facts=finding.description,
            act_ended_on=day,
            discovered_on=day,
        )
        if finding.provision:
            CaseEvent.objects.create(
                case=case, kind=EventKind.NOTE, occurred_on=day,
                text=_("Provision cited by the inspection: %(p)s") % {"p": finding.provision},
                actor=actor if isinstance(actor, User) else None,
                actor_label=actor_label(actor),
            )  # fmt: skip
        for attachment in finding.evidence.select_related("blob"):
            blob = attachment.blob
            evidence = CaseEvidence.objects.create(
                case=case, attachment=attachment, kind=_kind(blob.content_type),
                step=case.state, description=attachment.description or attachment.original_name,
                recorded_on=day, sha256=blob.sha256, size=blob.size,
                content_type=blob.content_type, uploaded_by=attachment.uploaded_by,
                actor_label=actor_label(actor),
            )  # fmt: skip
            CaseEvent.objects.create(
                case=case, kind=EventKind.EVIDENCE, occurred_on=day, text=evidence.description,
                data={"evidence": evidence.pk, "name": attachment.original_name,
                      "kind": evidence.kind, "step": case.state, "sha256": blob.sha256,
                      "size": blob.size, "from_finding": finding.pk},
                actor=actor if isinstance(actor, User) else None,
                actor_label=actor_label(actor),
            )  # fmt: skip
        referral.case_reference = str(case.pk)
        referral.save(update_fields=["case_reference"])
        audit_record(
            actor=actor,
            verb="cases.case.from_referral",
            obj=case,
            after={"referral": referral.pk, "finding": finding.pk, "inspection": inspection.pk},
            unit=case.unit,
        )
    return case


def finding_get(*, actor: Actor, pk: int) -> Any:
    return findings_open(actor=actor).get(pk=pk)
