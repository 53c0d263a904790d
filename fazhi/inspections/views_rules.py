"""Pages of the sampling-ratio matrix (credit class × risk level): in force, new version."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core.actors import Actor
from fazhi.core.errors import DomainError
from fazhi.core.forms import StyledMixin
from fazhi.core.policy import allowed, is_system_admin, view_requires
from fazhi.inspections import draw, ratios
from fazhi.registry.choices import RiskLevel


class MatrixForm(StyledMixin, forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Issued by"))
    effective_from = forms.DateField(
        label=gettext_lazy("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    source = forms.CharField(label=gettext_lazy("Source (document and article)"), max_length=255)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea)
    verified = forms.BooleanField(
        label=gettext_lazy("Checked against the official text"), required=False, initial=True
    )


def risk_label(code: str) -> str:
    """The column heading: the risk level's name; "-" is the unknown level."""
    return str(RiskLevel(code).label) if code in RiskLevel.values else str(_("Unknown"))


def cell_name(stratum: str) -> str:
    return "cell_" + stratum.replace("/", "_").replace("-", "x")


def _percent_to_ppm(value: str) -> int:
    try:
        ppm = Decimal(value.strip().rstrip("%")) * 10_000
    except InvalidOperation:
        raise DomainError(_("Enter each ratio as a percentage, e.g. 3 or 0.5.")) from None
    if ppm != ppm.to_integral_value() or not 0 <= ppm <= draw.PPM:
        raise DomainError(_("A ratio is between 0% and 100%, to four decimals."))
    return int(ppm)


@view_requires("inspections.view_samplingratio")
def matrix_page(request: HttpRequest) -> HttpResponse:
    user = cast(Any, request.user)
    agency = user.unit.agency() if user.unit is not None else None
    on = _date(request.GET.get("on")) or timezone.localdate()
    levels = [("", _("National / provincial"))] if is_system_admin(user) else []
    if agency is not None:
        levels.append((str(agency.pk), agency.name))
    form = MatrixForm(request.POST or None, initial={"effective_from": on})
    cast(forms.ChoiceField, form.fields["level"]).choices = levels
    may_edit = bool(levels) and allowed(user, "inspections.change_samplingratio")
    if request.method == "POST" and may_edit and form.is_valid():
        owner = agency if form.cleaned_data["level"] else None
        try:
            values = {
                s: _percent_to_ppm(request.POST[cell_name(s)])
                for s in draw.STRATA
                if request.POST.get(cell_name(s), "").strip()
            }
            written = ratios.matrix_version_save(
                actor=cast(Actor, user),
                owner=owner,
                effective_from=form.cleaned_data["effective_from"],
                ratios=values,
                source=form.cleaned_data["source"],
                notes=form.cleaned_data["notes"],
                verified=form.cleaned_data["verified"],
            )
            messages.success(request, _("%(n)d cells saved.") % {"n": len(written)})
            return redirect("inspections:ratio_matrix")
        except DomainError as exc:
            messages.error(request, str(exc.message))
    matrix: list[Any] = []
    problem = ""
    if agency is not None:
        try:
            matrix = ratios.matrix_in_force(unit=agency, on=on)
        except DomainError as exc:
            problem = str(exc.message)
    rows = [
        (credit, [(cell, cell_name(cell.stratum)) for cell in cells])
        for credit, cells in zip(ratios.CREDIT_ROWS, matrix, strict=False)
    ]
    history_owner = agency if agency is not None and not is_system_admin(user) else None
    return render(
        request,
        "inspections/ratio_matrix.html",
        {
            "on": on,
            "rows": rows,
            "risks": [risk_label(code) for code in ratios.RISK_COLUMNS],
            "problem": problem,
            "form": form,
            "may_edit": may_edit,
            "history": ratios.matrix_versions(owner=history_owner),
        },
    )


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
