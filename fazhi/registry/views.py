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

from fazhi.core import policy
from fazhi.core import selectors as core_selectors
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import MAX_PER_PAGE, paginate
from fazhi.core.read_cache import cached_read
from fazhi.registry import export_jobs, exports, industries, selectors, services
from fazhi.registry.choices import RuleCode
from fazhi.registry.entity_rows import entity_rows, page_rows
from fazhi.registry.forms import (
    EntityFilterForm,
    EntityForm,
    MergeForm,
    RuleForm,
)
from fazhi.registry.keyset import Cursor, keyset_page, with_count
from fazhi.registry.models import Entity

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


def _require_view(request: HttpRequest) -> None:
    policy.require(request.user, "registry.view_entity")


@login_required
@cached_read(check=_require_view)
def entity_list(request: HttpRequest) -> HttpResponse:
    form = EntityFilterForm(request.GET or None, actor=request.user)
    entities = selectors.entity_list(actor=request.user, filters=form.filters())
    page = keyset_page(
        entities,
        cursor=Cursor.parse(request.GET.get("cursor")),
        per_page=_per_page(request),
        shape=page_rows,
    )
    with_count(page, entities)
    return render(
        request,
        "registry/entity_list.html",
        {
            "form": form,
            "page": page,
            "rows": entity_rows(page.items, page.start_index, form.categories),
            "querystring": _querystring(request),
        },
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
