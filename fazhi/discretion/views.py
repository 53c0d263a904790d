"""Pages of the discretion baselines (裁量基准) and the calculator.

Views parse input, check permission, and call one service (writes) or the
selectors (reads).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import paginate
from fazhi.discretion import selectors, services
from fazhi.discretion.choices import CircumstanceEffect, ExtraMeasure, FineTarget, Stage
from fazhi.discretion.engine import money
from fazhi.discretion.forms import (
    CalculatorForm,
    EntryFilterForm,
    EntryForm,
    FineFormSet,
    NoPenaltyForm,
    RangeFormSet,
    RuleForm,
    TierFormSet,
    entry_from_forms,
    entry_initial,
)
from fazhi.discretion.grounds import LIMITED_CAPACITY
from fazhi.discretion.models import DiscretionTier
from fazhi.discretion.services import DiscretionInvalid
from fazhi.laws.citations import citation_resolve


def _get(getter: Any, **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Home card: discretion tiers not yet verified against their sources."""
    user = request.user
    if not policy.has_permission(user, "discretion.view_discretionentry"):
        return None
    count = DiscretionTier.objects.filter(verified=False).count()
    if not count:
        return None
    return {"template": "discretion/_home_panel.html", "unverified_tiers": count}


@login_required
def discretion_list(request: HttpRequest) -> HttpResponse:
    policy.page_require(request.user, "discretion.view_discretionentry")
    form = EntryFilterForm(request.GET or None)
    entries = selectors.discretion_entry_list(actor=request.user, **form.filters())
    context = paginate(request, entries)
    context.update(
        {
            "form": form,
            "can_add": policy.has_permission(request.user, "discretion.add_discretionentry"),
        }
    )
    return render(request, "discretion/discretion_list.html", context)


@login_required
def discretion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get(selectors.discretion_entry_get, actor=request.user, pk=pk)
    policy.page_require(request.user, "discretion.view_discretionentry")
    tiers = list(entry.tiers.all())
    targets = sorted(
        {(r.target, r.stage) for r in entry.ranges.all()}
        | {(f.target, f.stage) for t in tiers for f in t.fines.all()},
        key=lambda pair: (FineTarget.values.index(pair[0]), Stage.values.index(pair[1])),
    )
    rows = []
    for tier in tiers:
        fines = {(f.target, f.stage): f for f in tier.fines.all()}
        rows.append({"tier": tier, "cells": [fines.get(key) for key in targets]})
    ranges = {(r.target, r.stage): r for r in entry.ranges.all()}
    return render(
        request,
        "discretion/discretion_detail.html",
        {
            "entry": entry,
            "columns": targets,
            "column_labels": [_column_label(t, s) for t, s in targets],
            "statutory": [ranges.get(key) for key in targets],
            "rows": rows,
            "other_measures": [
                {
                    "who": _column_label(row["target"], row["stage"]),
                    "measure": ExtraMeasure(row["measure"]).label,
                    "condition": row.get("condition", ""),
                }
                for row in entry.measures
                if row.get("measure") in ExtraMeasure.values
                and row.get("target") in FineTarget.values
                and row.get("stage") in Stage.values
            ],
            "versions": selectors.entry_versions(entry),
            "no_penalty": selectors.no_penalty_list(actor=request.user).filter(
                entry_code=entry.code
            ),
            "can_edit": policy.has_permission(request.user, "discretion.change_discretionentry"),
        },
    )


def _column_label(target: str, stage: str) -> str:
    return f"{FineTarget(target).label} · {Stage(stage).label}"


def _circumstance_choices() -> list[tuple[str, str]]:
    unverified = _("(unverified source)")
    return [
        (c.code, c.name if c.verified else f"{c.name} {unverified}")
        for c in selectors.circumstance_list()
    ]


def _may_grounds() -> list[tuple[str, str]]:
    """The 可以 grounds the officer may choose to apply (Art. 31, may-mitigate circumstances)."""
    rows = [
        (c.code, c.name)
        for c in selectors.circumstance_list()
        if c.effect == CircumstanceEffect.MAY_MITIGATE
    ]
    return [(LIMITED_CAPACITY, str(_("Limited capacity (行政处罚法第三十一条)"))), *rows]


@login_required
def discretion_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entry = _get(selectors.discretion_entry_get, actor=request.user, pk=pk) if pk else None
    policy.page_require(
        request.user,
        "discretion.change_discretionentry" if entry else "discretion.add_discretionentry",
    )
    circumstances = _circumstance_choices()
    tier_form_kwargs = {"circumstances": circumstances}
    if request.method == "POST":
        form = EntryForm(request.POST)
        ranges = RangeFormSet(request.POST, prefix="ranges")
        tiers = TierFormSet(request.POST, prefix="tiers", form_kwargs=tier_form_kwargs)
        fines = FineFormSet(request.POST, prefix="fines")
        problems: list[Any] = []
        if form.is_valid() and ranges.is_valid() and tiers.is_valid() and fines.is_valid():
            data = entry_from_forms(form, ranges, tiers, fines)
            if not any(sub.errors for sub in fines.forms):
                try:
                    if entry is None:
                        saved = services.discretion_entry_create(actor=request.user, data=data)
                    elif form.cleaned_data["as_new_version"]:
                        saved = services.discretion_entry_revise(
                            actor=request.user, entry=entry, data=data
                        )
                    else:
                        saved = services.discretion_entry_update(
                            actor=request.user, entry=entry, data=data
                        )
                except DiscretionInvalid as exc:
                    problems = exc.problems
                    _place_problems(problems, form, ranges, tiers, fines)
                except (ValidationError, DomainError) as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("discretion:discretion_detail", pk=saved.pk)
    else:
        if entry is not None:
            head, range_rows, tier_rows, fine_rows = entry_initial(entry)
        else:
            head, range_rows, tier_rows, fine_rows = (
                {"effective_from": timezone.localdate()},
                [],
                [],
                [],
            )
        form = EntryForm(initial=head)
        ranges = RangeFormSet(initial=range_rows, prefix="ranges")
        tiers = TierFormSet(initial=tier_rows, prefix="tiers", form_kwargs=tier_form_kwargs)
        fines = FineFormSet(initial=fine_rows, prefix="fines")
        problems = []
    return render(
        request,
        "discretion/discretion_edit.html",
        {
            "entry": entry,
            "form": form,
            "ranges": ranges,
            "tiers": tiers,
            "fines": fines,
            "problems": problems,
        },
    )


