"""Pages of the two databases: entities, officers, imports, agencies, rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.core import policy, privacy
from fazhi.core import selectors as core_selectors
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import MAX_PER_PAGE, paginate
from fazhi.registry import export_jobs, exports, industries, selectors, services
from fazhi.registry.choices import ExternalAgencyKind, ImportKind, ImportStatus, RuleCode
from fazhi.registry.forms import (
    CertificateForm,
    CertificateStatusForm,
    ConflictEndForm,
    ConflictForm,
    EntityFilterForm,
    EntityForm,
    ExternalAgencyForm,
    ImportForm,
    MergeForm,
    OfficerFilterForm,
    OfficerForm,
    RuleForm,
    TrainingForm,
)
from fazhi.registry.imports import jobs as import_jobs
from fazhi.registry.imports.mapping import mapping_rows
from fazhi.registry.imports.report import job_problems
from fazhi.registry.keyset import Cursor, keyset_page, with_count
from fazhi.registry.models import Entity, ImportJob, Officer
from fazhi.registry.permissions import IMPORT_PERMS

PER_PAGE = 25


def _get(loader: Any, **kwargs: Any) -> Any:
    try:
        return loader(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def _querystring(request: HttpRequest, drop: tuple[str, ...] = ("cursor",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def _per_page(request: HttpRequest) -> int:
    try:
        wanted = int(request.GET.get("per_page", PER_PAGE))
    except ValueError:
        return PER_PAGE
    return min(max(wanted, 1), MAX_PER_PAGE)


# --- entities -------------------------------------------------------------


@login_required
def entity_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "registry.view_entity")
    form = EntityFilterForm(request.GET or None, actor=request.user)
    entities = selectors.entity_list(actor=request.user, filters=form.filters())
    page = keyset_page(
        entities, cursor=Cursor.parse(request.GET.get("cursor")), per_page=_per_page(request)
    )
    with_count(page, entities)
    rows = [(e, selectors.category_names(e.category_bits, form.categories)) for e in page.items]
    return render(
        request,
        "registry/entity_list.html",
        {"form": form, "page": page, "rows": rows, "querystring": _querystring(request)},
    )


@login_required
def entity_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as XLSX in the response: small lists only (a big
    one is a background export, ``entity_export_start``)."""
    policy.require(request.user, "registry.view_entity")
    policy.require(request.user, export_jobs.EXPORT_PERM)
    form = EntityFilterForm(request.GET or None, actor=request.user)
    entities = selectors.entity_list(actor=request.user, filters=form.filters())
    limit = export_jobs.inline_max()
    if entities[: limit + 1].count() > limit:
        messages.info(
            request,
            _("The list has more than %(n)s entities: export it in the background.")
            % {"n": f"{limit:,}"},
        )
        return redirect(f"{reverse('registry:entity_list')}?{_querystring(request)}")
    handle = exports.scratch_file()
    exports.entities_xlsx(handle, entities)
    handle.seek(0)
    name = f"entities-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=exports.XLSX)


