"""行政处罚案件 — administrative penalty cases, their officers, records and rules."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fazhi.cases.choices import (
    CaseFlag,
    CaseSource,
    CaseState,
    DecisionKind,
    EventKind,
    OfficerRole,
    PartyKind,
    PenaltyKind,
    Procedure,
    RuleCondition,
    RulePurpose,
)
from fazhi.core.models import OrgUnit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _money(label: StrOrPromise) -> models.DecimalField[Decimal | None, Decimal | None]:
    """An optional amount in yuan (分 precision, never negative)."""
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )


class CaseRule(models.Model):
    """案件规则 — a threshold or catalogue entry that decides a procedural duty.

    One row says: for ``purpose`` (hearing right, legal review, collective
    discussion, summary-procedure limit), the case meets ``condition`` (a fine
    or confiscation of at least ``amount``, a penalty kind, a case flag, or a
    fine of at most ``amount``). Rows with no ``unit`` are the defaults; a row
    owned by an agency replaces the default of the same key for that agency's
    cases (a province's hearing threshold, an agency's 法制审核目录).
    """

    code = models.SlugField(_("code"), max_length=60)
    purpose = models.CharField(_("purpose"), max_length=30, choices=RulePurpose.choices)
    condition = models.CharField(_("condition"), max_length=30, choices=RuleCondition.choices)
    party_kind = models.CharField(
        _("party kind"), max_length=20, choices=PartyKind.choices, blank=True
    )
    amount = _money(_("amount (yuan)"))
    inclusive = models.BooleanField(
        _("amount included"), default=True, help_text=_("以上/以下 include the number itself.")
    )
    penalty_kind = models.CharField(
        _("penalty kind"), max_length=20, choices=PenaltyKind.choices, blank=True
    )
    flag = models.CharField(
        _("case circumstance"), max_length=30, choices=CaseFlag.choices, blank=True
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("owning agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source article"), max_length=255)
    verified = models.BooleanField(
        _("verified"), default=True, help_text=_("Unverified defaults are flagged in the UI.")
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("case rule")
        verbose_name_plural = _("case rules")
        ordering = ["purpose", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"],
                condition=Q(unit__isnull=True),
                name="caserule_default_version",
            ),
            models.UniqueConstraint(
                fields=["code", "unit", "effective_from"], name="caserule_unit_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.code}"

    def clean(self) -> None:
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("The end date is before the start date.")})
        needs_amount = self.condition in (
            RuleCondition.FINE_AT_LEAST,
            RuleCondition.CONFISCATION_AT_LEAST,
            RuleCondition.FINE_AT_MOST,
        )
        if needs_amount and self.amount is None:
            raise ValidationError({"amount": _("This condition needs an amount.")})
        if self.condition == RuleCondition.PENALTY_KIND and not self.penalty_kind:
            raise ValidationError({"penalty_kind": _("This condition needs a penalty kind.")})
        if self.condition == RuleCondition.CASE_FLAG and not self.flag:
            raise ValidationError({"flag": _("This condition needs a case circumstance.")})

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class Case(models.Model):
    """行政处罚案件 — one administrative penalty case."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.CharField(
        _("procedure"), max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.INTAKE
    )
    number = models.CharField(_("case number"), max_length=60, blank=True)
    title = models.CharField(_("cause of action"), max_length=200)
    source = models.CharField(_("case source"), max_length=20, choices=CaseSource.choices)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name=_("regulated entity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_kind = models.CharField(_("party kind"), max_length=20, choices=PartyKind.choices)
    party_name = models.CharField(_("party"), max_length=200)
    party_code = models.CharField(
        _("party identifier"),
        max_length=18,
        blank=True,
        help_text=_("Unified social credit code, or citizen ID number."),
    )
    party_address = models.CharField(_("party address"), max_length=255, blank=True)
    facts = models.TextField(_("facts"), blank=True)
    act_ended_on = models.DateField(
        _("violation ended on"),
        help_text=_("The day of the act, or the day a continuing act ended (Art. 36)."),
    )
    discovered_on = models.DateField(_("discovered on"))
    life_health_harm = models.BooleanField(
        _("life, health or financial safety harmed"),
        default=False,
        help_text=_("Harmful consequences to life, health or financial safety (Art. 36)."),
    )
    flags = models.JSONField(_("case circumstances"), default=list, blank=True)
    penalty_kinds = models.JSONField(_("proposed penalty kinds"), default=list, blank=True)
    proposed_fine = _money(_("proposed fine"))
    confiscation = _money(_("confiscation amount"))
    notice_kinds = models.JSONField(_("penalty kinds notified"), default=list, blank=True)
    notice_fine = _money(_("fine notified"))
    notice_given_on = models.DateField(_("notice given on"), null=True, blank=True)
    hearing_offered = models.BooleanField(_("hearing offered"), default=False)
    hearing_requested_on = models.DateField(_("hearing requested on"), null=True, blank=True)
    hearing_held_on = models.DateField(_("hearing held on"), null=True, blank=True)
    statement_closed_on = models.DateField(_("statement closed on"), null=True, blank=True)
    filed_on = models.DateField(_("opened on"), null=True, blank=True)
    decision_kind = models.CharField(
        _("decision"), max_length=20, choices=DecisionKind.choices, blank=True
    )
    fine = _money(_("fine decided"))
    fine_reason = models.TextField(_("reasons for the amount"), blank=True)
    fine_outside_range = models.BooleanField(_("outside the recommended range"), default=False)
    amount_flagged = models.BooleanField(
        _("amount flagged to the legal reviewer"),
        default=False,
        help_text=_("The amount proposed or decided lies outside the recommended range."),
    )
    discretion = models.JSONField(_("discretion calculation"), default=dict, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("penalty case")
        verbose_name_plural = _("penalty cases")
        ordering = ["-pk"]
        permissions = [
            ("file_case", _("Can approve opening a case")),
            ("review_case", _("Can perform the legal review of a case")),
            ("decide_case", _("Can decide a case")),
            ("publish_case", _("Can publish and withdraw a decision (执法公示)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="case_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "state", "-id"], name="case_unit_state_id"),
            models.Index(fields=["-created_at", "-id"], name="case_recent"),
            # The list pages newest first by id (keyset) within a state.
            models.Index(fields=["state", "-id"], name="case_state_id"),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    def penalty_labels(self) -> list[str]:
        """The intended (or decided) penalty kinds, in words."""
        return [str(PenaltyKind(k).label) for k in self.penalty_kinds if k in PenaltyKind.values]

    def clean(self) -> None:
        unknown = set(self.penalty_kinds) - set(PenaltyKind.values)
        if unknown:
            raise ValidationError({"penalty_kinds": _("Unknown penalty kind.")})
        if set(self.flags) - set(CaseFlag.values):
            raise ValidationError({"flags": _("Unknown case circumstance.")})


class CaseViolation(models.Model):
    """违法行为 — one violation charged, with the provision version applied."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="violations")
    description = models.CharField(_("violation"), max_length=255)
    basis = models.CharField(_("penalty basis"), max_length=255)
    discretion_code = models.CharField(
        _("discretion entry code"),
        max_length=60,
        blank=True,
        help_text=_("The code of the discretion benchmark entry used for the amount."),
    )
    law_in_force_from = models.DateField(_("provision in force from"))
    law_in_force_to = models.DateField(_("provision in force until"), null=True, blank=True)
    lighter_law_reason = models.TextField(
        _("why the newer law is lighter"),
        blank=True,
        help_text=_(
            "Needed when the provision applied was not yet in force at the act (Art. 37)."
        ),
    )

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description


class CaseOfficer(models.Model):
    """办案人员 — an officer assigned to a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="officers")
    officer = models.ForeignKey(
        "registry.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=10, choices=OfficerRole.choices)

    class Meta:
        verbose_name = _("case officer")
        verbose_name_plural = _("case officers")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "officer"], name="case_officer_once")
        ]

    def __str__(self) -> str:
        return str(self.officer)


class CaseEvent(models.Model):
    """案件记录 — a record appended to a case; corrections are new records."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case record")
        verbose_name_plural = _("case records")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "kind"], name="caseevent_case_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


from fazhi.cases.models_procedures import Coercion, CrimeReferral  # noqa: E402
from fazhi.cases.publication import CasePublication  # noqa: E402  (registered with the app)
from fazhi.cases.records import CaseArchive, CaseEvidence  # noqa: E402  (registered with the app)

__all__ = [
    "Case",
    "CaseArchive",
    "CaseEvent",
    "CaseEvidence",
    "CaseOfficer",
    "CasePublication",
    "CaseRule",
    "CaseViolation",
    "Coercion",
    "CrimeReferral",
]
