"""The case page's 查封扣押, 移送 and 执行 panels, and their POST endpoints."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fazhi.cases import execution as x
from fazhi.cases import forms_procedures as fp
from fazhi.cases import permissions as p
from fazhi.cases import selectors
from fazhi.cases.choices import CaseState
from fazhi.cases.coercion_workflow import COERCION, OPEN_CASE, seizure_due
from fazhi.cases.models import Case
from fazhi.cases.models_procedures import Coercion, CrimeReferral
from fazhi.cases.referral_workflow import ACTIVE, REFERRAL
from fazhi.cases.services_procedures import (
    coercion_create,
    coercion_transition,
    referral_create,
    referral_transition,
)
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.errors import DomainError
from fazhi.core.policy import view_requires
from fazhi.core.workflow import Workflow, available_actions, clocks_for

EXECUTION_STATES = (CaseState.SERVED, CaseState.DEMANDED, CaseState.COURT, CaseState.EXECUTED)


def _actor(request: HttpRequest) -> Actor:
    return cast("Actor", request.user)


def _rows(obj: Any, flow: Workflow, actor: Actor, prefix: str) -> list[dict[str, Any]]:
    rows = []
    for action in available_actions(obj, actor=actor, workflow=flow):
        form = flow.get(action.name).form
        rows.append(
            {"action": action, "form": form(prefix=f"{prefix}-{action.name}") if form else None}
        )
    return rows


def procedures_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the case page shows of the measures, referrals and execution."""
    actor = _actor(request)
    may_change = policy.allowed(actor, p.CHANGE, unit=case.unit)
    coercions = []
    for c in Coercion.objects.filter(case=case).order_by("pk"):
        coercions.append(
            {
                "obj": c,
                "due": seizure_due(c),
                "clock": clocks_for(c).first(),
                "actions": _rows(c, COERCION, actor, f"c{c.pk}"),
            }
        )
    referrals = [
        {
            "obj": r,
            "clocks": list(clocks_for(r).order_by("started_on", "pk")),
            "actions": _rows(r, REFERRAL, actor, f"r{r.pk}"),
        }
        for r in CrimeReferral.objects.filter(case=case).order_by("pk")
    ]
    context: dict[str, Any] = {"coercions": coercions, "referrals": referrals}
    if may_change and case.state in OPEN_CASE:
        context["coercion_form"] = fp.CoercionForm()
    if may_change and case.state in ACTIVE:
        context["referral_form"] = fp.ReferralReportForm()
    if case.fine and case.state in EXECUTION_STATES:
        today = timezone.localdate()
        window = x.court_window(case)
        context["execution"] = {
            "schedule": x.schedule(case),
            "paid": x.paid_total(case),
            "surcharge": x.surcharge_on(case, today),
            "remedies_end": window[0] if window else None,
            "court_due": window[1] if window else None,
            "today": today,
        }
    return context


def _data(request: HttpRequest, form_class: Any, prefix: str) -> dict[str, Any] | None:
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{errors[0]}" if label else str(errors[0]))
        return None
    return dict(form.cleaned_data)


def _run(request: HttpRequest, case: Case, call: Any, done: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@view_requires(p.CHANGE)
def coercion_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    data = _data(request, fp.CoercionForm, "")
    if data is None:
        return redirect("cases:case_detail", pk=case.pk)
    return _run(
        request,
        case,
        lambda: coercion_create(actor=_actor(request), case=case, **data),
        _("The measure was reported for approval."),
    )


@require_POST
@view_requires(p.VIEW)
def coercion_act(request: HttpRequest, pk: int, cid: int, name: str) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    coercion = get_object_or_404(Coercion, pk=cid, case=case)
    t = COERCION.get(name)
    data: dict[str, Any] | None = {}
    if t.form is not None:
        data = _data(request, t.form, f"c{coercion.pk}-{name}")
    if data is None:
        return redirect("cases:case_detail", pk=case.pk)
    payload = data
    return _run(
        request,
        case,
        lambda: coercion_transition(
            actor=_actor(request), coercion=coercion, name=name, **payload
        ),
        _("Done: %(action)s.") % {"action": t.label},
    )


@require_POST
@view_requires(p.CHANGE)
def referral_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    data = _data(request, fp.ReferralReportForm, "")
    if data is None:
        return redirect("cases:case_detail", pk=case.pk)
    return _run(
        request,
        case,
        lambda: referral_create(actor=_actor(request), case=case, **data),
        _("The referral was reported for approval."),
    )


@require_POST
@view_requires(p.VIEW)
def referral_act(request: HttpRequest, pk: int, rid: int, name: str) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    referral = get_object_or_404(CrimeReferral, pk=rid, case=case)
    t = REFERRAL.get(name)
    data: dict[str, Any] | None = {}
    if t.form is not None:
        data = _data(request, t.form, f"r{referral.pk}-{name}")
    if data is None:
        return redirect("cases:case_detail", pk=case.pk)
    payload = data
    return _run(
        request,
        case,
        lambda: referral_transition(
            actor=_actor(request), referral=referral, name=name, **payload
        ),
        _("Done: %(action)s.") % {"action": t.label},
    )
