"""查封、扣押 as a sub-procedure of a case (行政强制法 chapter III, sections 1–2).

报告并经负责人批准 (Art. 18(1)) → 实施, the 查封扣押决定书 handed over (Art. 24)
and the 30-day limit running (Art. 25 ¶1) → at most one extension of at most
30 days by approval, notified in writing (Art. 25 ¶1–2) → the limit paused
while the things are tested, inspected, quarantined or appraised, the period
stated and notified (Art. 25 ¶3) → 解除 (Art. 28) or 没收/销毁 (Art. 27).

The limit is the kit's ``ObjectClock`` on the measure (rules
``coercion_seizure`` and ``coercion_seizure_extension``); the kit pauses and
resumes it, and ``seizure_due`` adds the extension after the base limit so a
pause before or after the extension is never lost.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.cases import guards as g
from fazhi.cases import permissions as p
from fazhi.cases.choices import CaseState, DisposalKind, ReleaseGround, TestKind
from fazhi.cases.choices import CoercionState as S
from fazhi.cases.forms import ReasonForm, RecordForm
from fazhi.cases.forms_procedures import (
    CoercionDisposeForm,
    CoercionExtendForm,
    CoercionReleaseForm,
    CoercionTestForm,
)
from fazhi.cases.guards import case_rule
from fazhi.cases.models_procedures import Coercion
from fazhi.core.clocks import DeadlineResult, deadline_compute
from fazhi.core.formats import cn_date
from fazhi.core.workflow import ClockEffect, Transition, Workflow, clocks_for, guard_label

SEIZURE = "coercion_seizure"
EXTENSION = "coercion_seizure_extension"

# A measure may be taken while the case is not yet decided.
OPEN_CASE = (
    CaseState.INTAKE,
    CaseState.INVESTIGATING,
    CaseState.REVIEW,
    CaseState.NOTIFIED,
    CaseState.HEARING,
    CaseState.PENDING_DECISION,
    CaseState.LEGAL_REVIEW,
)


def _pauses(coercion: Coercion) -> list[tuple[datetime.date, datetime.date, str]]:
    clock = clocks_for(coercion).filter(rule_code=SEIZURE).first()
    if clock is None:
        return []
    result = []
    for pause in clock.pauses:
        if pause["to"] is None:
            continue
        start = datetime.date.fromisoformat(pause["from"])
        end = datetime.date.fromisoformat(pause["to"])
        if end >= start:
            result.append((start, end, pause["reason"]))
    return result


def seizure_due(coercion: Coercion) -> DeadlineResult | None:
    """The end of the measure: 30 days, plus the extension, without the test periods."""
    if coercion.started_on is None:
        return None
    pauses = _pauses(coercion)
    base = deadline_compute(
        start=coercion.started_on,
        rule=case_rule(coercion.case, SEIZURE, coercion.started_on),
        pauses=pauses,
    )
    if coercion.extended_on is None:
        return base
    rule = case_rule(coercion.case, EXTENSION, coercion.extended_on)
    return deadline_compute(start=base.due, rule=rule, pauses=pauses)


# -- pure checks ---------------------------------------------------------------------


def expired_problem(*, today: datetime.date, due: DeadlineResult | None) -> str | None:
    """After the limit the measure may only be released (Art. 28(4))."""
    if due is not None and today > due.due:
        return _(
            "The time limit of the measure ended on %(due)s (%(source)s): release it (Art. 28(4))."
        ) % {"due": cn_date(due.due), "source": due.rule.source if due.rule else ""}
    return None


def extension_problem(*, extended_on: datetime.date | None, reason: str) -> str | None:
    """One extension only, for a complex situation, with its reason (Art. 25 ¶1–2)."""
    if extended_on is not None:
        return _(
            "The measure was already extended on %(on)s; it may be extended only once (Art. 25)."
        ) % {"on": cn_date(extended_on)}
    if not reason.strip():
        return _("Give the reason why the situation is complex; the party is told it (Art. 25).")
    return None


def lab_period_problem(
    *, kind: str, until: datetime.date | None, today: datetime.date
) -> str | None:
    """The testing must be named and its period stated (Art. 25 ¶3)."""
    if kind not in TestKind.values:
        return _("Choose detection, inspection, quarantine or technical appraisal (Art. 25).")
    if until is None or until < today:
        return _(
            "State until when the testing or appraisal runs; the party is told it in "
            "writing (Art. 25)."
        )
    return None


# -- guards -------------------------------------------------------------------------


@guard_label(gettext_lazy("The case is not yet decided"))
def guard_case_open(coercion: Coercion, ctx: g.Context) -> str | None:
    """The case is not yet decided."""
    case = coercion.case
    if case.state not in OPEN_CASE:
        return _("The case is %(state)s: no coercive measure can be taken now.") % {
            "state": case.get_state_display()
        }
    return None


@guard_label(
    gettext_lazy(
        "Carried out by at least two certified officers (Administrative Coercion Law Art. 18)"
    )
)
def guard_team(coercion: Coercion, ctx: g.Context) -> str | None:
    """Carried out by ≥ 2 certified officers (行政强制法 Art. 18(2))."""
    return g.guard_team(coercion.case, ctx)


@guard_label(
    gettext_lazy(
        "The time limit of the measure has not ended (Administrative Coercion Law Art. 25)"
    )
)
def guard_not_expired(coercion: Coercion, ctx: g.Context) -> str | None:
    """The time limit has not ended (Art. 25, 28(4))."""
    return expired_problem(today=ctx.today, due=seizure_due(coercion))


@guard_label(
    gettext_lazy("Not extended before; the reason is given (Administrative Coercion Law Art. 25)")
)
def guard_extension(coercion: Coercion, ctx: g.Context) -> str | None:
    """Not yet extended; the reason is given (Art. 25)."""
    reason = str(ctx.data.get("reason", "")) if ctx.data else "-"  # listing: the form asks
    return extension_problem(extended_on=coercion.extended_on, reason=reason)


@guard_label(
    gettext_lazy(
        "The testing is named and its period stated (Administrative Coercion Law Art. 25)"
    )
)
def guard_test(coercion: Coercion, ctx: g.Context) -> str | None:
    """The testing is named and its period stated (Art. 25 ¶3)."""
    if not ctx.data:
        return None  # listing the actions: the step's form asks for it
    return lab_period_problem(
        kind=str(ctx.data.get("test_kind", "")), until=ctx.data.get("until"), today=ctx.today
    )


@guard_label(gettext_lazy("A ground for release is given (Administrative Coercion Law Art. 28)"))
def guard_release_ground(coercion: Coercion, ctx: g.Context) -> str | None:
    """A ground of Art. 28 is given."""
    if not ctx.data:
        return None  # listing the actions: the step's form asks for it
    if ctx.data.get("ground") not in ReleaseGround.values:
        return _("Choose the ground for the release (Art. 28).")
    return None


@guard_label(
    gettext_lazy(
        "Confiscation or destruction, with the decision written "
        "(Administrative Coercion Law Art. 27)"
    )
)
def guard_disposal(coercion: Coercion, ctx: g.Context) -> str | None:
    """Confiscation or destruction, with the decision written (Art. 27)."""
    if not ctx.data:
        return None  # listing the actions: the step's form asks for it
    if ctx.data.get("disposal") not in DisposalKind.values:
        return _("Choose confiscation or destruction (Art. 27).")
    if not str(ctx.data.get("text", "")).strip():
        return _("Write the decision on the things (Art. 27).")
    return None


def _effect(action: str) -> ClockEffect:
    return ClockEffect(rule=SEIZURE, action=action)  # type: ignore[arg-type]


COERCION = Workflow(
    name="cases.coercion",
    model=Coercion,
    state_field="state",
    states=S,
    unit_of=lambda c: c.case.unit,
    transitions=(
        Transition(
            name="approve",
            label=gettext_lazy("Approve and carry out the measure"),
            sources=(S.PROPOSED,),
            target=S.IN_FORCE,
            permission=p.DECIDE,
            guards=(guard_case_open, guard_team),
            clocks=(_effect("start"),),
        ),
        Transition(
            name="refuse",
            label=gettext_lazy("Do not approve the measure"),
            sources=(S.PROPOSED,),
            target=S.REFUSED,
            permission=p.DECIDE,
            guards=(g.guard_reason,),
            form=ReasonForm,
        ),
        Transition(
            name="extend",
            label=gettext_lazy("Extend the measure (once, by approval)"),
            sources=(S.IN_FORCE,),
            target=S.IN_FORCE,
            permission=p.DECIDE,
            guards=(guard_not_expired, guard_extension),
            form=CoercionExtendForm,
        ),
        Transition(
            name="start_test",
            label=gettext_lazy("Send for testing or appraisal (limit paused)"),
            sources=(S.IN_FORCE,),
            target=S.TESTING,
            permission=p.CHANGE,
            guards=(guard_not_expired, guard_test),
            clocks=(_effect("pause"),),
            form=CoercionTestForm,
        ),
        Transition(
            name="end_test",
            label=gettext_lazy("Record the test result (limit resumes)"),
            sources=(S.TESTING,),
            target=S.IN_FORCE,
            permission=p.CHANGE,
            guards=(g.guard_record,),
            clocks=(_effect("resume"),),
            form=RecordForm,
        ),
        Transition(
            name="release",
            label=gettext_lazy("Release the measure"),
            sources=(S.IN_FORCE, S.TESTING),
            target=S.RELEASED,
            permission=p.DECIDE,
            guards=(guard_release_ground,),
            clocks=(_effect("stop"),),
            form=CoercionReleaseForm,
        ),
        Transition(
            name="dispose",
            label=gettext_lazy("Confiscate or destroy"),
            sources=(S.IN_FORCE,),
            target=S.DISPOSED,
            permission=p.DECIDE,
            guards=(guard_not_expired, guard_disposal),
            clocks=(_effect("stop"),),
            form=CoercionDisposeForm,
        ),
    ),
)
