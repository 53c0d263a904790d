"""执法公示 of penalty decisions: the published summary, as the public sees it.

A ``CasePublication`` is a snapshot taken when an authorised user publishes
a decision (行政处罚法 Art. 48 ¶1): the 文书号, the party (a natural person's
name masked), the violation, its basis, the penalty, the agency and the
decision date. The public pages and API read these rows only, never the
case, so nothing unpublished can leak through them (ARCHITECTURE: the portal
serves approved snapshots).

When a published decision is changed, revoked, or held illegal or void, the
information must be withdrawn and the reason published within 3 (working)
days (Art. 48 ¶2, 85). Withdrawing erases the published content from the row;
what stays public is the withdrawal notice: the 文书号, the agency and the
reason.

Imported by ``fazhi.cases.models`` so Django registers it with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fazhi.cases.choices import ChangeGround, DecisionChange, PartyKind, PublicityState

# The fields a withdrawal erases (the content of the decision as published).
CONTENT_FIELDS = ("party_name", "violation", "basis", "penalty", "penalty_kinds")


def mask_person_name(name: str) -> str:
    """Write a natural person's name as 张某某: the surname kept, one 某 per other character.

    A two-character compound surname (欧阳, 司马 …) cannot be told from a
    surname and a given name without a list, so only the first character is
    kept: 欧阳某某 would say more than the law asks to publish.
    """
    name = "".join(name.split())
    if not name:
        return ""
    return name[0] + "某" * max(len(name) - 1, 1)


class CasePublication(models.Model):
    """执法公示 — the published summary of one penalty decision."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="publications")
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PublicityState.choices,
        default=PublicityState.PUBLISHED,
    )
    document_number = models.CharField(_("decision number"), max_length=60)
    party_kind = models.CharField(_("party kind"), max_length=20, choices=PartyKind.choices)
    party_name = models.CharField(
        _("party"), max_length=200, blank=True, help_text=_("A citizen's name is masked.")
    )
    violation = models.TextField(_("violation"), blank=True)
    basis = models.TextField(_("penalty basis"), blank=True)
    penalty = models.TextField(_("penalty"), blank=True)
    penalty_kinds = models.JSONField(_("penalty kinds"), default=list, blank=True)
    agency = models.CharField(_("deciding agency"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    published_on = models.DateField(_("published on"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    change = models.CharField(
        _("what befell the decision"), max_length=20, choices=DecisionChange.choices, blank=True
    )
    change_ground = models.CharField(
        _("changed by"), max_length=20, choices=ChangeGround.choices, blank=True
    )
    changed_on = models.DateField(_("changed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(
        _("reason for the withdrawal"),
        blank=True,
        help_text=_("Published with the withdrawal (Art. 48)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published decision")
        verbose_name_plural = _("published decisions")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=~Q(state=PublicityState.WITHDRAWN),
                name="casepublication_one_live",
            )
        ]
        indexes = [
            models.Index(fields=["state", "-decided_on", "-id"], name="casepub_state_decided"),
        ]

    def __str__(self) -> str:
        return self.document_number

    @property
    def withdrawn(self) -> bool:
        return self.state == PublicityState.WITHDRAWN
