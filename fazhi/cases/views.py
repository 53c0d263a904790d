"""Pages of penalty cases: list, intake, the case page with its actions, 待办, deadlines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fazhi.cases import forms, selectors, services
from fazhi.cases import permissions as p
from fazhi.cases.amount import amount_flag
from fazhi.cases.choices import CaseState
from fazhi.cases.discretion import amount_advice
from fazhi.cases.views_procedures import procedures_context
from fazhi.cases.views_publication import publication_context
from fazhi.cases.views_records import records_context
from fazhi.cases.workflow import workflow_of
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.errors import DomainError
from fazhi.core.listing import paginate
from fazhi.core.models import OrgUnit
from fazhi.core.policy import view_requires
from fazhi.registry.keyset import Cursor, keyset_page, with_count
from fazhi.registry.models import Entity, Officer

PER_PAGE = 50


def _actor(request: HttpRequest) -> Actor:
    """The signed-in user (every page here requires a login)."""
    return cast("Actor", request.user)


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("cursor", None)
    return params.urlencode()


@view_requires(p.VIEW)
def case_list(request: HttpRequest) -> HttpResponse:
    form = forms.CaseFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    cases = selectors.case_list(
        actor=_actor(request),
        q=filters.get("q", ""),
        state=filters.get("state", ""),
        procedure=filters.get("procedure", ""),
    )
    page = keyset_page(cases, cursor=Cursor.parse(request.GET.get("cursor")), per_page=PER_PAGE)
    with_count(page, cases)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "cases": page.items, "querystring": _querystring(request)},
    )


@view_requires(p.ADD)
def case_create(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    search = params.get("entity_q", "").strip()[:100]
    if request.method == "POST" and "find_entity" in request.POST:
        # The picker's "Find" without JavaScript: show the form again with the matches.
        initial = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        form = forms.CaseForm(initial=initial, actor=_actor(request), search=search)
        return render(request, "cases/case_form.html", {"form": form})
    form = forms.CaseForm(request.POST or None, actor=_actor(request), search=search)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        entity_id = data.pop("entity")
        officer_ids = data.pop("officers")
        officers = list(Officer.objects.filter(pk__in=officer_ids))
        unit: OrgUnit | None = request.user.unit  # type: ignore[union-attr]
        try:
            if unit is None:
                raise DomainError(_("Your account belongs to no unit."))
            if len(officers) != len(set(officer_ids)):
                raise DomainError(_("Some officer IDs do not exist."), field="officers")
            entity = Entity.objects.get(pk=entity_id) if entity_id else None
            case = services.case_create(
                actor=_actor(request), unit=unit, entity=entity, officers=officers, **data
            )
        except Entity.DoesNotExist:
            form.add_error("entity", _("No such entity."))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The case was registered."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form})


@view_requires(p.ADD)
def entity_options(request: HttpRequest) -> HttpResponse:
    """The picker's options for a search (htmx), from the user's units' entities."""
    search = request.GET.get("entity_q", "").strip()[:100]
    options = forms.entity_options(_actor(request), search)
    return render(request, "cases/_entity_options.html", {"options": options})


def _action_forms(case: Any, actions: list[Any]) -> list[dict[str, Any]]:
    flow = workflow_of(case)
    rows = []
    for action in actions:
        t = flow.get(action.name)
        rows.append(
            {
                "action": action,
                "form": t.form(prefix=action.name) if t.form else None,
            }
        )
    return rows


