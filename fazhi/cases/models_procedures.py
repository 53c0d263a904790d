"""Sub-procedures of a case: 查封、扣押 (行政强制法) and referral of a suspected crime.

Each has its own workflow (``coercion_workflow.py``, ``referral_workflow.py``)
and its own statutory clocks; both belong to one case and are scoped by the
case's unit. Imported by ``models.py`` so Django registers them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.cases.choices import (
    CoercionKind,
    CoercionState,
    DisposalKind,
    ReferralState,
    ReleaseGround,
    TestKind,
)
from fazhi.core.models import OrgUnit


class Coercion(models.Model):
    """查封、扣押 — a coercive measure on places, facilities or things of a case."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="coercions")
    kind = models.CharField(_("coercive measure"), max_length=10, choices=CoercionKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=CoercionState.choices, default=CoercionState.PROPOSED
    )
    items = models.TextField(
        _("places, facilities or things"), help_text=_("Name and quantity of each (the list).")
    )
    reason = models.TextField(_("reason"))
    basis = models.CharField(_("legal basis"), max_length=255)
    proposed_on = models.DateField(_("reported on"))
    started_on = models.DateField(_("in force from"), null=True, blank=True)
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    test_kind = models.CharField(
        _("testing or appraisal"), max_length=20, choices=TestKind.choices, blank=True
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    release_ground = models.CharField(
        _("ground for release"), max_length=20, choices=ReleaseGround.choices, blank=True
    )
    disposal = models.CharField(
        _("disposal"), max_length=20, choices=DisposalKind.choices, blank=True
    )
    outcome = models.TextField(_("decision on the things"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sealing up or seizure")
        verbose_name_plural = _("sealing ups and seizures")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.proposed_on}"

    @property
    def unit(self) -> OrgUnit:
        return self.case.unit


class CrimeReferral(models.Model):
    """移送涉嫌犯罪案件 — a case referred to the public security organ."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    state = models.CharField(
        _("state"), max_length=20, choices=ReferralState.choices, default=ReferralState.DRAFT
    )
    report = models.TextField(_("written report"), help_text=_("The facts checked (Art. 5)."))
    crime = models.CharField(_("suspected crime"), max_length=200)
    reported_on = models.DateField(_("reported on"))
    decided_on = models.DateField(_("approval decided on"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for not approving"), blank=True)
    receiver = models.CharField(_("public security organ"), max_length=200, blank=True)
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    outcome_on = models.DateField(_("outcome notified on"), null=True, blank=True)
    outcome_text = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral of a suspected crime")
        verbose_name_plural = _("referrals of suspected crimes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.crime} {self.reported_on}"

    @property
    def unit(self) -> OrgUnit:
        return self.case.unit
