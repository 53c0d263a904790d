"""执法公示 of decisions: publish, record a change of the decision, withdraw (Art. 48).

- ``publication_publish``: an authorised user publishes a decided case's
  summary (a snapshot; a citizen's name masked).
- ``decision_change_record``: the decision was changed, revoked, or held
  illegal or void (after 复议, 诉讼, self-correction or a higher authority's
  order). The case keeps a record of it; if the decision is published, the
  statutory clock ``penalty_publication_withdraw`` (3 working days, Art. 48
  ¶2 and 85; rule data in core's clock rules) starts on the case, one per
  publication.
- ``publication_withdraw``: the information is withdrawn with a public
  reason; the clock stops (marked late after its due date), the content is
  erased from the published row.

The public reads (``public_*``) return published rows only and never touch
the case tables.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fazhi.cases import permissions as p
from fazhi.cases.choices import (
    CaseState,
    ChangeGround,
    DecisionChange,
    DecisionKind,
    EventKind,
    PartyKind,
    PenaltyKind,
    PublicityState,
)
from fazhi.cases.events import event_record, event_user
from fazhi.cases.models import Case
from fazhi.cases.publication import CONTENT_FIELDS, CasePublication, mask_person_name
from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.documents import documents_for
from fazhi.core.errors import Conflict, DomainError, Refused
from fazhi.core.formats import wan_yuan
from fazhi.core.locks import lock_row
from fazhi.core.models import ObjectClock
from fazhi.core.workflow import clock_start_missing, clock_stop, clock_summary, clocks_for

CLOCK = "penalty_publication_withdraw"

# A decision stands from the decision to the archive; only a penalty is published here.
DECIDED = (
    CaseState.DECIDED,
    CaseState.SERVED,
    CaseState.DEMANDED,
    CaseState.COURT,
    CaseState.EXECUTED,
    CaseState.CLOSED,
    CaseState.ARCHIVED,
)
LIVE = (PublicityState.PUBLISHED, PublicityState.WITHDRAWAL_DUE)


def clock_key(publication: CasePublication) -> str:
    """The clock key of one publication (a case may be published again after a withdrawal)."""
    return f"publication-{publication.pk}"


def _decision_number(case: Case) -> str:
    return (
        documents_for(case)
        .filter(template__code="penalty_decision")
        .exclude(number="")
        .order_by("-pk")
        .values_list("number", flat=True)
        .first()
        or ""
    )


def publish_problem(case: Case) -> str | None:
    """Why ``case`` cannot be published now, or None."""
    if case.decision_kind != DecisionKind.PENALTY or case.state not in DECIDED:
        return _("Only a penalty decision that has been made can be published.")
    if case.publications.filter(state__in=LIVE).exists():
        return _("This decision is already published.")
    if case.events.filter(kind=EventKind.DECISION_CHANGE).exists():
        return _(
            "The decision was changed, revoked or held illegal or void: it is not published again."
        )
    if not _decision_number(case):
        return _("The decision has no document number.")
    return None


def _penalty_text(case: Case) -> str:
    """The penalty in words, in Chinese whatever the publisher's language (it is public)."""
    with translation.override("zh-hans"):
        return _penalty_words(case)


def _penalty_words(case: Case) -> str:
    parts = []
    for kind in case.penalty_kinds:
        if kind == PenaltyKind.FINE and case.fine:
            parts.append(_("a fine of %(amount)s") % {"amount": wan_yuan(case.fine)})
        elif kind == PenaltyKind.CONFISCATION and case.confiscation:
            parts.append(_("confiscation of %(amount)s") % {"amount": wan_yuan(case.confiscation)})
        elif kind in PenaltyKind.values:
            parts.append(str(PenaltyKind(kind).label))
    return "、".join(parts)


@policy.requires(p.PUBLISH)
def publication_publish(
    *, actor: Actor, case: Case, on: datetime.date | None = None
) -> CasePublication:
    """Publish the summary of ``case``'s penalty decision (Art. 48 ¶1)."""
    policy.require(actor, p.PUBLISH, unit=case.unit)
    on = on or timezone.localdate()
    with transaction.atomic():
        case = lock_row(case)
        problem = publish_problem(case)
        if problem:
            raise Refused(problem)
        assert case.decided_on is not None
        violations = list(case.violations.all())
        name = case.party_name
        publication = CasePublication(
            case=case,
            unit=case.unit,
            document_number=_decision_number(case),
            party_kind=case.party_kind,
            party_name=mask_person_name(name) if case.party_kind == PartyKind.PERSON else name,
            violation="；".join(v.description for v in violations) or case.title,
            basis="；".join(v.basis for v in violations),
            penalty=_penalty_text(case),
            penalty_kinds=sorted(case.penalty_kinds),
            agency=case.unit.agency().name,
            decided_on=case.decided_on,
            published_on=on,
            published_by=event_user(actor),
        )
        publication.full_clean()
        publication.save()
        audit_record(
            actor=actor,
            verb="cases.publication.publish",
            obj=case,
            after=snapshot(publication),
            unit=case.unit,
        )
    return publication


