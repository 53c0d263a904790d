"""执法公示 pages: the public list and detail (no login), and the case page's actions.

The public pages read published rows only (``publication_services.public_*``);
the actions on the case page go through the services, which check the
permission and scope.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.cases import forms, selectors
from fazhi.cases import permissions as p
from fazhi.cases import publication_services as pub
from fazhi.cases.choices import PublicityState
from fazhi.cases.publication import CasePublication
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.errors import DomainError
from fazhi.core.listing import paginate
from fazhi.core.policy import view_requires
from fazhi.core.read_cache import anyone, cached_read

PER_PAGE = 20


def _actor(request: HttpRequest) -> Actor:
    return cast("Actor", request.user)


def publication_context(request: HttpRequest, case: Any) -> dict[str, Any]:
    """What the case page shows of the case's publications and their actions."""
    can_publish = policy.has_permission(request.user, p.PUBLISH)
    rows = [
        {"publication": row, "clock": pub.withdrawal_clock(row)}
        for row in pub.case_publications(case)
    ]
    decided = bool(case.decision_kind) and case.state in pub.DECIDED
    return {
        "publications": rows,
        "publish_problem": pub.publish_problem(case) if decided else None,
        "can_publish": can_publish and decided,
        "withdraw_form": forms.WithdrawForm() if can_publish else None,
        "change_form": forms.DecisionChangeForm()
        if decided and policy.has_permission(request.user, p.DECIDE)
        else None,
    }


def _done(request: HttpRequest, call: Any, done: str) -> None:
    try:
        call()
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)


@require_POST
@view_requires(p.PUBLISH)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    _done(
        request,
        lambda: pub.publication_publish(actor=_actor(request), case=case),
        _("The decision was published."),
    )
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@view_requires(p.DECIDE)
def decision_change(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    form = forms.DecisionChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the entries: %(e)s") % {"e": form.errors.as_text()})
        return redirect("cases:case_detail", pk=case.pk)
    _done(
        request,
        lambda: pub.decision_change_record(actor=_actor(request), case=case, **form.cleaned_data),
        _("The change of the decision was recorded."),
    )
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@view_requires(p.PUBLISH)
def withdraw(request: HttpRequest, pk: int, publication_id: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    publication = case.publications.get(pk=publication_id)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the entries: %(e)s") % {"e": form.errors.as_text()})
        return redirect("cases:case_detail", pk=case.pk)
    _done(
        request,
        lambda: pub.publication_withdraw(
            actor=_actor(request), publication=publication, reason=form.cleaned_data["reason"]
        ),
        _("The publication was withdrawn."),
    )
    return redirect("cases:case_detail", pk=case.pk)


# -- public ---------------------------------------------------------------------------


@cached_read(check=anyone)
def public_list(request: HttpRequest) -> HttpResponse:
    """行政处罚决定公示 — anyone may read it, no login."""
    form = forms.PublicFilterForm(request.GET or None, agencies=pub.public_agencies())
    filters = pub.PublicFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = pub.PublicFilters(
            q=data["q"] or "",
            agency=data["agency"] or "",
            year=data["year"],
            kind=data["kind"] or "",
            withdrawn=bool(data["withdrawn"]),
        )
    listing = paginate(request, pub.public_list(filters), PER_PAGE)
    return render(
        request,
        "cases/public/publication_list.html",
        listing | {"form": form, "withdrawn": filters.withdrawn},
    )


@cached_read(check=anyone)
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        publication = pub.public_get(pk)
    except CasePublication.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "cases/public/publication_detail.html",
        {
            "publication": publication,
            "withdrawn": publication.state == PublicityState.WITHDRAWN,
        },
    )
