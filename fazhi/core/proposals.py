"""Rule proposals: a county asks the city (or the city the system administrators)
to change rule data it does not own; the owner accepts or rejects, audited.

The owner of rule data is the level that issued it (``policy.require_rule_owner``):
national/provincial data the system administrators, the city's data the city's
legal section. A proposal goes to the level above the proposer's agency, or to
the national level when ``national`` is asked for.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.choices import AgencyLevel, ProposalStatus
from fazhi.core.errors import Conflict, DomainError, NotAllowed
from fazhi.core.models import OrgUnit, RuleProposal

FIELDS = ["subject", "proposal", "status", "owner_id", "decision_note"]


def owner_for(unit: OrgUnit, *, national: bool = False) -> OrgUnit | None:
    """The owner a proposal from ``unit`` goes to: the agency above, or national."""
    agency = unit.agency()
    if national or agency.parent_id is None:
        return None
    parent = agency.parent.agency() if agency.parent is not None else None
    if parent is None or parent.level == AgencyLevel.PROVINCE:
        return None
    return parent


@policy.requires("core.add_ruleproposal")
@transaction.atomic
def proposal_create(
    *, actor: Any, subject: str, proposal: str, national: bool = False
) -> RuleProposal:
    """A legal reviewer proposes a change to rule data owned by the level above."""
    if actor.unit is None:
        raise NotAllowed(_("You do not have permission to do this."))
    subject, proposal = subject.strip(), proposal.strip()
    if not subject:
        raise DomainError(_("Say which rule data the proposal concerns."), field="subject")
    if not proposal:
        raise DomainError(_("Describe the change and its reason."), field="proposal")
    row = RuleProposal(
        proposer=actor,
        proposer_unit=actor.unit.agency(),
        owner=owner_for(actor.unit, national=national),
        subject=subject,
        proposal=proposal,
    )
    row.full_clean()
    row.save()
    audit_record(
        actor=actor, verb="core.ruleproposal.create", obj=row, after=snapshot(row, FIELDS)
    )
    return row


@policy.requires("core.change_ruleproposal")
@transaction.atomic
def proposal_decide(
    *, actor: Any, proposal: RuleProposal, accept: bool, note: str = ""
) -> RuleProposal:
    """The owner of the rule data accepts or rejects a pending proposal."""
    row = RuleProposal.objects.select_for_update().get(pk=proposal.pk)
    policy.require_rule_owner(actor, level_unit=row.owner)
    if row.status != ProposalStatus.PENDING:
        raise Conflict(_("This proposal has already been decided."))
    before = snapshot(row, FIELDS)
    row.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.decision_note = note.strip()
    row.save()
    audit_record(
        actor=actor,
        verb="core.ruleproposal.accept" if accept else "core.ruleproposal.reject",
        obj=row,
        before=before,
        after=snapshot(row, FIELDS),
        unit=row.owner,
    )
    return row


def proposal_list(*, actor: Any) -> QuerySet[RuleProposal]:
    """Proposals the actor made or may decide (its agency's, or all for administrators)."""
    rows = RuleProposal.objects.select_related("proposer", "proposer_unit", "owner", "decided_by")
    if policy.is_system_admin(actor):
        return rows
    if not policy.has_permission(actor, "core.view_ruleproposal") or actor.unit is None:
        return rows.none()
    agency = actor.unit.agency()
    return rows.filter(Q(proposer_unit=agency) | Q(owner=agency))


def may_decide(actor: Any, proposal: RuleProposal) -> bool:
    return proposal.status == ProposalStatus.PENDING and policy.may_own_rules(
        actor, proposal.owner
    )
