"""A small workflow over an existing core model, for the kit's own tests.

Attachments have a unit (for scope) and a choice field (``role``) that serves
as the state, so the engine is tested against a real table without a
test-only model.
"""

from __future__ import annotations

from typing import Any

from django import forms

from fazhi.core.choices import AttachmentRole
from fazhi.core.models import Attachment, Blob, OrgUnit, User
from fazhi.core.workflow import ClockEffect, GuardContext, Transition, Workflow


def needs_description(obj: Attachment, ctx: GuardContext) -> str | None:
    """The file must be described before it becomes evidence."""
    return None if obj.description else "Describe the file first."


def not_on_sunday(obj: Attachment, ctx: GuardContext) -> str | None:
    """Nothing is filed on a Sunday."""
    return "Not on a Sunday." if ctx.today.isoweekday() == 7 else None


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=100)


FLOW = Workflow(
    name="core.kit_test",
    listed=False,  # not a procedure of the product: the audit viewer does not offer its steps
    model=Attachment,
    state_field="role",
    states=AttachmentRole,
    transitions=(
        Transition(
            name="mark_evidence",
            label="Mark as evidence",
            sources=(AttachmentRole.OTHER,),
            target=AttachmentRole.EVIDENCE,
            permission="core.add_attachment",
            guards=(needs_description, not_on_sunday),
            clocks=(ClockEffect("license_decision", "start"),),
        ),
        Transition(
            name="suspend",
            label="Suspend for testing",
            sources=(AttachmentRole.EVIDENCE,),
            target=AttachmentRole.EVIDENCE,
            permission="core.add_attachment",
            clocks=(ClockEffect("license_decision", "pause"),),
            form=ReasonForm,
        ),
        Transition(
            name="carry_on",
            label="Resume",
            sources=(AttachmentRole.EVIDENCE,),
            target=AttachmentRole.EVIDENCE,
            permission="core.add_attachment",
            clocks=(ClockEffect("license_decision", "resume"),),
        ),
        Transition(
            name="file",
            label="File as a document",
            sources=(AttachmentRole.EVIDENCE,),
            target=AttachmentRole.DOCUMENT,
            permission="core.change_orgunit",
            clocks=(ClockEffect("license_decision", "stop"),),
        ),
    ),
)


def attachment(unit: OrgUnit, **extra: Any) -> Attachment:
    blob, _ = Blob.objects.get_or_create(
        sha256="0" * 64,
        defaults={"size": 1, "content_type": "application/pdf", "storage_name": "x"},
    )
    return Attachment.objects.create(
        blob=blob,
        original_name="a.pdf",
        unit=unit,
        uploaded_by=User.objects.filter(unit=unit).first(),
        role=extra.pop("role", AttachmentRole.OTHER),
        **extra,
    )
