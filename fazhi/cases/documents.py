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

from fazhi.cases import permissions as p
from fazhi.cases.choices import EventKind, PenaltyKind
from fazhi.cases.guards import case_rule
from fazhi.cases.models import Case
from fazhi.core import policy
from fazhi.core.actors import Actor, actor_label
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


# Records made with a transition, besides the 文书 above: transition → (template,
# number kind, the kind of the case record whose text it prints).
RECORDS: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "give_notice_hearing": (("hearing_notice", "hearing_notice", ""),),
    "hold_hearing": (("hearing_record", None, EventKind.HEARING),),
    "pass_review": (("legal_review_opinion", None, EventKind.LEGAL_REVIEW),),
    "return_review": (("legal_review_opinion", None, EventKind.LEGAL_REVIEW),),
    "record_discussion": (("discussion_record", None, EventKind.DISCUSSION),),
    # 两书同达: the credit-repair notice is served with the decision.
    "decide": (("credit_repair_notice", "credit_repair_notice", ""),),
}

# 文书 an officer makes on demand from a written record (and their number kind).
ON_DEMAND: dict[str, str | None] = {
    "inquiry_record": None,
    "evidence_preservation_notice": "evidence_preservation",
}


def case_number_assign(case: Case) -> None:
    """Give ``case`` its 案号 (in the caller's transaction) if it has none."""
    if not case.number:
        on = case.filed_on or timezone.localdate()
        case.number = number_next(agency=case.unit, kind=CASE_NUMBER, on=on)


def _period(rule: ClockRule) -> str:
    unit = {"workday": "个工作日", "calendar": "日", "month": "个月", "year": "年"}[rule.unit]
    return f"{rule.length}{unit}"


def _rule_period(case: Case, code: str, on: datetime.date) -> str:
    return _period(case_rule(case, code, on))


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
        "hearing_period": _rule_period(case, "penalty_hearing_request", on),
        "payment_period": _rule_period(case, "penalty_payment", on),
        "reconsideration_period": _rule_period(case, "reconsideration_application", on),
        "litigation_period": _rule_period(case, "litigation_filing", on),
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
        "demand_period": _rule_period(case, "enforcement_demand", on),
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


def record_context(
    case: Case, *, actor: Actor, on: datetime.date, text: str = "", subject: str = ""
) -> dict[str, Any]:
    """The case's context plus what a record prints: its text, date and conclusion."""
    context = case_context(case, actor=actor, on=on)
    review = case.events.filter(kind=EventKind.LEGAL_REVIEW).order_by("-pk").first()
    flag = case.events.filter(kind=EventKind.AMOUNT).order_by("-pk").first()
    amount_note = "拟处罚款在裁量基准推荐范围内。"
    if case.amount_flagged and flag is not None:
        amount_note = f"拟处罚款超出裁量基准推荐范围，理由：{flag.text}"
    requested = case.hearing_requested_on
    context.update(
        {
            "text": text,
            "subject": subject or case.party_name,
            "made_on": on,
            "recorder": actor_label(actor),
            "hearing_requested_on": requested.isoformat() if requested else "",
            "review_result": (("同意" if review.data.get("passed") else "退回") if review else ""),
            "amount_note": amount_note,
        }
    )
    return context


def documents_after(case: Case, name: str, *, actor: Actor, on: datetime.date) -> None:
    """Make the 文书 and records transition ``name`` produces (same transaction)."""
    if name in DOCUMENTS:
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
    for code, number_kind, event_kind in RECORDS.get(name, ()):
        text = ""
        if event_kind:
            event = case.events.filter(kind=event_kind).order_by("-pk").first()
            text = event.text if event is not None else ""
        document_render(
            actor=actor,
            template_code=code,
            obj=case,
            unit=case.unit,
            context=record_context(case, actor=actor, on=on, text=text),
            number_kind=number_kind,
            on=on,
        )


@policy.requires(p.CHANGE)
def record_make(
    *,
    actor: Actor,
    case: Case,
    code: str,
    text: str,
    subject: str = "",
    on: datetime.date | None = None,
) -> Any:
    """Make an on-demand 文书 (询问笔录, 先行登记保存证据通知书) from a written record.

    A 先行登记保存证据通知书 starts its 7-working-day time limit (Art. 56).
    ``on`` dates the record (code only: pages and the API make it today).
    """
    from django.db import transaction
    from django.utils.translation import gettext as _

    from fazhi.cases.evidence import READ_ONLY
    from fazhi.cases.preservation import NOTICE, preservation_start
    from fazhi.core.errors import Conflict, DomainError
    from fazhi.core.locks import lock_row

    policy.require(actor, p.CHANGE, unit=case.unit)
    if code not in ON_DEMAND:
        raise DomainError(_("Choose the document to make."), field="code")
    if not text.strip():
        raise DomainError(_("Write the record: what was said, found or concluded."), field="text")
    with transaction.atomic():
        case = lock_row(case)
        if case.state in READ_ONLY:
            raise Conflict(
                _("The case is %(state)s: it is read-only; add a note to correct the record.")
                % {"state": case.get_state_display()}
            )
        on = on or timezone.localdate()
        document = document_render(
            actor=actor,
            template_code=code,
            obj=case,
            unit=case.unit,
            context=record_context(case, actor=actor, on=on, text=text.strip(), subject=subject),
            number_kind=ON_DEMAND[code],
            on=on,
        )
        if code == NOTICE:
            # Art. 56: the 7 working days to decide on the preserved items start now.
            preservation_start(actor=actor, case=case, document=document, on=on)
        return document
