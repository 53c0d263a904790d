"""The two penalty procedures as data (行政处罚法 chapter V).

普通程序 (ordinary procedure, Art. 54–65):
案源登记 → 立案 → 调查取证 → 调查终结 → 案件审理 → 告知 (陈述、申辩; 听证权利
where the rules give it) → 听证 (on request) → 法制审核 (where Art. 58 or the
agency's 目录 require it; after the hearing, so a case that was heard is
reviewed on the hearing's record) → 集体讨论 (where Art. 57 or the 目录 require
it) → 决定 (处罚 / 不予处罚 / 移送司法) → 送达 → 执行 → 结案 → 归档.

执行 (Art. 66–73; 行政强制法 Art. 35, 45, 53–54): the rows in
``execution_workflow.py`` — payment, 延期/分期, 催告, application to the court —
are shared by both procedures.

简易程序 (summary procedure, Art. 51–52): on the spot, within the Art. 51
limits (rule data), the party informed first; the decision is handed over at
once (当场交付), then paid, closed and archived.

Statutory clocks cannot be conditional in a transition, so where a clock
depends on the case (a hearing right, a fine to pay) the table has two
transitions with complementary guards — each row says exactly what happens.
Read it as a table with ``ORDINARY.table()`` (shown on the procedure page).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.cases import forms as f
from fazhi.cases import guards as g
from fazhi.cases import permissions as p
from fazhi.cases.amount import guard_amount_reason
from fazhi.cases.choices import CaseState as S
from fazhi.cases.choices import PenaltyKind, RulePurpose
from fazhi.cases.execution_workflow import EXECUTION, TAKE_BACK
from fazhi.cases.models import Case
from fazhi.cases.rules import rule_rows_for, rules_met
from fazhi.core.workflow import ClockEffect, Transition, Workflow, guard_label

DECISION = "penalty_decision"
HEARING_REQUEST = "penalty_hearing_request"
STATEMENT = "penalty_statement_defence"
LEGAL_REVIEW = "legal_review"
SERVICE = "penalty_service"
PAYMENT = "penalty_payment"


def _start(rule: str) -> ClockEffect:
    return ClockEffect(rule=rule, action="start")


def _stop(rule: str) -> ClockEffect:
    return ClockEffect(rule=rule, action="stop")


# -- guards that only split two rows of the table -----------------------------------


@guard_label(gettext_lazy("The intended penalty gives no right to a hearing (Art. 63)"))
def hearing_not_due(case: Case, ctx: g.Context) -> str | None:
    """The intended penalty gives no right to a hearing (Art. 63)."""
    due = rules_met(
        g.proposed_plan(case), rule_rows_for(case.unit, ctx.today), RulePurpose.HEARING_RIGHT
    )
    if due:
        return _("This penalty gives a right to a hearing: use the notice with hearing rights.")
    return None


@guard_label(gettext_lazy("The intended penalty gives a right to a hearing (Art. 63)"))
def hearing_due(case: Case, ctx: g.Context) -> str | None:
    """The intended penalty gives a right to a hearing (Art. 63)."""
    due = rules_met(
        g.proposed_plan(case), rule_rows_for(case.unit, ctx.today), RulePurpose.HEARING_RIGHT
    )
    if not due:
        return _(
            "This penalty gives no right to a hearing: use the notice without hearing rights."
        )
    return None


@guard_label(gettext_lazy("No hearing was offered with the notice"))
def hearing_not_offered(case: Case, ctx: g.Context) -> str | None:
    """No hearing was offered with the notice."""
    if case.hearing_offered:
        return _(
            "A hearing was offered: record whether the party waived it or let the period pass."
        )
    return None


@guard_label(gettext_lazy("The party waived the hearing offered or let the period pass (Art. 64)"))
def hearing_waived_or_lapsed(case: Case, ctx: g.Context) -> str | None:
    """A hearing was offered and the party waived it or let the period pass (Art. 64(1))."""
    if not case.hearing_offered:
        return _("No hearing was offered with the notice.")
    if ctx.data.get("hearing_waived"):
        return None
    assert case.notice_given_on is not None
    from fazhi.core.clocks import deadline_compute_for_rule

    due = deadline_compute_for_rule(code=HEARING_REQUEST, start=case.notice_given_on)
    if ctx.today <= due.due:
        return _(
            "The party may still ask for a hearing until %(due)s; record a written waiver or wait."
        ) % {"due": f"{due.due.year}年{due.due.month}月{due.due.day}日"}
    return None


@guard_label(gettext_lazy("The decision imposes a fine"))
def with_fine(case: Case, ctx: g.Context) -> str | None:
    """The decision imposes a fine (a payment period runs)."""
    if PenaltyKind.FINE not in g.decided_plan(case, ctx.data).kinds or case.decision_kind not in (
        "",
        "penalty",
    ):
        return _("This decision imposes no fine.")
    return None


@guard_label(gettext_lazy("The decision imposes no fine"))
def without_fine(case: Case, ctx: g.Context) -> str | None:
    """The decision imposes no fine (no payment period)."""
    if (
        case.decision_kind in ("", "penalty")
        and PenaltyKind.FINE in g.decided_plan(case, ctx.data).kinds
    ):
        return _("This decision imposes a fine.")
    return None


@guard_label(gettext_lazy("The fine decided has been paid"))
def fine_paid(case: Case, ctx: g.Context) -> str | None:
    """A fine decided has been paid."""
    if case.fine and case.paid_on is None:
        return _("The fine has not been paid.")
    return None


ACTIVE = (S.INVESTIGATING, S.REVIEW, S.NOTIFIED, S.HEARING, S.PENDING_DECISION, S.LEGAL_REVIEW)

DECISION_GUARDS = (
    g.guard_notice,
    g.guard_statement,
    g.guard_deadline,
    g.guard_law_version,
    g.guard_fine_amount,
    g.guard_no_increase,
    g.guard_hearing_offered,
    g.guard_legal_review,
    g.guard_discussion,
)

ORDINARY = Workflow(
    name="cases.ordinary",
    model=Case,
    state_field="state",
    states=S,
    transitions=(
        Transition(
            name="file",
            label=gettext_lazy("Open the case"),
            sources=(S.INTAKE,),
            target=S.INVESTIGATING,
            permission=p.FILE,
            guards=(g.guard_team, g.guard_limitation),
            clocks=(_start(DECISION),),
        ),
        Transition(
            name="decline",
            label=gettext_lazy("Decline to open"),
            sources=(S.INTAKE,),
            target=S.DECLINED,
            permission=p.FILE,
            guards=(g.guard_reason,),
            form=f.ReasonForm,
        ),
        Transition(
            name="end_investigation",
            label=gettext_lazy("End the investigation"),
            sources=(S.INVESTIGATING,),
            target=S.REVIEW,
            permission=p.CHANGE,
            guards=(g.guard_team, g.guard_facts),
        ),
        Transition(
            name="give_notice",
            label=gettext_lazy("Notify (statement and defence)"),
            sources=(S.REVIEW,),
            target=S.NOTIFIED,
            permission=p.CHANGE,
            guards=(g.guard_proposal, g.guard_law_version, hearing_not_due),
            clocks=(_start(STATEMENT),),
        ),
        Transition(
            name="give_notice_hearing",
            label=gettext_lazy("Notify (statement, defence and hearing)"),
            sources=(S.REVIEW,),
            target=S.NOTIFIED,
            permission=p.CHANGE,
            guards=(g.guard_proposal, g.guard_law_version, hearing_due),
            clocks=(_start(STATEMENT), _start(HEARING_REQUEST)),
        ),
        Transition(
            name="request_hearing",
            label=gettext_lazy("Party asks for a hearing"),
            sources=(S.NOTIFIED,),
            target=S.HEARING,
            permission=p.CHANGE,
            guards=(g.guard_hearing_request,),
            clocks=(_stop(HEARING_REQUEST), _stop(STATEMENT)),
            form=f.HearingRequestForm,
        ),
        Transition(
            name="close_statement",
            label=gettext_lazy("Close the statement and defence"),
            sources=(S.NOTIFIED,),
            target=S.PENDING_DECISION,
            permission=p.CHANGE,
            guards=(hearing_not_offered,),
            clocks=(_stop(STATEMENT),),
            form=f.StatementForm,
        ),
        Transition(
            name="close_statement_no_hearing",
            label=gettext_lazy("Close the statement (no hearing asked)"),
            sources=(S.NOTIFIED,),
            target=S.PENDING_DECISION,
            permission=p.CHANGE,
            guards=(hearing_waived_or_lapsed,),
            clocks=(_stop(STATEMENT), _stop(HEARING_REQUEST)),
            form=f.StatementForm,
        ),
        Transition(
            name="hold_hearing",
            label=gettext_lazy("Hold the hearing"),
            sources=(S.HEARING,),
            target=S.PENDING_DECISION,
            permission=p.CHANGE,
            guards=(g.guard_record,),
            form=f.HearingForm,
        ),
        Transition(
            name="send_review",
            label=gettext_lazy("Send for legal review"),
            sources=(S.PENDING_DECISION,),
            target=S.LEGAL_REVIEW,
            permission=p.CHANGE,
            guards=(g.guard_proposal, guard_amount_reason),
            clocks=(_start(LEGAL_REVIEW),),
            form=f.AmountReasonForm,
        ),
        Transition(
            name="pass_review",
            label=gettext_lazy("Pass the legal review"),
            sources=(S.LEGAL_REVIEW,),
            target=S.PENDING_DECISION,
            permission=p.REVIEW,
            guards=(g.guard_record,),
            clocks=(_stop(LEGAL_REVIEW),),
            form=f.RecordForm,
        ),
        Transition(
            name="return_review",
            label=gettext_lazy("Return the legal review"),
            sources=(S.LEGAL_REVIEW,),
            target=S.PENDING_DECISION,
            permission=p.REVIEW,
            guards=(g.guard_record,),
            clocks=(_stop(LEGAL_REVIEW),),
            form=f.RecordForm,
        ),
        Transition(
            name="record_discussion",
            label=gettext_lazy("Record the collective discussion"),
            sources=(S.PENDING_DECISION,),
            target=S.PENDING_DECISION,
            permission=p.DECIDE,
            guards=(g.guard_record, g.guard_proposal),
            form=f.RecordForm,
        ),
        Transition(
            name="reopen",
            label=gettext_lazy("Reopen the investigation"),
            sources=(S.PENDING_DECISION,),
            target=S.INVESTIGATING,
            permission=p.DECIDE,
            guards=(g.guard_reason,),
            form=f.ReasonForm,
        ),
        Transition(
            name="decide",
            label=gettext_lazy("Decide the penalty"),
            sources=(S.PENDING_DECISION,),
            target=S.DECIDED,
            permission=p.DECIDE,
            guards=DECISION_GUARDS,
            clocks=(_stop(DECISION), _start(SERVICE)),
            form=f.DecisionForm,
        ),
        Transition(
            name="decide_no_penalty",
            label=gettext_lazy("Decide no penalty"),
            sources=(S.REVIEW, S.PENDING_DECISION),
            target=S.DECIDED,
            permission=p.DECIDE,
            guards=(g.guard_deadline, g.guard_reason, g.guard_education),
            clocks=(_stop(DECISION), _start(SERVICE)),
            form=f.NoPenaltyForm,
        ),
        Transition(
            name="refer",
            label=gettext_lazy("Refer to judicial organs"),
            sources=(S.INVESTIGATING, S.REVIEW, S.PENDING_DECISION),
            target=S.REFERRED,
            permission=p.DECIDE,
            guards=(g.guard_reason,),
            clocks=(_stop(DECISION),),
            form=f.ReferralForm,
        ),
        Transition(
            name="serve",
            label=gettext_lazy("Serve the decision"),
            sources=(S.DECIDED,),
            target=S.SERVED,
            permission=p.CHANGE,
            guards=(with_fine,),
            clocks=(_stop(SERVICE), _start(PAYMENT)),
            form=f.ServiceForm,
        ),
        Transition(
            name="serve_no_fine",
            label=gettext_lazy("Serve the decision (no fine)"),
            sources=(S.DECIDED,),
            target=S.SERVED,
            permission=p.CHANGE,
            guards=(without_fine,),
            clocks=(_stop(SERVICE),),
            form=f.ServiceForm,
        ),
        *EXECUTION,
        TAKE_BACK,
        Transition(
            name="close",
            label=gettext_lazy("Close the case"),
            sources=(S.SERVED, S.EXECUTED, S.REFERRED),
            target=S.CLOSED,
            permission=p.DECIDE,
            guards=(fine_paid,),
        ),
        Transition(
            name="archive",
            label=gettext_lazy("Archive"),
            sources=(S.CLOSED,),
            target=S.ARCHIVED,
            permission=p.CHANGE,
        ),
    ),
)

SUMMARY = Workflow(
    name="cases.summary",
    model=Case,
    state_field="state",
    states=S,
    transitions=(
        Transition(
            name="decide_on_spot",
            label=gettext_lazy("Fine on the spot"),
            sources=(S.INTAKE,),
            target=S.SERVED,
            permission=p.CHANGE,
            guards=(
                g.guard_team,
                g.guard_limitation,
                g.guard_law_version,
                g.guard_summary_limits,
                g.guard_summary_notice,
                with_fine,
            ),
            clocks=(_start(PAYMENT),),
            form=f.OnSpotForm,
        ),
        Transition(
            name="warn_on_spot",
            label=gettext_lazy("Warn on the spot"),
            sources=(S.INTAKE,),
            target=S.SERVED,
            permission=p.CHANGE,
            guards=(
                g.guard_team,
                g.guard_limitation,
                g.guard_law_version,
                g.guard_summary_limits,
                g.guard_summary_notice,
                without_fine,
            ),
            form=f.OnSpotForm,
        ),
        *EXECUTION,
        Transition(
            name="close",
            label=gettext_lazy("Close the case (file copy)"),
            sources=(S.SERVED, S.EXECUTED),
            target=S.CLOSED,
            permission=p.CHANGE,
            guards=(fine_paid,),
        ),
        Transition(
            name="archive",
            label=gettext_lazy("Archive"),
            sources=(S.CLOSED,),
            target=S.ARCHIVED,
            permission=p.CHANGE,
        ),
    ),
)


def workflow_of(case: Case) -> Workflow:
    """Return the procedure a case follows."""
    return SUMMARY if case.procedure == "summary" else ORDINARY
