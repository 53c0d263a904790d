"""Pages of plans, random-check tasks and inspections (thin: parse, call, render)."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core.actors import Actor
from fazhi.core.documents import documents_for
from fazhi.core.errors import DomainError
from fazhi.core.listing import paginate
from fazhi.core.policy import allowed, view_requires
from fazhi.core.workflow import available_actions, clocks_for
from fazhi.inspections import drawing, forms, jobs, plan_export, selectors, services, workflow
from fazhi.inspections.choices import (
    CheckResult,
    InspectionSource,
    InspectionState,
    ItemKind,
    PlanState,
    RunState,
    Sample,
    TaskState,
)
from fazhi.inspections.models import Finding
from fazhi.laws.models import Article
from fazhi.registry.models import Entity, ExternalAgency, Officer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> Actor:
    """The logged-in user as the services' actor."""
    return cast(Actor, request.user)


def _agency(request: HttpRequest) -> Any:
    unit = request.user.unit  # type: ignore[union-attr]
    if unit is None:
        raise Http404
    return unit.agency()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


# --- check items -----------------------------------------------------------------------


@view_requires("inspections.view_checkitem")
def item_list(request: HttpRequest) -> HttpResponse:
    items = selectors.check_item_list(
        actor=_actor(request), q=request.GET.get("q", ""), kind=request.GET.get("kind", "")
    )
    context = paginate(request, items) | {"kinds": ItemKind.choices}
    return render(request, "inspections/item_list.html", context)


@view_requires("inspections.add_checkitem")
def item_create(request: HttpRequest) -> HttpResponse:
    form = forms.CheckItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_item_save(
                actor=_actor(request),
                unit=_agency(request),
                basis=Article.objects.filter(pk__in=request.POST.getlist("basis")),
                **form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The check item was saved."))
            return redirect("inspections:item_list")
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("New check item"), "cancel": "inspections:item_list"},
    )


# --- plans -------------------------------------------------------------------------------


@view_requires("inspections.view_annualplan")
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(
        actor=_actor(request),
        year=_int(request.GET.get("year")),
        state=request.GET.get("state", ""),
    )
    context = paginate(request, plans) | {"states": PlanState.choices}
    return render(request, "inspections/plan_list.html", context)


@view_requires("inspections.add_annualplan")
def plan_create(request: HttpRequest) -> HttpResponse:
    form = forms.PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=_actor(request), unit=_agency(request), **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect("inspections:plan_detail", pk=plan.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("New annual plan"), "cancel": "inspections:plan_list"},
    )