@login_required
@require_POST
def entity_export_start(request: HttpRequest) -> HttpResponse:
    """Start an export of the list as filtered (the query string) in the
    chosen format; show its page, which offers the file when it is ready."""
    policy.require(request.user, "registry.view_entity")
    policy.require(request.user, export_jobs.EXPORT_PERM)
    form = EntityFilterForm(request.GET or None, actor=request.user)
    try:
        job = export_jobs.export_start(
            actor=request.user, filters=form.filters(), format=request.POST.get("format", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(f"{reverse('registry:entity_list')}?{_querystring(request)}")
    return redirect("registry:export_detail", pk=job.pk)


def _export(request: HttpRequest, pk: int) -> Any:
    return _get(export_jobs.export_get, actor=request.user, pk=pk)


def _export_context(job: Any) -> dict[str, Any]:
    return {
        "job": job,
        "may_rerun": export_jobs.may_rerun(job),
        "keep_days": export_jobs.keep_days(),
    }


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    jobs = export_jobs.export_list(actor=request.user)
    return render(request, "registry/export_list.html", paginate(request, jobs))


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export(request, pk)
    return render(request, "registry/export_detail.html", _export_context(job))


@login_required
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status card alone: htmx polls it while the export runs."""
    job = _export(request, pk)
    return render(request, "registry/_export_status.html", _export_context(job))


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _export(request, pk)
    try:
        handle = export_jobs.export_open(job)
    except DomainError as exc:
        messages.warning(request, str(exc.message))
        return redirect("registry:export_detail", pk=job.pk)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename,
        content_type=export_jobs.content_type(job),
    )


@login_required
@require_POST
def export_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export(request, pk)
    try:
        export_jobs.export_rerun(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("registry:export_detail", pk=job.pk)


def _history(entity: Entity) -> list[dict[str, Any]]:
    categories = selectors.category_list()
    items = [
        exports.describe_change(change, categories)
        for change in selectors.entity_changes(entity=entity)
    ]
    if entity.source_job_id and not any(i["kind"] == "created" for i in items):
        job = entity.source_job
        items.append(
            {
                "kind": "created",
                "label": _("Created by import"),
                "when": entity.created_at,
                "who": entity.created_by or (job.created_by if job else None) or "system",
                "job": job,
                "fields": [],
            }
        )
    return items


@login_required
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "registry.view_entity")
    entity = _get(selectors.entity_get, actor=request.user, pk=pk)
    events = []
    if policy.allowed(request.user, "core.view_auditevent"):
        events = list(
            core_selectors.audit_list(
                actor=request.user, object_type="registry.entity", object_id=str(entity.pk)
            )[:20]
        )
    context = {
        "entity": entity,
        "categories": selectors.category_names(entity.category_bits),
        "industry": industries.label(entity.industry_section, entity.industry_division),
        "history": _history(entity),
        "merged": entity.merged_entities.all().order_by("id"),
        "duplicates": list(selectors.entity_duplicates_of(actor=request.user, entity=entity)[:20])
        if entity.is_live
        else [],
        "conflicts": selectors.conflict_list(actor=request.user, entity=entity)
        if policy.allowed(request.user, "registry.view_conflictofinterest")
        else [],
        "events": events,
    }
    return render(request, "registry/entity_detail.html", context)


@login_required
def entity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy.require(request.user, "registry.change_entity" if pk else "registry.add_entity")
    entity = _get(selectors.entity_get, actor=request.user, pk=pk) if pk else None
    if entity is not None and not entity.is_live:
        raise Http404
    form = EntityForm(request.POST or None, instance=entity, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if entity is None:
                entity = services.entity_create(actor=request.user, **form.service_fields())
            else:
                services.entity_update(actor=request.user, entity=entity, **form.service_fields())
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc, aliases={"category_bits": "categories"})
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:entity_detail", pk=entity.pk)
    return render(
        request,
        "registry/form.html",
        {"form": form, "title": _("Entity"), "cancel": "registry:entity_list"},
    )


@login_required
def entity_merge(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, "registry.merge_entity")
    survivor = _get(selectors.entity_get, actor=request.user, pk=pk)
    if not survivor.is_live:
        raise Http404
    candidates = list(selectors.entity_duplicates_of(actor=request.user, entity=survivor))
    extra = [int(x) for x in request.GET.getlist("with") if x.isdigit()]
    if extra:
        known = {c.pk for c in candidates}
        candidates += [
            e
            for e in selectors.entity_list(actor=request.user)
            .filter(pk__in=extra)
            .exclude(pk=survivor.pk)
            if e.pk not in known
        ]
    form = MergeForm(
        request.POST or None,
        candidates=candidates,
        initial={"duplicates": [str(x) for x in extra]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.entity_merge(actor=request.user, survivor=survivor, duplicates=form.chosen())
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc, aliases={"category_bits": "categories"})
        else:
            messages.success(request, _("The duplicates were merged into this entity."))
            return redirect("registry:entity_detail", pk=survivor.pk)
    return render(request, "registry/entity_merge.html", {"form": form, "survivor": survivor})


@login_required
def entity_duplicates(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "registry.view_entity")
    groups = selectors.entity_duplicate_groups(actor=request.user)
    return render(request, "registry/entity_duplicates.html", {"groups": groups})


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


# --- rules ----------------------------------------------------------------


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "registry.view_registryrule")
    today = timezone.localdate()
    rules = list(selectors.rule_list(code=request.GET.get("code", "")))
    return render(
        request,
        "registry/rule_list.html",
        {"rules": [(r, r.in_force_on(today)) for r in rules], "codes": RuleCode.choices},
    )


@login_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy.require(
        request.user, "registry.change_registryrule" if pk else "registry.add_registryrule"
    )
    rule = _get(selectors.rule_list().get, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_save(actor=request.user, rule=rule, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc, aliases={"category_bits": "categories"})
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:rule_list")
    return render(
        request,
        "registry/form.html",
        {"form": form, "title": _("Registry rule"), "cancel": "registry:rule_list"},
    )
