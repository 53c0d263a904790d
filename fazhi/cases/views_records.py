"""Pages of the whole-process record: evidence upload and download, case-file exports."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhi.cases import archive as archives
from fazhi.cases import documents, intake, preservation, selectors
from fazhi.cases import evidence as ev
from fazhi.cases import permissions as p
from fazhi.cases.choices import PreservationOutcome
from fazhi.cases.records import EvidenceKind
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.forms import StyledMixin
from fazhi.core.policy import view_requires


class EvidenceForm(StyledMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,audio/*,video/*,.pdf,.docx"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=EvidenceKind.choices)
    description = forms.CharField(label=gettext_lazy("What it shows"), max_length=255)
    recorded_on = forms.DateField(
        label=gettext_lazy("Recorded on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RecordDocumentForm(StyledMixin, forms.Form):
    code = forms.ChoiceField(
        label=gettext_lazy("Document"),
        choices=[
            ("inquiry_record", "询问笔录"),
            ("evidence_preservation_notice", "先行登记保存证据通知书"),
        ],
    )
    subject = forms.CharField(
        label=gettext_lazy("Person questioned"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For an inquiry record; the party if left empty."),
    )
    text = forms.CharField(
        label=gettext_lazy("Record (questions and answers, or the items preserved)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PreservationDecisionForm(StyledMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Decision on the preserved items"), choices=PreservationOutcome.choices
    )
    reason = forms.CharField(
        label=gettext_lazy("Reasons"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


def _actor(request: HttpRequest) -> Actor:
    return cast("Actor", request.user)


def records_context(request: HttpRequest, case: Any) -> dict[str, Any]:
    """What the case page shows of the evidence and the exports."""
    can_add = policy.has_permission(request.user, p.CHANGE) and case.state not in ev.READ_ONLY
    today = timezone.localdate()
    return {
        "evidence": ev.case_evidence(case),
        "evidence_form": EvidenceForm() if can_add else None,
        "record_form": RecordDocumentForm() if can_add else None,
        "archives": case.archives.all()[:5],
        "preservations": [
            {
                "row": row,
                "overdue": row.overdue(today),
                "outcome": PreservationOutcome(row.decision.data["outcome"]).label
                if row.decision is not None
                else "",
            }
            for row in preservation.case_preservations(case)
        ],
        "preservation_form": PreservationDecisionForm() if can_add else None,
    }


def _refused(request: HttpRequest, exc: DomainError) -> None:
    if exc.status_code in (403, 404):
        raise exc
    messages.error(request, str(exc.message))


@require_POST
@view_requires(p.CHANGE)
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Check the entries: %(e)s") % {"e": form.errors.as_text()})
        return redirect("cases:case_detail", pk=case.pk)
    data: dict[str, Any] = form.cleaned_data
    upload = data["file"]
    try:
        ev.evidence_add(
            actor=_actor(request),
            case=case,
            upload=upload,
            name=upload.name,
            kind=data["kind"],
            description=data["description"],
            recorded_on=data.get("recorded_on"),
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The file is stored under its hash."))
    return redirect("cases:case_detail", pk=case.pk)


@view_requires(p.VIEW)
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    evidence = ev.evidence_get(actor=_actor(request), case=case, pk=evidence_id)
    try:
        handle = ev.evidence_open(actor=_actor(request), evidence=evidence)
    except Conflict as exc:
        return render(
            request,
            "cases/evidence_changed.html",
            {"case": case, "evidence": evidence, "message": exc.message},
            status=409,
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.attachment.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-SHA256"] = evidence.sha256
    return cast("HttpResponse", response)  # a streamed file, like any page to the decorator


@require_POST
@view_requires(p.VIEW)
def archive_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    archives.archive_request(actor=_actor(request), case=case)
    messages.success(
        request, _("The case file is being prepared; it appears below when it is ready.")
    )
    return redirect("cases:case_detail", pk=case.pk)


@view_requires(p.VIEW)
def archive_download(request: HttpRequest, pk: int, archive_id: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    archive = archives.archive_get(actor=_actor(request), case=case, pk=archive_id)
    try:
        handle = archives.archive_open(archive)
    except DomainError as exc:
        _refused(request, exc)
        return redirect("cases:case_detail", pk=case.pk)
    day = archive.requested_at.date() if archive.requested_at else datetime.date.today()
    name = f"{case.number or case.pk}-电子卷宗-{day:%Y%m%d}.zip"
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/zip"
    )
    response["X-Content-SHA256"] = archive.sha256
    return cast("HttpResponse", response)


@require_POST
@view_requires(p.CHANGE)
def record_make(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    form = RecordDocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the entries: %(e)s") % {"e": form.errors.as_text()})
        return redirect("cases:case_detail", pk=case.pk)
    try:
        document = documents.record_make(actor=_actor(request), case=case, **form.cleaned_data)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Made: %(title)s.") % {"title": document.title})
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@view_requires(p.CHANGE)
def preservation_decide(request: HttpRequest, pk: int, notice_id: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    form = PreservationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the entries: %(e)s") % {"e": form.errors.as_text()})
        return redirect("cases:case_detail", pk=case.pk)
    try:
        event = preservation.preservation_decide(
            actor=_actor(request), case=case, notice_id=notice_id, **form.cleaned_data
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        if event.data.get("late"):
            messages.warning(
                request, _("The decision is recorded, after the time limit: it is marked late.")
            )
        else:
            messages.success(request, _("The decision on the preserved items is recorded."))
    return redirect("cases:case_detail", pk=case.pk)


@view_requires(p.ADD)
def finding_list(request: HttpRequest) -> HttpResponse:
    """Hazards inspections referred for a penalty, waiting for a case."""
    referrals = intake.findings_open(actor=_actor(request))[:200]
    return render(request, "cases/finding_list.html", {"referrals": referrals})


@require_POST
@view_requires(p.ADD)
def finding_open(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = intake.finding_get(actor=_actor(request), pk=referral_id)
    team = list(referral.finding.inspection.officers.all())
    try:
        case = intake.case_open_from_finding(
            actor=_actor(request),
            referral=referral,
            officers=team,
            title=request.POST.get("title", "").strip(),
        )
    except DomainError as exc:
        _refused(request, exc)
        return redirect("cases:finding_list")
    messages.success(request, _("The case was registered."))
    return redirect("cases:case_detail", pk=case.pk)