@policy.requires(p.DECIDE)
def decision_change_record(
    *,
    actor: Actor,
    case: Case,
    change: str,
    ground: str,
    reason: str,
    on: datetime.date | None = None,
) -> Case:
    """Record that the decision was changed, revoked or held illegal or void (Art. 48 ¶2).

    If the decision is published, start the time limit to withdraw it.
    """
    policy.require(actor, p.DECIDE, unit=case.unit)
    if change not in DecisionChange.values:
        raise DomainError(_("Choose what befell the decision."), field="change")
    if ground not in ChangeGround.values:
        raise DomainError(_("Choose who changed the decision."), field="ground")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    on = on or timezone.localdate()
    with transaction.atomic():
        case = lock_row(case)
        if not case.decision_kind or case.state not in DECIDED:
            raise Conflict(_("The case has no decision yet."))
        if case.decided_on and on < case.decided_on:
            raise DomainError(_("The change cannot be dated before the decision."), field="on")
        event_record(
            case,
            EventKind.DECISION_CHANGE,
            actor=actor,
            on=on,
            text=reason,
            change=change,
            ground=ground,
        )
        after: dict[str, object] = {"change": change, "ground": ground, "reason": reason}
        publication = (
            CasePublication.objects.select_for_update()
            .filter(case=case, state=PublicityState.PUBLISHED)
            .first()
        )
        if publication is not None:
            publication.state = PublicityState.WITHDRAWAL_DUE
            publication.change = change
            publication.change_ground = ground
            publication.changed_on = on
            publication.full_clean()
            publication.save()
            clock, _started = clock_start_missing(
                case, CLOCK, on=on, unit=case.unit, key=clock_key(publication)
            )
            after["publication"] = publication.document_number
            after["clock"] = clock_summary(clock)
        audit_record(
            actor=actor, verb="cases.case.decision_change", obj=case, after=after, unit=case.unit
        )
    return case


@policy.requires(p.PUBLISH)
def publication_withdraw(
    *,
    actor: Actor,
    publication: CasePublication,
    reason: str,
    on: datetime.date | None = None,
) -> CasePublication:
    """Withdraw a publication with the reason published (Art. 48 ¶2); stop its clock."""
    policy.require(actor, p.PUBLISH, unit=publication.unit)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason for the withdrawal."), field="reason")
    on = on or timezone.localdate()
    with transaction.atomic():
        publication = lock_row(publication)
        if publication.state == PublicityState.WITHDRAWN:
            raise Conflict(_("This publication has already been withdrawn."))
        if on < publication.published_on:
            raise DomainError(_("The withdrawal cannot be dated before the publication."))
        before = snapshot(publication)
        after: dict[str, object] = {}
        if publication.state == PublicityState.WITHDRAWAL_DUE:
            key = clock_key(publication)
            clock = clocks_for(publication.case).get(rule_code=CLOCK, key=key)
            stopped = clock_stop(publication.case, CLOCK, on=on, key=key)
            after["clock"] = clock_summary(stopped)
            after["late"] = on > clock.due_on
        publication.state = PublicityState.WITHDRAWN
        publication.withdrawn_on = on
        publication.withdrawal_reason = reason
        for name in CONTENT_FIELDS:
            setattr(publication, name, [] if name == "penalty_kinds" else "")
        publication.full_clean()
        publication.save()
        after.update(snapshot(publication))
        audit_record(
            actor=actor,
            verb="cases.publication.withdraw",
            obj=publication.case,
            before=before,
            after=after,
            unit=publication.unit,
        )
    return publication


# -- reads ----------------------------------------------------------------------------


def case_publications(case: Case) -> QuerySet[CasePublication]:
    """The publications of a case, newest first (the caller has scoped ``case``)."""
    return case.publications.order_by("-pk")


@policy.requires(p.VIEW)
def publication_get(*, actor: Actor, pk: int) -> CasePublication:
    """One publication in the actor's scope (else it does not exist)."""
    policy.require(actor, p.VIEW)
    publication = CasePublication.objects.select_related("unit", "case").get(pk=pk)
    policy.require_in_scope(actor, publication.unit)
    return publication


def withdrawal_clock(publication: CasePublication) -> ObjectClock | None:
    return clocks_for(publication.case).filter(rule_code=CLOCK, key=clock_key(publication)).first()


@dataclass(frozen=True)
class PublicFilters:
    q: str = ""
    agency: str = ""
    year: int | None = None
    kind: str = ""
    withdrawn: bool = False


def public_list(filters: PublicFilters) -> QuerySet[CasePublication]:
    """What anyone may read: the published decisions, or the withdrawal notices.

    Newest decision first. A withdrawal notice carries no content (erased
    when withdrawn); the query selects only the public columns all the same.
    """
    if filters.withdrawn:
        rows = CasePublication.objects.filter(state=PublicityState.WITHDRAWN)
    else:
        rows = CasePublication.objects.filter(state__in=LIVE)
    if filters.q:
        q = filters.q.strip()
        rows = rows.filter(
            Q(document_number__contains=q) | Q(party_name__contains=q) | Q(violation__contains=q)
        )
    if filters.agency:
        rows = rows.filter(agency=filters.agency)
    if filters.year:
        rows = rows.filter(decided_on__year=filters.year)
    if filters.kind and filters.kind in PenaltyKind.values:
        # The JSON list as text ("contains" on JSON is not available on SQLite).
        rows = rows.filter(penalty_kinds__icontains=f'"{filters.kind}"')
    return rows.only(*PUBLIC_FIELDS).order_by("-decided_on", "-pk")


PUBLIC_FIELDS = (
    "id",
    "unit_id",
    "state",
    "document_number",
    "party_kind",
    "party_name",
    "violation",
    "basis",
    "penalty",
    "penalty_kinds",
    "agency",
    "decided_on",
    "published_on",
    "withdrawn_on",
    "withdrawal_reason",
)


def public_get(pk: int) -> CasePublication:
    """One published decision or withdrawal notice, for anyone."""
    return CasePublication.objects.only(*PUBLIC_FIELDS).get(pk=pk)


def public_agencies() -> list[str]:
    """The agencies that have published, for the filter."""
    return list(
        CasePublication.objects.values_list("agency", flat=True).distinct().order_by("agency")
    )
