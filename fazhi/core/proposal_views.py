"""Pages of the rule proposals: list, propose, accept or reject."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhi.core import policy, proposals
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.forms import StyledMixin, apply_errors
from fazhi.core.listing import paginate


class ProposalForm(StyledMixin, forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Rule data concerned"),
        max_length=200,
        help_text=gettext_lazy("For example: the calendar, 2027-03-02; a discretion baseline."),
    )
    proposal = forms.CharField(
        label=gettext_lazy("Proposed change and reason"), widget=forms.Textarea(attrs={"rows": 4})
    )
    national = forms.BooleanField(
        label=gettext_lazy("National or provincial rule data (to the system administrators)"),
        required=False,
    )


@policy.view_requires("core.view_ruleproposal")
def proposal_list(request: HttpRequest) -> HttpResponse:
    may_propose = policy.has_permission(request.user, "core.add_ruleproposal")
    form = ProposalForm(request.POST or None) if may_propose else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                proposals.proposal_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The proposal was sent."))
                return redirect("core:proposal_list")
    context = paginate(request, proposals.proposal_list(actor=request.user), per_page=50)
    context["rows"] = [
        (row, proposals.may_decide(request.user, row)) for row in context["object_list"]
    ]
    context["form"] = form
    return render(request, "core/proposal_list.html", context)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = proposals.proposal_list(actor=request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    try:
        proposals.proposal_decide(
            actor=request.user,
            proposal=row,
            accept=request.POST.get("decision") == "accept",
            note=request.POST.get("note", ""),
        )
    except NotAllowed as exc:
        messages.error(request, str(exc.message))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The decision was recorded."))
    return redirect("core:proposal_list")
