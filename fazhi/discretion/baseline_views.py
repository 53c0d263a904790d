"""Pages where a legal section adopts and withdraws discretion baselines (采用裁量基准)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhi.core import policy
from fazhi.core.errors import DomainError
from fazhi.core.forms import StyledMixin, apply_errors
from fazhi.discretion import selectors, services
from fazhi.discretion.models import Baseline, BaselineAdoption


class AdoptForm(StyledMixin, forms.Form):
    baseline = forms.ModelChoiceField(
        label=gettext_lazy("Baseline document"), queryset=Baseline.objects.none()
    )
    adopted_on = forms.DateField(
        label=gettext_lazy("Applied from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("e.g. the decision or meeting that adopted it"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["baseline"]
        field.queryset = selectors.baseline_list(include_examples=False)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


def _agency(request: HttpRequest) -> Any:
    user: Any = request.user
    policy.page_require(user, "discretion.view_baselineadoption")
    return user.unit.agency() if user.unit is not None else None


@login_required
def baseline_list(request: HttpRequest) -> HttpResponse:
    """Every baseline document, and the documents the user's agency applies."""
    agency = _agency(request)
    user: Any = request.user
    can_adopt = (
        policy.has_permission(user, "discretion.add_baselineadoption") and agency is not None
    )
    form = AdoptForm(request.POST or None, initial={"adopted_on": timezone.localdate()})
    if request.method == "POST":
        if not can_adopt:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.baseline_adopt(
                    actor=user,
                    agency=agency,
                    baseline=form.cleaned_data["baseline"],
                    adopted_on=form.cleaned_data["adopted_on"],
                    notes=form.cleaned_data["notes"],
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Adopted."))
                return redirect("discretion:baseline_list")
    adoptions = list(selectors.adoptions_for(agency)) if agency is not None else []
    return render(
        request,
        "discretion/baseline_list.html",
        {
            "baselines": selectors.baseline_list(),
            "adoptions": adoptions,
            "adopted_ids": {a.baseline_id for a in adoptions},
            "agency": agency,
            "form": form if can_adopt else None,
            "can_withdraw": policy.has_permission(user, "discretion.delete_baselineadoption"),
        },
    )


@login_required
@require_POST
def adoption_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency(request)
    adoption = get_object_or_404(BaselineAdoption, pk=pk, agency=agency)
    try:
        services.baseline_adoption_end(actor=request.user, adoption=adoption)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Withdrawn: the calculator no longer applies it."))
    return redirect("discretion:baseline_list")