@view_requires("inspections.view_annualplan")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=_actor(request), pk=pk)
    group_form = forms.PlanGroupForm(request.POST if "add_group" in request.POST else None)
    if request.method == "POST":
        try:
            if "add_group" in request.POST:
                if group_form.is_valid():
                    services.plan_group_add(
                        actor=_actor(request), plan=plan, **group_form.cleaned_data
                    )
                    return redirect("inspections:plan_detail", pk=pk)
            elif "remove_group" in request.POST:
                group = get_object_or_404(plan.groups, pk=_int(request.POST["remove_group"]))
                services.plan_group_remove(actor=_actor(request), group=group)
                return redirect("inspections:plan_detail", pk=pk)
            elif "docx" in request.POST:
                document = plan_export.plan_docx(actor=_actor(request), plan=plan)
                return redirect("core:attachment_download", document.attachment_id)
            elif "action" in request.POST:
                data = {}
                if request.POST.get("opinion"):
                    data["opinion"] = request.POST["opinion"]
                services.plan_transition(
                    actor=_actor(request), plan=plan, name=request.POST["action"], **data
                )
                messages.success(request, _("Done."))
                return redirect("inspections:plan_detail", pk=pk)
        except DomainError as exc:
            _fail(request, exc)
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(plan_export.plan_xlsx(plan), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.xlsx"'
        return response
    context = {
        "plan": plan,
        "documents": documents_for(plan),
        "groups": plan.groups.all(),
        "capacity": services.plan_capacity(plan),
        "actions": available_actions(plan, actor=_actor(request), workflow=workflow.PLAN),
        "group_form": group_form,
        "opinion_form": forms.OpinionForm(),
        "editable": plan.state == PlanState.DRAFT
        and allowed(request.user, "inspections.change_annualplan", unit=plan.unit),
    }
    return render(request, "inspections/plan_detail.html", context)


# --- random-check tasks -------------------------------------------------------------------


@view_requires("inspections.view_inspectiontask")
def task_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.TaskFilters(
        q=request.GET.get("q", ""),
        state=request.GET.get("state", ""),
        year=_int(request.GET.get("year")),
    )
    context = paginate(request, selectors.task_list(actor=_actor(request), filters=filters))
    context["states"] = TaskState.choices
    return render(request, "inspections/task_list.html", context)


@view_requires("inspections.add_inspectiontask")
def task_create(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    form = forms.TaskForm(
        request.POST or None,
        items=selectors.check_items_for(actor=_actor(request), unit=agency),
        agencies=ExternalAgency.objects.filter(is_active=True).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                actor=_actor(request),
                unit=agency,
                title=data["title"],
                reference_date=data["reference_date"],
                seed_rule=data["seed_rule"],
                nonce_count=data["nonce_count"],
                items=data["items"],
                joint_agencies=data["joint_agencies"],
                scope=form.scope(),
                team_size=data["team_size"],
                joint_officers=data["joint_officers"],
                ratio_scale_pct=data["ratio_scale_pct"],
                control_ppm=int(Decimal(data["control_pct"]) * 10_000),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            return redirect("inspections:task_detail", pk=task.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("New random-check task"), "cancel": "inspections:task_list"},
    )


@view_requires("inspections.view_inspectiontask")
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=_actor(request), pk=pk)
    seed_form = forms.SeedForm(request.POST if request.POST.get("step") == "seed" else None)
    replace_form = forms.ReplacementForm(
        request.POST if request.POST.get("step") == "replace" else None
    )
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step in ("commit", "draw"):
                _task_step(request, task, step)
            elif step == "seed" and seed_form.is_valid():
                services.task_seed(
                    actor=_actor(request),
                    task=task,
                    announced=seed_form.cleaned_data["announced"],
                    nonces=seed_form.nonce_list(),
                )
            elif step == "replace" and replace_form.is_valid():
                services.task_replace(actor=_actor(request), task=task, event=replace_form.event())
                messages.success(request, _("The replacement is recorded on the receipt."))
            elif step == "inspections":
                n = services.task_inspections_create(actor=_actor(request), task=task)
                messages.success(request, _("%(n)d inspections planned.") % {"n": n})
            else:
                raise DomainError(_("Check the form."))
            return redirect("inspections:task_detail", pk=pk)
        except DomainError as exc:
            _fail(request, exc)
            task = selectors.task_get(actor=_actor(request), pk=pk)
    selections = selectors.task_selections(
        task=task, q=request.GET.get("q", ""), sample=request.GET.get("sample", "")
    )
    context = paginate(request, selections)
    names = _officer_names(context["object_list"])
    for row in context["object_list"]:
        row.team_names = [(o, names.get(o, "")) for o in row.team]
    context |= {
        "task": task,
        "seed_form": seed_form,
        "replace_form": replace_form,
        "samples": Sample.choices,
        "replacements": task.replacements.all(),
        "may_commit": allowed(request.user, "inspections.commit_inspectiontask", unit=task.unit),
        "may_draw": allowed(request.user, "inspections.draw_inspectiontask", unit=task.unit),
        "planned": task.inspections.count(),
        "run": jobs.latest_run(task),
        "stages": jobs.STAGE_LABELS,
    }
    return render(request, "inspections/task_detail.html", context)


def _task_step(request: HttpRequest, task: Any, step: str) -> None:
    """Commit or draw: at once for a small pool, in the background for a big one."""
    task = jobs.task_step_start(actor=_actor(request), task=task, step=step)
    run = jobs.latest_run(task)
    if run is not None and run.state in (RunState.QUEUED, RunState.RUNNING):
        messages.info(request, _("The pool is big: this runs in the background."))
    elif step == "commit":
        messages.success(request, _("The commitment is published."))
    else:
        messages.success(request, _("The draw is done; download the receipt to verify."))


@view_requires("inspections.view_inspectiontask")
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The background run's progress (polled by the task page); reloads it when done."""
    task = selectors.task_get(actor=_actor(request), pk=pk)
    run = jobs.latest_run(task)
    response = render(
        request,
        "inspections/_task_run.html",
        {"task": task, "run": run, "stages": jobs.STAGE_LABELS},
    )
    if run is None or run.state not in (RunState.QUEUED, RunState.RUNNING):
        response["HX-Refresh"] = "true"
    return response


def _officer_names(rows: Any) -> dict[int, str]:
    ids = {o for row in rows for o in row.team}
    return dict(Officer.objects.filter(pk__in=ids).values_list("pk", "full_name"))


@view_requires("inspections.view_inspectiontask")
def task_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=_actor(request), pk=pk)
    if task.state != TaskState.DRAWN:
        raise Http404
    response = StreamingHttpResponse(
        drawing.receipt_chunks(task), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="receipt-{task.pk}.json"'
    # A streamed body; view_requires types views as returning HttpResponse.
    return cast(HttpResponse, response)


def verifier_download(request: HttpRequest) -> FileResponse:
    """The standalone verifier, for anyone (standard library Python)."""
    from django.conf import settings

    path = settings.BASE_DIR / "docs" / "verify_draw.py"
    return FileResponse(path.open("rb"), as_attachment=True, filename="verify_draw.py")


# --- inspections ---------------------------------------------------------------------------


@view_requires("inspections.view_inspection")
def inspection_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.InspectionFilters(
        q=request.GET.get("q", ""),
        state=request.GET.get("state", ""),
        source=request.GET.get("source", ""),
        task=_int(request.GET.get("task")),
        overdue=request.GET.get("overdue") == "1",
        year=_int(request.GET.get("year")),
        done=request.GET.get("done") == "1",
        severity=request.GET.get("severity", ""),
    )
    context = paginate(request, selectors.inspection_list(actor=_actor(request), filters=filters))
    context |= {"states": InspectionState.choices, "sources": InspectionSource.choices}
    return render(request, "inspections/inspection_list.html", context)


@view_requires("inspections.add_inspection")
def inspection_create(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    form = forms.InspectionForm(
        request.POST or None,
        officers=Officer.objects.filter(unit__path__startswith=agency.path, status="active"),
        items=selectors.check_items_for(actor=_actor(request), unit=agency),
        initial={"planned_on": timezone.localdate(), "entity": request.GET.get("entity")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_create(
                actor=_actor(request),
                unit=agency,
                entity=get_object_or_404(Entity, pk=data["entity"]),
                source=data["source"],
                source_note=data["source_note"],
                planned_on=data["planned_on"],
                officers=data["officers"],
                items=data["items"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": _("New inspection"), "cancel": "inspections:inspection_list"},
    )


@view_requires("inspections.view_inspection")
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_get(actor=_actor(request), pk=pk)
    if request.method == "POST":
        try:
            _inspection_post(request, inspection)
        except DomainError as exc:
            _fail(request, exc)
        return redirect("inspections:inspection_detail", pk=pk)
    context = {
        "inspection": inspection,
        "checks": inspection.checks.all(),
        "results": CheckResult.choices,
        "findings": inspection.findings.all(),
        "evidence": inspection.evidence.all(),
        "actions": available_actions(
            inspection, actor=_actor(request), workflow=workflow.INSPECTION
        ),
        "publish": available_actions(
            inspection, actor=_actor(request), workflow=workflow.PUBLICATION
        ),
        "documents": documents_for(inspection),
        "clocks": clocks_for(inspection),
        "finding_form": forms.FindingForm(),
        "evidence_form": forms.EvidenceForm(),
        "rectify_form": forms.RectifyForm(),
        "reinspect_form": forms.ReinspectForm(),
        "editable": inspection.state == InspectionState.IN_PROGRESS
        and allowed(request.user, "inspections.change_inspection", unit=inspection.unit),
        "may_refer": allowed(request.user, "inspections.refer_finding", unit=inspection.unit),
        "today": timezone.localdate(),
    }
    return render(request, "inspections/inspection_detail.html", context)


def _finding(request: HttpRequest, inspection: Any) -> Finding:
    return get_object_or_404(Finding, pk=_int(request.POST.get("finding")), inspection=inspection)


def _inspection_post(request: HttpRequest, inspection: Any) -> None:
    step = request.POST.get("step")
    actor = _actor(request)
    if step == "record":
        checks = {}
        for check in inspection.checks.all():
            result = request.POST.get(f"check-{check.item_id}")
            if result is not None:
                checks[check.item_id] = (result, request.POST.get(f"note-{check.item_id}", ""))
        services.inspection_record_save(
            actor=actor,
            inspection=inspection,
            version=int(request.POST.get("version", "0")),
            checks=checks,
            site=request.POST.get("site", ""),
            representative=request.POST.get("representative", ""),
            summary=request.POST.get("summary", ""),
        )
        messages.success(request, _("Saved."))
    elif step == "finding":
        finding_form = forms.FindingForm(request.POST)
        if not finding_form.is_valid():
            raise DomainError(_("Describe the hazard and its severity."))
        article_id = finding_form.cleaned_data["article"]
        services.finding_add(
            actor=actor,
            inspection=inspection,
            description=finding_form.cleaned_data["description"],
            severity=finding_form.cleaned_data["severity"],
            provision=finding_form.cleaned_data["provision"],
            article=get_object_or_404(Article, pk=article_id) if article_id else None,
        )
    elif step == "evidence":
        evidence_form = forms.EvidenceForm(request.POST, request.FILES)
        if not evidence_form.is_valid():
            raise DomainError(_("Choose a photo or recording."))
        upload = evidence_form.cleaned_data["file"]
        finding_id = evidence_form.cleaned_data["finding"]
        services.evidence_add(
            actor=actor,
            inspection=inspection,
            upload=upload,
            name=upload.name,
            description=evidence_form.cleaned_data["description"],
            finding=get_object_or_404(Finding, pk=finding_id, inspection=inspection)
            if finding_id
            else None,
        )
        messages.success(request, _("The file is stored under its hash."))
    elif step == "signature":
        encoded = request.POST.get("png", "")
        try:
            png = base64.b64decode(encoded.split(",")[-1], validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(_("The signature is empty.")) from None
        services.signature_save(
            actor=actor, inspection=inspection, signer=request.POST.get("signer", ""), png=png
        )
    elif step == "rectified":
        finding = get_object_or_404(
            Finding, pk=_int(request.POST.get("finding")), inspection=inspection
        )
        services.finding_set_rectified(
            actor=actor, finding=finding, rectified=request.POST.get("rectified") == "1"
        )
    elif step == "refer":
        finding = get_object_or_404(
            Finding, pk=_int(request.POST.get("finding")), inspection=inspection
        )
        services.finding_refer_to_case(
            actor=actor, finding=finding, note=request.POST.get("note", "")
        )
        messages.success(request, _("The hazard is referred for a penalty case."))
    elif step == "publish":
        services.inspection_publish_results(actor=actor, inspection=inspection)
    elif step == "action":
        name = request.POST.get("action", "")
        data: dict[str, Any] = {}
        if name == "order_rectification":
            rectify_form = forms.RectifyForm(request.POST)
            if not rectify_form.is_valid():
                raise DomainError(_("Set the rectification deadline."), field="rectify_by")
            data["rectify_by"] = rectify_form.cleaned_data["rectify_by"]
        if request.POST.get("note"):
            data["note"] = request.POST["note"]
        services.inspection_transition(actor=actor, inspection=inspection, name=name, **data)
        messages.success(request, _("Done."))
    else:
        raise DomainError(_("Check the form."))


@view_requires("inspections.view_inspection")
def publication_board(request: HttpRequest) -> HttpResponse:
    rows = selectors.publication_overdue(actor=_actor(request))
    return render(request, "inspections/publication_board.html", {"rows": rows})


@view_requires("inspections.view_inspection")
def indicator_page(request: HttpRequest) -> HttpResponse:
    year = _int(request.GET.get("year")) or timezone.localdate().year
    figures = selectors.indicators(actor=_actor(request), year=year)
    return render(
        request,
        "inspections/indicators.html",
        {"figures": figures, "year": year, "years": range(year - 3, year + 2)},
    )
