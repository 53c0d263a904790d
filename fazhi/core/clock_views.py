"""Pages: the deadline calculator, the working-day calendar, the time-limit rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import clock_services, policy
from fazhi.core.calendar import (
    PACKAGE_MAX_YEAR,
    PACKAGE_MIN_YEAR,
    WorkCalendar,
    calendar_year_list,
    package_day,
)
from fazhi.core.choices import CalendarKind, ClockUnit, DayOrigin
from fazhi.core.clock_forms import (
    CalendarDayForm,
    CalendarYearForm,
    ClockRuleEditForm,
    ClockRuleVersionForm,
    DeadlinePageForm,
    duration_text,
    rule_list_filters,
    rules_by_law,
)
from fazhi.core.clock_rules import clock_rule_list
from fazhi.core.errors import DomainError
from fazhi.core.forms import apply_errors
from fazhi.core.listing import paginate
from fazhi.core.models import CalendarDay, ClockRule


@login_required
def clock(request: HttpRequest) -> HttpResponse:
    """Compute a due date and show how it was computed."""
    submitted = "start" in request.GET
    if submitted:
        form = DeadlinePageForm(request.GET)
        form.is_valid()
    else:
        form = DeadlinePageForm(initial={"start": timezone.localdate()})
    return render(
        request,
        "core/clock.html",
        {"form": form, "result": form.result if submitted else None, "rule": form.rule_version},
    )


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


@policy.view_requires("core.view_calendarday")
def calendar(request: HttpRequest) -> HttpResponse:
    """List a year's holidays and make-up days; enter overrides; mark a year known."""
    low, high = clock_services.YEAR_RANGE
    year = min(
        max(
            _int(request.GET.get("year") or request.POST.get("year"), timezone.localdate().year),
            low,
        ),
        high,
    )
    day_form = CalendarDayForm(initial={"date": f"{year}-01-01"}, prefix="day")
    work = WorkCalendar()
    suggested = year if not work.is_known_year(year) else max(work.known_years()) + 1
    year_form = CalendarYearForm(initial={"year": suggested}, prefix="known")
    if request.method == "POST":
        action = request.POST.get("action", "")
        target = f"{reverse('core:calendar')}?year={year}"
        try:
            if action == "day":
                policy.page_require(request.user, "core.add_calendarday", hide=True)
                day_form = CalendarDayForm(request.POST, prefix="day")
                if day_form.is_valid():
                    day = clock_services.calendar_day_set(
                        actor=request.user, **day_form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("The override for %(date)s was saved.") % {"date": day.date.isoformat()},
                    )
                    return redirect(f"{reverse('core:calendar')}?year={day.date.year}")
            elif action == "known":
                policy.page_require(request.user, "core.add_calendaryear", hide=True)
                year_form = CalendarYearForm(request.POST, prefix="known")
                if year_form.is_valid():
                    row = clock_services.calendar_year_mark_known(
                        actor=request.user, **year_form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("The year %(year)d is now marked as known.") % {"year": row.year},
                    )
                    return redirect(f"{reverse('core:calendar')}?year={row.year}")
            elif action == "delete":
                policy.page_require(request.user, "core.delete_calendarday", hide=True)
                override = CalendarDay.objects.filter(pk=_int(request.POST.get("pk"), 0)).first()
                if override is None:
                    raise Http404
                clock_services.calendar_day_delete(actor=request.user, day=override)
                messages.success(request, _("The override was removed."))
                return redirect(target)
            else:
                raise Http404
        except (ValidationError, DomainError) as exc:
            apply_errors(year_form if action == "known" else day_form, exc)
    days = work.year_days(year)
    kind = request.GET.get("kind", "")
    origin = request.GET.get("origin", "")
    q = request.GET.get("q", "").strip()
    if kind in CalendarKind.values:
        days = [d for d in days if d.kind == kind]
    if origin in DayOrigin.values:
        days = [d for d in days if d.origin == origin]
    if q:
        days = [d for d in days if q in d.name or q in d.source]
    pk_by_date = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "pk"))
    rows = [
        {
            "info": info,
            "override_pk": pk_by_date.get(info.date),
            "replaces": package_day(info.date) if info.origin == DayOrigin.OVERRIDE else None,
        }
        for info in days
    ]
    listing = paginate(request, rows, per_page=100)
    years = {row.year: row for row in calendar_year_list()}
    return render(
        request,
        "core/calendar_list.html",
        {
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "known": work.is_known_year(year),
            "in_package": PACKAGE_MIN_YEAR <= year <= PACKAGE_MAX_YEAR,
            "year_row": years.get(year),
            "admin_years": sorted(years.values(), key=lambda r: r.year),
            "package_range": (PACKAGE_MIN_YEAR, PACKAGE_MAX_YEAR),
            **listing,
            "day_form": day_form,
            "year_form": year_form,
            "may_set_day": clock_services.may_edit(request.user, "core.add_calendarday"),
            "may_delete_day": clock_services.may_edit(request.user, "core.delete_calendarday"),
            "may_mark_year": clock_services.may_edit(request.user, "core.add_calendaryear"),
            "kinds": CalendarKind.choices,
            "origins": [
                (DayOrigin.PACKAGE, DayOrigin.PACKAGE.label),
                (DayOrigin.OVERRIDE, DayOrigin.OVERRIDE.label),
            ],
        },
    )