def _place_problems(problems: list[Any], form: Any, ranges: Any, tiers: Any, fines: Any) -> None:
    """Attach each validation problem to the form row (and field) it concerns."""
    sets = {"ranges": ranges, "tiers": tiers, "fines": fines}
    for problem in problems:
        target = form
        if problem.section in sets:
            target = next(
                (f for f in sets[problem.section].forms if f.prefix == problem.ref), form
            )
        field = problem.field if problem.field in target.fields else None
        if target is form and field is None and problem.section != "entry":
            target.add_error(None, problem.message)
        else:
            target.add_error(field, problem.message)


@login_required
def discretion_calculator(request: HttpRequest) -> HttpResponse:
    policy.page_require(request.user, "discretion.view_discretionentry")
    user: Any = request.user
    agency = user.unit.agency() if user.unit is not None else None
    today = timezone.localdate()
    adopted = selectors.adopted_baselines(agency=agency, on=today) if agency else []
    entries = selectors.discretion_entry_list(actor=user, on=today).filter(baseline__in=adopted)
    entry = None
    entry_id = _int(request.GET.get("entry"))
    if entry_id:
        entry = selectors.discretion_entry_list(actor=request.user).filter(pk=entry_id).first()
        if entry is not None:
            entries = entries | selectors.discretion_entry_list(actor=request.user).filter(
                pk=entry.pk
            )
    submitted = "target" in request.GET
    form = CalculatorForm(
        request.GET if submitted else None,
        entries=entries,
        circumstances=_circumstance_choices(),
        may_grounds=_may_grounds(),
        entry=entry,
        initial={"entry": entry.pk} if entry else {},
    )
    result = None
    links: list[str] = []
    if submitted and form.is_valid() and agency is None:
        form.add_error(None, _("Your account belongs to no agency, so no baseline applies."))
    elif submitted and form.is_valid():
        assert agency is not None
        try:
            result = services.discretion_calculate(
                actor=request.user,
                agency=agency,
                entry=form.cleaned_data["entry"],
                facts=form.facts(),
                on=form.day,
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            links = [_article_link(step.article, form.day) for step in result.trace]
    return render(
        request,
        "discretion/discretion_calculator.html",
        {
            "form": form,
            "entry": entry,
            "result": result,
            "trace": list(zip(result.trace, links, strict=True)) if result else [],
            "agency": agency,
            "adopted": adopted,
            "money": money,
        },
    )


def _article_link(text: str, day: Any) -> str:
    """The law library URL of a cited article, if the text cites one."""
    if "第" not in text or "条" not in text:
        return ""
    citation = citation_resolve(text, on=day)
    return citation.url if citation.resolved else ""


@login_required
def no_penalty_list(request: HttpRequest) -> HttpResponse:
    policy.page_require(request.user, "discretion.view_nopenaltyitem")
    items = selectors.no_penalty_list(
        actor=request.user, q=request.GET.get("q", ""), decision=request.GET.get("decision", "")
    )
    context = paginate(request, items)
    context["can_edit"] = policy.has_permission(request.user, "discretion.change_nopenaltyitem")
    return render(request, "discretion/no_penalty_list.html", context)


@login_required
def no_penalty_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    item = _get(selectors.no_penalty_list(actor=request.user).get, pk=pk) if pk else None
    policy.page_require(
        request.user, "discretion.change_nopenaltyitem" if item else "discretion.add_nopenaltyitem"
    )
    form = NoPenaltyForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.no_penalty_item_save(
                actor=request.user,
                item=item,
                **{n: form.cleaned_data[n] for n in form.Meta.fields},
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("discretion:no_penalty_list")
    return render(
        request,
        "discretion/form.html",
        {
            "form": form,
            "title": _("No-penalty list item"),
            "cancel": reverse("discretion:no_penalty_list"),
        },
    )


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    policy.page_require(request.user, "discretion.view_discretionrule")
    q = request.GET.get("q", "").strip()
    rules = selectors.rule_list()
    if q:
        rules = rules.filter(source__icontains=q) | rules.filter(code__icontains=q)
    context = paginate(request, rules)
    context.update(
        {
            "circumstances": selectors.circumstance_list(),
            "can_edit": policy.has_permission(request.user, "discretion.change_discretionrule"),
        }
    )
    return render(request, "discretion/rule_list.html", context)


@login_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = _get(selectors.rule_list().get, pk=pk) if pk else None
    policy.page_require(
        request.user,
        "discretion.change_discretionrule" if rule else "discretion.add_discretionrule",
    )
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.discretion_rule_save(
                actor=request.user,
                rule=rule,
                **{n: form.cleaned_data[n] for n in form.Meta.fields},
            )
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("discretion:rule_list")
    return render(
        request,
        "discretion/form.html",
        {"form": form, "title": _("Discretion rule"), "cancel": reverse("discretion:rule_list")},
    )
