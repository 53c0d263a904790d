"""Pages of the registry's imports: upload, check, progress, report, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.core import policy
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import paginate
from fazhi.registry import exports, selectors
from fazhi.registry.choices import ImportKind, ImportStatus
from fazhi.registry.forms import (
    ImportForm,
)
from fazhi.registry.imports import jobs as import_jobs
from fazhi.registry.imports.mapping import mapping_rows
from fazhi.registry.imports.report import job_problems
from fazhi.registry.models import ImportJob
from fazhi.registry.permissions import IMPORT_PERMS
from fazhi.registry.views import _get

# --- imports --------------------------------------------------------------


def _import_start(request: HttpRequest, kind: str) -> HttpResponse:
    policy.require_all(request.user, *IMPORT_PERMS[kind])
    form = ImportForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_jobs.import_job_create(
                actor=request.user,
                kind=kind,
                unit=form.cleaned_data["unit"],
                filename=upload.name,
                upload=upload,
                valid_only=form.cleaned_data["valid_only"],
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc, aliases={"category_bits": "categories"})
        else:
            return redirect("registry:import_detail", pk=job.pk)
    template = (
        "registry:entity_template" if kind == ImportKind.ENTITY else "registry:officer_template"
    )
    return render(
        request,
        "registry/import_form.html",
        {"form": form, "kind": ImportKind(kind), "template_url": template},
    )


@login_required
def entity_import(request: HttpRequest) -> HttpResponse:
    return _import_start(request, ImportKind.ENTITY)


@login_required
def officer_import(request: HttpRequest) -> HttpResponse:
    return _import_start(request, ImportKind.OFFICER)


def _template_response(kind: str) -> FileResponse:
    handle = exports.scratch_file()
    exports.template_xlsx(handle, kind)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=f"{kind}-template.xlsx", content_type=exports.XLSX
    )


@login_required
def entity_template(request: HttpRequest) -> FileResponse:
    policy.require(request.user, "registry.add_entity")
    return _template_response(ImportKind.ENTITY)


@login_required
def officer_template(request: HttpRequest) -> FileResponse:
    policy.require(request.user, "registry.add_officer")
    return _template_response(ImportKind.OFFICER)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "registry.view_importjob")
    jobs = selectors.import_job_list(actor=request.user, kind=request.GET.get("kind", ""))
    status = request.GET.get("status", "")
    if status:
        jobs = jobs.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        jobs = jobs.filter(source_name__contains=q)
    context = paginate(request, jobs)
    context.update({"kinds": ImportKind.choices, "statuses": ImportStatus.choices})
    return render(request, "registry/import_list.html", context)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    policy.require(request.user, "registry.view_importjob")
    return _get(selectors.import_job_get, actor=request.user, pk=pk)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    problems = job_problems(job)
    context = {"job": job, "problems": problems, "unknown": mapping_rows(job, request.user)}
    return render(request, "registry/import_detail.html", context)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status card alone: htmx polls it while the job runs."""
    job = _job(request, pk)
    problems = [] if job.running else job_problems(job)
    context = {"job": job, "problems": problems, "unknown": mapping_rows(job, request.user)}
    return render(request, "registry/_import_status.html", context)


@login_required
def import_report(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if not job.report:
        raise Http404
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-report.xlsx",
        content_type=exports.XLSX,
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    policy.require_all(request.user, *IMPORT_PERMS[job.kind])
    try:
        import_jobs.import_job_confirm(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("registry:import_detail", pk=job.pk)


@login_required
@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    policy.require_all(request.user, *IMPORT_PERMS[job.kind])
    try:
        import_jobs.import_job_discard(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The file was discarded; nothing was imported."))
    return redirect("registry:import_detail", pk=job.pk)
