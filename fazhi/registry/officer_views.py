"""Pages of the officers' database (人员库) and of the external agencies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy, privacy
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import paginate
from fazhi.registry import exports, selectors, services
from fazhi.registry.choices import ExternalAgencyKind
from fazhi.registry.forms import (
    CertificateForm,
    CertificateStatusForm,
    ConflictEndForm,
    ConflictForm,
    ExternalAgencyForm,
    OfficerFilterForm,
    OfficerForm,
    TrainingForm,
)
from fazhi.registry.models import Officer
from fazhi.registry.views import _get

# --- officers -------------------------------------------------------------


@login_required
def officer_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "registry.view_officer")
    form = OfficerFilterForm(request.GET or None, actor=request.user)
    officers = selectors.officer_list(actor=request.user, filters=form.filters())
    context = paginate(request, officers.prefetch_related("certificates"))
    today = timezone.localdate()
    context["rows"] = [
        (o, selectors.certificate_current(officer=o, on=today))
        for o in selectors.officers_prime(list(context["object_list"]))
    ]
    context.update(
        {"form": form, "today": today, "show_ids": privacy.may_see_personal_data(request.user)}
    )
    return render(request, "registry/officer_list.html", context)


@login_required
def officer_export(request: HttpRequest) -> FileResponse:
    policy.require(request.user, "registry.view_officer")
    form = OfficerFilterForm(request.GET or None, actor=request.user)
    officers = selectors.officer_list(actor=request.user, filters=form.filters())
    handle = exports.scratch_file()
    exports.officers_xlsx(
        handle, officers, show_personal=privacy.may_see_personal_data(request.user)
    )
    handle.seek(0)
    name = f"officers-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=exports.XLSX)


def _officer(request: HttpRequest, pk: int) -> Officer:
    return _get(selectors.officer_get, actor=request.user, pk=pk)


@login_required
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "registry.view_officer")
    officer = _officer(request, pk)
    today = timezone.localdate()
    certificates = list(officer.certificates.all())
    context = {
        "officer": officer,
        "show_id": privacy.may_see_personal_data(request.user),
        "today": today,
        "problem": services.officer_certification_problem(officer=officer, on=today),
        "certificates": [(c, c.status_on(today)) for c in certificates],
        "conflicts": [
            (c, c.active_on(today))
            for c in selectors.conflict_list(actor=request.user, officer=officer)
        ],
        "training": officer.training.all(),
    }
    return render(request, "registry/officer_detail.html", context)


@login_required
def officer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy.require(request.user, "registry.change_officer" if pk else "registry.add_officer")
    officer = _officer(request, pk) if pk else None
    show = privacy.may_see_personal_data(request.user) or officer is None
    form = OfficerForm(
        request.POST or None, instance=officer, actor=request.user, show_citizen_id=show
    )
    if request.method == "POST" and form.is_valid():
        try:
            if officer is None:
                officer = services.officer_create(actor=request.user, **form.service_fields())
            else:
                services.officer_update(
                    actor=request.user, officer=officer, **form.service_fields()
                )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc, aliases={"category_bits": "categories"})
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:officer_detail", pk=officer.pk)
    return render(
        request,
        "registry/form.html",
        {"form": form, "title": _("Officer"), "cancel": "registry:officer_list"},
    )


def _small_form(
    request: HttpRequest, form: Any, title: str, back: str, action: Any
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc, aliases={"category_bits": "categories"})
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    return render(request, "registry/form.html", {"form": form, "title": title, "back": back})


@login_required
def certificate_create(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "registry.add_enforcementcertificate")
    officer = _officer(request, pk)
    return _small_form(
        request,
        CertificateForm(request.POST or None),
        _("Record a certificate for %(name)s") % {"name": officer.full_name},
        officer_url(officer),
        lambda data: services.certificate_issue(actor=request.user, officer=officer, **data),
    )


@login_required
def certificate_status(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "registry.change_enforcementcertificate")
    certificate = _get(selectors.certificate_get, actor=request.user, pk=pk)
    return _small_form(
        request,
        CertificateStatusForm(request.POST or None, initial={"status": certificate.status}),
        _("Change the status of certificate %(number)s") % {"number": certificate.number},
        officer_url(certificate.officer),
        lambda data: services.certificate_set_status(
            actor=request.user, certificate=certificate, **data
        ),
    )


@login_required
def conflict_create(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "registry.add_conflictofinterest")
    officer = _officer(request, pk)

    def record(data: dict[str, Any]) -> None:
        services.conflict_record(
            actor=request.user,
            officer=officer,
            entity=data["uscc"],
            kind=data["kind"],
            source=data["source"],
            description=data["description"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )

    return _small_form(
        request,
        ConflictForm(request.POST or None),
        _("Record a conflict of interest for %(name)s") % {"name": officer.full_name},
        officer_url(officer),
        record,
    )


@login_required
def conflict_end(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "registry.change_conflictofinterest")
    conflict = _get(selectors.conflict_get, actor=request.user, pk=pk)
    return _small_form(
        request,
        ConflictEndForm(request.POST or None),
        _("End the conflict with %(entity)s") % {"entity": conflict.entity.name},
        officer_url(conflict.officer),
        lambda data: services.conflict_end(
            actor=request.user, conflict=conflict, valid_to=data["valid_to"]
        ),
    )


@login_required
def training_set(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "registry.change_officer")
    officer = _officer(request, pk)
    return _small_form(
        request,
        TrainingForm(request.POST or None),
        _("Training hours of %(name)s") % {"name": officer.full_name},
        officer_url(officer),
        lambda data: services.training_record(actor=request.user, officer=officer, **data),
    )


def officer_url(officer: Officer) -> str:
    return reverse("registry:officer_detail", kwargs={"pk": officer.pk})


# --- external agencies ----------------------------------------------------


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "registry.view_externalagency")
    agencies = selectors.external_agency_list(
        actor=request.user, q=request.GET.get("q", ""), kind=request.GET.get("kind", "")
    )
    context = paginate(request, agencies)
    context["kinds"] = ExternalAgencyKind.choices
    return render(request, "registry/agency_list.html", context)


@login_required
def agency_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy.require(
        request.user, "registry.change_externalagency" if pk else "registry.add_externalagency"
    )
    agency = _get(selectors.external_agency_get, actor=request.user, pk=pk) if pk else None
    form = ExternalAgencyForm(request.POST or None, instance=agency, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if agency is None:
                services.external_agency_create(actor=request.user, **form.cleaned_data)
            else:
                services.external_agency_update(
                    actor=request.user, agency=agency, **form.cleaned_data
                )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc, aliases={"category_bits": "categories"})
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:agency_list")
    return render(
        request,
        "registry/form.html",
        {"form": form, "title": _("External agency"), "cancel": "registry:agency_list"},
    )