def _numbered(first: int, groups: Any) -> list[tuple[Any, list[tuple[int, Any, str]]]]:
    """The rules grouped by law, each with its 序号 across the groups."""
    numbered, seq = [], first
    for law, group in groups:
        rows = []
        for rule in group:
            rows.append((seq, rule, duration_text(rule.length, rule.unit)))
            seq += 1
        numbered.append((law, rows))
    return numbered


@policy.view_requires("core.view_clockrule")
def clockrule_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rules = clock_rule_list(today=today, **rule_list_filters(request.GET))
    context = paginate(request, rules, per_page=200)
    context.update(
        {
            "today": today,
            "units": ClockUnit.choices,
            "may_add_rule": clock_services.may_edit(request.user, "core.add_clockrule"),
            "may_change_rule": clock_services.may_edit(request.user, "core.change_clockrule"),
            "groups": _numbered(
                context["page_obj"].start_index(), rules_by_law(context["object_list"])
            ),
        }
    )
    return render(request, "core/clockrule_list.html", context)


@login_required
def clockrule_version_create(request: HttpRequest) -> HttpResponse:
    """Add a version of a rule (new effective date), prefilled from the newest one."""
    policy.page_require(request.user, "core.change_clockrule", "core.add_clockrule", hide=True)
    code = request.GET.get("code", "")
    versions = ClockRule.objects.filter(code=code).order_by("-effective_from")
    # A province's rule is prefilled from its own newest version, else the national one.
    base = (
        versions.filter(province=request.GET.get("province", "")).first() or versions.first()
        if code
        else None
    )
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    if base is not None:
        for name in ClockRuleVersionForm.Meta.fields:
            if name not in ("effective_from", "effective_to"):
                initial[name] = getattr(base, name)
    form = ClockRuleVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = clock_services.clock_rule_add_version(actor=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("The new version of %(code)s was saved.") % {"code": rule.code}
            )
            return redirect(f"{reverse('core:clockrule_list')}?q={rule.code}")
    return render(
        request,
        "core/clockrule_form.html",
        {"form": form, "base": base, "new_version": True, "title": _("New rule version")},
    )


@login_required
def clockrule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a version's wording, citation, notes or verified flag."""
    policy.page_require(request.user, "core.change_clockrule", hide=True)
    rule = ClockRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    form = ClockRuleEditForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ClockRuleEditForm.Meta.fields}
        try:
            clock_services.clock_rule_update(actor=request.user, rule=rule, **fields)
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('core:clockrule_list')}?q={rule.code}")
    rule.refresh_from_db()
    return render(
        request,
        "core/clockrule_form.html",
        {"form": form, "base": rule, "new_version": False, "title": _("Edit rule version")},
    )
