"""Audit pages beyond the log itself: verifying the chain, exporting events."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.core import policy, selectors
from fazhi.core.audit_checks import audit_events_xlsx, audit_verification_list
from fazhi.core.forms import AuditFilterForm
from fazhi.core.listing import paginate
from fazhi.core.tasks import audit_verify_task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def audit_filters(form: AuditFilterForm) -> dict[str, Any]:
    """The selector's filters from a valid audit filter form ({} otherwise)."""
    if not form.is_valid():
        return {}
    data = form.cleaned_data
    return {
        "actor_q": data["actor"],
        "object_type": data["object_type"],
        "object_id": data["object_id"],
        "verb": data["verb"],
        "since": data["since"],
        "until": data["until"],
    }


@policy.view_requires("core.view_auditevent")
def audit_verify_page(request: HttpRequest) -> HttpResponse:
    context = paginate(request, audit_verification_list(actor=request.user), per_page=10)
    return render(request, "core/audit_verify.html", context)


@policy.view_requires("core.view_auditevent")
@require_POST
def audit_verify_start(request: HttpRequest) -> HttpResponse:
    audit_verify_task.enqueue(request.user.pk)
    messages.success(
        request,
        _("The verification has started; its result appears below when it ends."),
    )
    return redirect("core:audit_verify")


@policy.view_requires("core.view_auditevent")
def audit_export(request: HttpRequest) -> FileResponse:
    form = AuditFilterForm(request.GET or None)
    events = selectors.audit_list(actor=request.user, **audit_filters(form)).order_by("seq")
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (the FileResponse closes it)
    audit_events_xlsx(handle, events.iterator(chunk_size=2000))
    handle.seek(0)
    name = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)
