"""Verifying the audit chain from the UI and the API, and exporting events.

A verification runs ``audit_verify`` as a background task and records its
outcome as an ``audit.verify`` event: the result is kept in the chain it
checked (no table of its own), and who verified when is itself audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy, selectors
from fazhi.core.audit import audit_record, audit_verify
from fazhi.core.models import AuditEvent, User

VERIFY_VERB = "core.auditevent.verify"


@policy.requires("core.view_auditevent")
def audit_verification_run(*, actor: User | None) -> dict[str, Any]:
    """Walk the whole chain and record the outcome as an ``audit.verify`` event."""
    count, broken = audit_verify()
    result = {
        "intact": broken is None,
        "events": count,
        "broken_seq": broken.seq if broken is not None else None,
        "problem": broken.problem if broken is not None else "",
    }
    audit_record(
        actor=actor,
        verb=VERIFY_VERB,
        object_type="core.auditevent",
        object_repr=_("Audit chain"),
        after=result,
    )
    return result


def audit_verification_list(*, actor: Any) -> QuerySet[AuditEvent]:
    """The verifications the actor may see, newest first."""
    return selectors.audit_list(actor=actor, verb=VERIFY_VERB).order_by("-seq")


def audit_events_xlsx(target: IO[bytes], events: Iterable[AuditEvent]) -> int:
    """Write events to an XLSX workbook (constant memory); return the row count.

    The action is written as the audit page shows it (its label, in the
    language in use) with the stored code beside it, which the chain hashes.
    """
    import xlsxwriter

    from fazhi.core import audit_verbs
    from fazhi.core.templatetags.fazhi_ui import actor_name, model_label

    headers = (
        _("No."),
        _("Time"),
        _("Actor"),
        _("Action"),
        _("Action code"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Client address"),
        _("Hash algorithm"),
        _("Hash"),
    )
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet(_("Audit log")[:31])
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    rows = 0
    for rows, event in enumerate(events, start=1):
        local = timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S")
        values = (
            str(event.seq),
            local,
            actor_name(event),
            audit_verbs.label(event.verb),
            event.verb,
            model_label(event.object_type),
            event.object_id,
            event.object_repr,
            event.client_ip or "",
            event.algorithm,
            event.hash,
        )
        for col, value in enumerate(values):
            sheet.write_string(rows, col, value)
    workbook.close()
    return rows
