"""The 文书 of a case and its numbers (案号, 文书号), through the kit.

Each transition that produces a 文书 names its template here (``DOCUMENTS``);
the template text is rule data an administrator edits in Word (shipped
defaults in ``data/doc_templates``). The periods printed on the 文书 (陈述申辩,
听证, 缴款, 复议, 诉讼) are read from the clock rules in force, never typed in.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fazhi.cases.choices import PenaltyKind
from fazhi.cases.models import Case
from fazhi.core.actors import Actor, actor_label
from fazhi.core.clocks import clock_rule_get
from fazhi.core.documents import document_render
from fazhi.core.formats import wan_yuan
from fazhi.core.models import ClockRule
from fazhi.core.numbering import number_next

CASE_NUMBER = "penalty_case"

# transition → (template code, number kind or None when the 案号 heads the 文书)
DOCUMENTS: dict[str, tuple[str, str | None]] = {
    "file": ("case_filing", None),
    "give_notice": ("penalty_notice", "penalty_notice"),
    "give_notice_hearing": ("penalty_notice", "penalty_notice"),
    "decide": ("penalty_decision", "penalty_decision"),
    "decide_on_spot": ("penalty_decision", "penalty_summary"),
    "warn_on_spot": ("penalty_decision", "penalty_summary"),
    "serve": ("service_receipt", None),
    "serve_no_fine": ("service_receipt", None),
    "approve_deferral": ("payment_deferral", "payment_deferral"),
    "send_demand": ("enforcement_demand", "enforcement_demand"),
    "close": ("case_closing", None),
}


def case_number_assign(case: Case) -> None:
    """Give ``case`` its 案号 (in the caller's transaction) if it has none."""
    if not case.number:
        on = case.filed_on or timezone.localdate()
        case.number = number_next(agency=case.unit, kind=CASE_NUMBER, on=on)


def _period(rule: ClockRule) -> str:
    unit = {"workday": "个工作日", "calendar": "日", "month": "个月", "year": "年"}[rule.unit]
    return f"{rule.length}{unit}"


def _rule_period(code: str, on: datetime.date) -> str:
    return _period(clock_rule_get(code, on=on))


def penalty_text(case: Case) -> str:
    """The penalty in words, e.g. "警告；罚款1.5万元"."""
    parts = []
    for kind in case.penalty_kinds:
        if kind == PenaltyKind.FINE:
            amount = case.fine if case.fine is not None else case.proposed_fine
            parts.append(f"罚款{wan_yuan(amount)}")
        elif kind == PenaltyKind.CONFISCATION and case.confiscation is not None:
            parts.append(f"没收违法所得{wan_yuan(case.confiscation)}")
        else:
            parts.append(str(PenaltyKind(kind).label))
    return "；".join(parts)


def case_context(case: Case, *, actor: Actor, on: datetime.date) -> dict[str, Any]:
    """Everything the case's 文书 may print."""
    violations = list(case.violations.all())
    officers = [row.officer.full_name for row in case.officers.select_related("officer")]
    return {
        "agency_name": case.unit.agency().name,
        "number": case.number,
        "case_number": case.number,
        "title": case.title,
        "source": str(case.get_source_display()),
        "party_name": case.party_name,
        "party_code": case.party_code,
        "party_address": case.party_address,
        "facts": case.facts,
        "act_ended_on": case.act_ended_on,
        "discovered_on": case.discovered_on,
        "filed_on": case.filed_on or on,
        "officers": "、".join(officers),
        "approver": actor_label(actor),
        "violations_text": "；".join(v.description for v in violations),
        "basis_text": "；".join(v.basis for v in violations),
        "penalty_text": penalty_text(case),
        "has_fine": case.fine is not None and case.fine > 0,
        "fine_reason": case.fine_reason,
        "notice_on": case.notice_given_on or on,
        "decided_on": case.decided_on or on,
        "hearing_offered": case.hearing_offered,
        "hearing_period": _rule_period("penalty_hearing_request", on),
        "payment_period": _rule_period("penalty_payment", on),
        "reconsideration_period": _rule_period("reconsideration_application", on),
        "litigation_period": _rule_period("litigation_filing", on),
        "on": on,
        **_execution_context(case, on),
    }


def _execution_context(case: Case, on: datetime.date) -> dict[str, Any]:
    """What the 送达回证, 催告书, 延期（分期）批准书 and 结案审批表 print."""
    from fazhi.cases.choices import DeferralKind, EventKind
    from fazhi.cases.execution import deferral, surcharge_on
    from fazhi.cases.execution_workflow import owed_on
    from fazhi.core.documents import documents_for

    decision = (
        documents_for(case)
        .filter(template__code="penalty_decision")
        .order_by("-pk")
        .values_list("number", flat=True)
        .first()
    )
    service = case.events.filter(kind=EventKind.SERVICE).order_by("pk").last()
    fine_owed, surcharge = owed_on(case, on) if case.fine else (0, 0)
    computed = surcharge_on(case, on) if case.fine else None
    plan = deferral(case)
    schedule = plan.data.get("schedule", []) if plan else []
    paid = case.events.filter(kind=EventKind.PAYMENT).order_by("pk")
    return {
        "decision_number": decision or "",
        "service_method": service.text if service else "",
        "served_on": case.served_on or on,
        "fine_owed": fine_owed,
        "surcharge": surcharge,
        "surcharge_basis": "；".join(computed.lines) if computed and computed.lines else "",
        "demand_period": _rule_period("enforcement_demand", on),
        "applied_on": datetime.date.fromisoformat(plan.data["applied_on"]) if plan else on,
        "deferral_kind": str(DeferralKind(plan.data["deferral_kind"]).label) if plan else "",
        "deferral_reason": plan.text if plan else "",
        "schedule_text": "；".join(f"{r['due']}前缴纳{r['amount']}元" for r in schedule),
        "outcome_text": " ".join(
            x for x in (str(case.get_decision_kind_display()), penalty_text(case)) if x
        ),
        "execution_text": "；".join(
            f"{e.occurred_on}缴纳{e.data.get('amount') or e.data.get('fine')}元" for e in paid
        ),
    }


def documents_after(case: Case, name: str, *, actor: Actor, on: datetime.date) -> None:
    """Make the 文书 transition ``name`` produces (same transaction)."""
    if name not in DOCUMENTS:
        return
    code, number_kind = DOCUMENTS[name]
    document_render(
        actor=actor,
        template_code=code,
        obj=case,
        unit=case.unit,
        context=case_context(case, actor=actor, on=on),
        number_kind=number_kind,
        on=on,
    )
