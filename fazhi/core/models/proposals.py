"""Proposals from a lower level to the owner of rule data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.core.choices import ProposalStatus
from fazhi.core.models.accounts import User
from fazhi.core.models.orgs import OrgUnit


class RuleProposal(models.Model):
    """规则修改建议 — a lower level asks the owner of rule data for a change.

    The owner (``owner`` None: national/provincial, the system administrators)
    accepts or rejects it; an accepted change is then made by the owner through
    the rule data's own page, so that it is checked and audited like any other.
    """

    proposer = models.ForeignKey(
        User, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposer_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("proposing agency"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        OrgUnit,
        verbose_name=_("owner of the rule data"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("rule data concerned"), max_length=200)
    proposal = models.TextField(_("proposed change and reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule proposal")
        verbose_name_plural = _("rule proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
