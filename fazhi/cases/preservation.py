"""先行登记保存: the time limit to decide on preserved evidence (行政处罚法 Art. 56).

Issuing a 先行登记保存证据通知书 (``documents.record_make``) starts one clock
per notice (rule ``penalty_evidence_preservation``: 7 working days, Art. 85);
recording the decision on the preserved items stops it. The law sets the
time limit but no consequence for missing it, so a late decision is still
recorded — marked late — and until then the clock shows as overdue on the
deadline board.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.cases import permissions as p
from fazhi.cases.choices import CaseState, EventKind, PreservationOutcome
from fazhi.cases.events import event_record
from fazhi.cases.models import Case, CaseEvent
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.audit import audit_record
from fazhi.core.choices import ClockState
from fazhi.core.documents import documents_for
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.locks import lock_row
from fazhi.core.models import Document, ObjectClock
from fazhi.core.workflow import clock_start_missing, clock_stop, clock_summary, clocks_for

CLOCK = "penalty_evidence_preservation"
NOTICE = "evidence_preservation_notice"
_CLOSED = (CaseState.CLOSED, CaseState.ARCHIVED, CaseState.DECLINED)


def notice_key(document: Document | int) -> str:
    """The clock key of one notice: a case may preserve evidence more than once."""
    return f"notice-{document if isinstance(document, int) else document.pk}"


@policy.requires(p.CHANGE)
def preservation_start(
    *, actor: Actor, case: Case, document: Document, on: datetime.date
) -> ObjectClock:
    """Start the clock of a notice issued on ``on`` (in the caller's transaction and check)."""
    clock, started = clock_start_missing(
        case, CLOCK, on=on, unit=case.unit, key=notice_key(document)
    )
    if started:
        audit_record(
            actor=actor,
            verb="cases.preservation.start",
            obj=case,
            after={"notice": document.number, "clock": clock_summary(clock)},
            unit=case.unit,
        )
    return clock


@dataclass(frozen=True)
class Preservation:
    """One 先行登记保存: its notice, its clock and, once made, the decision."""

    clock: ObjectClock
    notice: Document | None
    decision: CaseEvent | None

    @property
    def notice_id(self) -> int:
        return int(self.clock.key.removeprefix("notice-"))

    def overdue(self, today: datetime.date) -> bool:
        return self.clock.state != ClockState.STOPPED and self.clock.due_on < today


def case_preservations(case: Case) -> list[Preservation]:
    """The case's evidence preservations, oldest first (the caller has scoped ``case``)."""
    clocks = list(clocks_for(case).filter(rule_code=CLOCK).order_by("started_on", "pk"))
    notices = {notice_key(d): d for d in documents_for(case).filter(template__code=NOTICE)}
    decisions = {
        str(e.data.get("key")): e for e in case.events.filter(kind=EventKind.PRESERVATION)
    }
    return [Preservation(c, notices.get(c.key), decisions.get(c.key)) for c in clocks]


@policy.requires(p.CHANGE)
def preservation_decide(
    *,
    actor: Actor,
    case: Case,
    notice_id: int,
    outcome: str,
    reason: str,
    on: datetime.date | None = None,
) -> CaseEvent:
    """Record the decision on the items preserved under one notice and stop its clock.

    Refused (``Conflict``) when the case is closed or the decision is already
    recorded. After the time limit the decision is still recorded, marked late.
    """
    policy.require(actor, p.CHANGE, unit=case.unit)
    if outcome not in PreservationOutcome.values:
        raise DomainError(_("Choose what is decided on the preserved items."), field="outcome")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reasons for the decision."), field="reason")
    on = on or timezone.localdate()
    key = notice_key(notice_id)
    with transaction.atomic():
        case = lock_row(case)
        if case.state in _CLOSED:
            raise Conflict(
                _("The case is %(state)s: it is read-only; add a note to correct the record.")
                % {"state": case.get_state_display()}
            )
        clock = clocks_for(case).filter(rule_code=CLOCK, key=key).first()
        if clock is None:
            raise DomainError(_("There is no such evidence preservation."), field="key")
        if clock.state == ClockState.STOPPED:
            raise Conflict(_("The decision on these preserved items is already recorded."))
        if on < clock.started_on:
            raise DomainError(_("The decision cannot be dated before the notice."), field="on")
        late = on > clock.due_on
        notice = documents_for(case).filter(pk=notice_id).first()
        event = event_record(
            case,
            EventKind.PRESERVATION,
            actor=actor,
            on=on,
            text=reason,
            key=key,
            outcome=outcome,
            notice=notice.number if notice is not None else "",
            due_on=clock.due_on.isoformat(),
            late=late,
        )
        stopped = clock_stop(case, CLOCK, on=on, key=key)
        audit_record(
            actor=actor,
            verb="cases.preservation.decide",
            obj=case,
            before={"clock": clock_summary(clock)},
            after={
                "clock": clock_summary(stopped),
                "outcome": outcome,
                "reason": reason,
                "late": late,
            },
            unit=case.unit,
        )
    return event


@policy.requires(p.CHANGE)
def preservation_backfill(*, actor: Actor) -> list[ObjectClock]:
    """Start the clock of every notice issued before the clock existed; return those started.

    Idempotent: a notice that has its clock (running or stopped) is skipped.
    The clock starts on the day the notice was made (its record's local
    date). A case closed meanwhile cannot get the decision recorded any more,
    so its clock is stopped on the closing day and the audit event says so —
    it would otherwise stay red on the deadline board for ever.
    """
    case_type = ContentType.objects.get_for_model(Case)
    notices = Document.objects.filter(content_type=case_type, template__code=NOTICE).order_by("pk")
    have = set(
        ObjectClock.objects.filter(content_type=case_type, rule_code=CLOCK).values_list(
            "object_id", "key"
        )
    )
    started: list[ObjectClock] = []
    for notice in notices.iterator():
        case_id = int(notice.object_id)
        if (case_id, notice_key(notice)) in have:
            continue
        with transaction.atomic():
            case = lock_row(Case.objects.select_related("unit").get(pk=case_id))
            on = timezone.localdate(notice.created_at)
            clock, new = clock_start_missing(
                case, CLOCK, on=on, unit=case.unit, key=notice_key(notice)
            )
            if not new:
                continue
            closed_on = case.closed_on if case.state in _CLOSED else None
            if closed_on is not None:
                clock = clock_stop(case, CLOCK, on=max(closed_on, on), key=notice_key(notice))
            audit_record(
                actor=actor,
                verb="cases.preservation.start",
                obj=case,
                after={
                    "notice": notice.number,
                    "clock": clock_summary(clock),
                    "backfilled": True,
                    "stopped_as_closed": closed_on is not None,
                },
                unit=case.unit,
            )
            started.append(clock)
    return started