@view_requires(p.VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    actions = selectors.case_actions(actor=_actor(request), case=case)
    editable = case.state in services.EDITABLE and policy.has_permission(request.user, p.CHANGE)
    context: dict[str, Any] = {
        "case": case,
        "flow": workflow_of(case),
        "actions": _action_forms(case, actions),
        "officers": case.officers.select_related("officer"),
        "violations": case.violations.all(),
        "events": selectors.case_events(case),
        "clocks": selectors.case_clocks(case),
        "documents": selectors.case_documents(case),
        "editable": editable,
        "today": timezone.localdate(),
    }
    if editable:
        context["proposal_form"] = forms.ProposalForm(
            initial={
                "facts": case.facts,
                "flags": case.flags,
                "penalty_kinds": case.penalty_kinds,
                "proposed_fine": case.proposed_fine,
                "confiscation": case.confiscation,
            }
        )
        context["violation_form"] = forms.ViolationForm()
    context["amount_flag"] = amount_flag(case)
    if case.state in (CaseState.PENDING_DECISION, CaseState.LEGAL_REVIEW):
        context["advice"] = amount_advice(actor=_actor(request), case=case)
        if policy.has_permission(request.user, p.DECIDE):
            context["extension_form"] = forms.ExtensionForm()
    elif case.state in (
        CaseState.INVESTIGATING,
        CaseState.REVIEW,
        CaseState.NOTIFIED,
    ) and policy.has_permission(request.user, p.DECIDE):
        context["extension_form"] = forms.ExtensionForm()
    context.update(records_context(request, case))
    if case.discretion.get("advice"):
        context["decided_advice"] = case.discretion["advice"]
    context.update(procedures_context(request, case))
    context.update(publication_context(request, case))
    return render(request, "cases/case_detail.html", context)


@require_POST
@view_requires(p.VIEW)
def case_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    t = workflow_of(case).get(name)
    data: dict[str, Any] = {}
    if t.form is not None:
        form = t.form(request.POST, prefix=name)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{errors[0]}" if label else str(errors[0]))
            return redirect("cases:case_detail", pk=case.pk)
        data = form.cleaned_data
    try:
        services.case_transition(actor=_actor(request), case=case, name=name, **data)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": t.label})
    return redirect("cases:case_detail", pk=case.pk)


def _post_form(
    request: HttpRequest,
    pk: int,
    form_class: type[Any],
    service: Callable[..., Any],
    done: str,
) -> HttpResponse:
    """Validate ``form_class`` from the POST, call ``service`` with it, go back to the case.

    A refusal (a ``DomainError`` other than 403/404) and invalid entries are
    shown as messages on the case page.
    """
    case = selectors.case_get(actor=_actor(request), pk=pk)
    form = form_class(request.POST, request.FILES or None)
    if form.is_valid():
        try:
            service(actor=_actor(request), case=case, **form.cleaned_data)
        except DomainError as exc:
            if exc.status_code in (403, 404):
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(request, done)
    else:
        messages.error(request, _("Check the entries: %(e)s") % {"e": form.errors.as_text()})
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
@view_requires(p.CHANGE)
def case_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_form(request, pk, forms.ProposalForm, services.case_update, _("Saved."))


@require_POST
@view_requires(p.CHANGE)
def violation_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_form(request, pk, forms.ViolationForm, services.case_violation_add, _("Saved."))


@require_POST
@view_requires(p.DECIDE)
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_form(
        request, pk, forms.ExtensionForm, services.case_extend, _("The time limit was extended.")
    )


@require_POST
@view_requires(p.CHANGE)
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=_actor(request), pk=pk)
    try:
        services.case_note_add(actor=_actor(request), case=case, text=request.POST.get("text", ""))
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        messages.error(request, str(exc.message))
    return redirect("cases:case_detail", pk=case.pk)


@view_requires(p.VIEW)
def inbox(request: HttpRequest) -> HttpResponse:
    cases = selectors.case_inbox(actor=_actor(request))
    context = paginate(request, cases, PER_PAGE)
    return render(request, "cases/inbox.html", context | {"cases": context["page_obj"]})


@view_requires(p.VIEW)
def board(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mine = request.GET.get("mine") == "1"
    clocks = selectors.deadline_board(actor=_actor(request), today=today, mine=mine)
    listing = paginate(request, clocks, PER_PAGE)
    return render(
        request,
        "cases/board.html",
        listing
        | {
            "rows": selectors.board_rows(listing["object_list"], today),
            "mine": mine,
            "today": today,
            "warning_days": selectors.WARNING_DAYS,
        },
    )


CLOCK_ACTIONS = {
    "start": gettext_lazy("Starts: %(rule)s"),
    "stop": gettext_lazy("Stops: %(rule)s"),
    "pause": gettext_lazy("Pauses: %(rule)s"),
    "resume": gettext_lazy("Resumes: %(rule)s"),
}


@view_requires(p.VIEW)
def procedure(request: HttpRequest) -> HttpResponse:
    """The procedures as tables a lawyer reads: step, from, to, who, conditions, time limits."""
    from fazhi.cases.choices import Procedure
    from fazhi.cases.coercion_workflow import COERCION
    from fazhi.cases.referral_workflow import REFERRAL
    from fazhi.cases.workflow import ORDINARY, SUMMARY
    from fazhi.core.clock_rules import clock_rule_list
    from fazhi.core.workflow import guard_text

    today = timezone.localdate()
    rule_names = {r.code: r.name for r in clock_rule_list(on=today)}
    flows = []
    for name, slug, flow in (
        (Procedure.ORDINARY.label, "ordinary", ORDINARY),
        (Procedure.SUMMARY.label, "summary", SUMMARY),
        (_("Sealing up and seizure"), "coercion", COERCION),
        (_("Referral of a suspected crime"), "referral", REFERRAL),
    ):
        rows = [
            {
                "label": t.label,
                "sources": [flow.state_label(s) for s in t.sources],
                "target": flow.state_label(t.target),
                "permission": p.LABELS.get(t.permission, t.permission),
                "guards": [guard_text(g) for g in t.guards],
                "clocks": [
                    CLOCK_ACTIONS[c.action] % {"rule": rule_names.get(c.rule, c.rule)}
                    for c in t.clocks
                ],
            }
            for t in flow.transitions
        ]
        flows.append({"name": name, "slug": slug, "rows": rows})
    return render(request, "cases/procedure.html", {"flows": flows})
