"""Referral of a suspected crime (行政执法机关移送涉嫌犯罪案件的规定, 国务院令第310号, 2020修订).

专案组 of ≥ 2 officers writes the report (Art. 5 ¶1) → the head approves or
refuses within 3 days of the report, a refusal's reasons recorded (Art. 5 ¶2)
→ approved: referred to the public security organ within 24 hours with the
涉嫌犯罪案件移送书 (Art. 5 ¶2, 6) → the organ reviews within 3 days of
accepting it and notifies: case opened or not (Art. 8) → opened: the things
and materials handed over within 3 days of the notice (Art. 12); not opened:
the agency deals with the case itself (Art. 10; the case's ``take_back``).

Each limit is a ``ClockRule`` (``crime_referral_*``) quoting its article.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.cases import guards as g
from fazhi.cases import permissions as p
from fazhi.cases.choices import CaseState
from fazhi.cases.choices import ReferralState as S
from fazhi.cases.forms import ReasonForm, RecordForm
from fazhi.cases.forms_procedures import ReferralReferForm
from fazhi.cases.models_procedures import CrimeReferral
from fazhi.core.workflow import ClockEffect, Transition, Workflow, guard_label

APPROVAL = "crime_referral_approval"
TRANSFER = "crime_referral_transfer"
POLICE_REVIEW = "crime_referral_police_review"
HANDOVER = "crime_referral_handover"

# The case states from which the case itself can be referred (workflow.ORDINARY "refer").
REFERABLE = (CaseState.INVESTIGATING, CaseState.REVIEW, CaseState.PENDING_DECISION)
ACTIVE = (
    CaseState.INVESTIGATING,
    CaseState.REVIEW,
    CaseState.NOTIFIED,
    CaseState.HEARING,
    CaseState.PENDING_DECISION,
    CaseState.LEGAL_REVIEW,
)


def _start(rule: str) -> ClockEffect:
    return ClockEffect(rule=rule, action="start")


def _stop(rule: str) -> ClockEffect:
    return ClockEffect(rule=rule, action="stop")


@guard_label(gettext_lazy("The case is open and not yet decided"))
def guard_case_active(referral: CrimeReferral, ctx: g.Context) -> str | None:
    """The case is open (立案) and not yet decided."""
    case = referral.case
    if case.state not in ACTIVE:
        return _("The case is %(state)s: a referral is reported from an open case.") % {
            "state": case.get_state_display()
        }
    return None


@guard_label(
    gettext_lazy("At least two officers handle the referral (Referral Provisions Art. 5)")
)
def guard_team(referral: CrimeReferral, ctx: g.Context) -> str | None:
    """A team of ≥ 2 officers handles the referral (Art. 5 ¶1)."""
    return g.guard_team(referral.case, ctx)


@guard_label(
    gettext_lazy(
        "The report states the suspected crime and the facts checked (Referral Provisions Art. 5)"
    )
)
def guard_report(referral: CrimeReferral, ctx: g.Context) -> str | None:
    """The written report states the suspected crime and the facts checked (Art. 5 ¶1)."""
    if not referral.report.strip() or not referral.crime.strip():
        return _("Write the report: the suspected crime and the facts checked (Art. 5).")
    return None


@guard_label(
    gettext_lazy("The case is under investigation, in case review or awaiting the decision")
)
def guard_referable(referral: CrimeReferral, ctx: g.Context) -> str | None:
    """The case can still be referred (not decided, not in notice or hearing)."""
    case = referral.case
    if case.state not in REFERABLE:
        return _(
            "The case is %(state)s: it can be referred during the investigation, the case "
            "review or while awaiting the decision."
        ) % {"state": case.get_state_display()}
    return None


@guard_label(
    gettext_lazy("The receiving public security organ is named (Referral Provisions Art. 5)")
)
def guard_receiver(referral: CrimeReferral, ctx: g.Context) -> str | None:
    """The receiving public security organ is named."""
    if not ctx.data:
        return None  # listing the actions: the step's form asks for it
    if not str(ctx.data.get("receiver", "")).strip():
        return _("Name the public security organ at the same level (Art. 5).")
    return None


REFERRAL = Workflow(
    name="cases.referral",
    model=CrimeReferral,
    state_field="state",
    states=S,
    unit_of=lambda r: r.case.unit,
    transitions=(
        Transition(
            name="report",
            label=gettext_lazy("Submit the report for approval"),
            sources=(S.DRAFT,),
            target=S.REPORTED,
            permission=p.CHANGE,
            guards=(guard_case_active, guard_team, guard_report),
            clocks=(_start(APPROVAL),),
        ),
        Transition(
            name="approve",
            label=gettext_lazy("Approve the referral"),
            sources=(S.REPORTED,),
            target=S.APPROVED,
            permission=p.DECIDE,
            guards=(guard_case_active,),
            clocks=(_stop(APPROVAL), _start(TRANSFER)),
        ),
        Transition(
            name="refuse",
            label=gettext_lazy("Do not approve the referral"),
            sources=(S.REPORTED,),
            target=S.REFUSED,
            permission=p.DECIDE,
            guards=(g.guard_reason,),
            clocks=(_stop(APPROVAL),),
            form=ReasonForm,
        ),
        Transition(
            name="refer",
            label=gettext_lazy("Refer to the public security organ"),
            sources=(S.APPROVED,),
            target=S.REFERRED,
            permission=p.DECIDE,
            guards=(guard_receiver, guard_referable),
            clocks=(_stop(TRANSFER), _start(POLICE_REVIEW)),
            form=ReferralReferForm,
        ),
        Transition(
            name="accept",
            label=gettext_lazy("Record: case opened by the public security organ"),
            sources=(S.REFERRED,),
            target=S.ACCEPTED,
            permission=p.CHANGE,
            guards=(g.guard_record,),
            clocks=(_stop(POLICE_REVIEW), _start(HANDOVER)),
            form=RecordForm,
        ),
        Transition(
            name="reject",
            label=gettext_lazy("Record: not opened by the public security organ"),
            sources=(S.REFERRED,),
            target=S.NOT_ACCEPTED,
            permission=p.CHANGE,
            guards=(g.guard_record,),
            clocks=(_stop(POLICE_REVIEW),),
            form=RecordForm,
        ),
        Transition(
            name="hand_over",
            label=gettext_lazy("Hand over the things and materials"),
            sources=(S.ACCEPTED,),
            target=S.HANDED_OVER,
            permission=p.CHANGE,
            guards=(g.guard_record,),
            clocks=(_stop(HANDOVER),),
            form=RecordForm,
        ),
    ),
)
