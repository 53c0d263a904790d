"""The officers' database (人员库): officers, their certificates, training and
conflicts of interest, and the external agencies whose officers join
inspections. Imported by ``models``, which the rest of the app reads them from.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import OrgUnit, User
from fazhi.registry.choices import (
    CertificateStatus,
    ConflictKind,
    ConflictSource,
    ExternalAgencyKind,
    OfficerStatus,
)


class ExternalAgency(models.Model):
    """外部门 — another department whose officers join joint inspections."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=ExternalAgencyKind.choices)
    region_code = models.CharField(_("region code"), max_length=6)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact = models.CharField(_("contact person"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("maintained by"),
        on_delete=models.PROTECT,
        related_name="external_agencies",
        help_text=_("The unit that keeps this record; its subtree sees the agency."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("external agency")
        verbose_name_plural = _("external agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="registry_extagency_name")
        ]

    def __str__(self) -> str:
        return self.name


class Officer(models.Model):
    """执法人员 — a person who may enforce: internal (unit) or external (agency).

    The citizen ID is shown in full only to holders of
    ``registry.view_officer_citizen_id``; everyone else sees it masked.
    """

    full_name = models.CharField(_("full name"), max_length=60)
    citizen_id = models.CharField(_("citizen ID number"), max_length=18, unique=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    external_agency = models.ForeignKey(
        ExternalAgency,
        verbose_name=_("external agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer",
    )
    position = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    domains = models.CharField(
        _("enforcement domains"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated domain codes."),
    )
    legal_qualification = models.BooleanField(_("legal professional qualification"), default=False)
    legal_qualification_number = models.CharField(
        _("qualification certificate number"), max_length=40, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OfficerStatus.choices, default=OfficerStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["full_name", "id"]
        permissions = [("view_officer_citizen_id", "Can view officers' full citizen ID numbers")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(external_agency__isnull=True))
                | (Q(unit__isnull=True) & Q(external_agency__isnull=False)),
                name="registry_officer_one_home",
                violation_error_message=_(
                    "An officer belongs either to a unit or to an external agency."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def domain_list(self) -> list[str]:
        return [code for code in self.domains.strip(",").split(",") if code]

    @property
    def home(self) -> OrgUnit | ExternalAgency | None:
        return self.unit or self.external_agency

    @property
    def home_label(self) -> str:
        """The unit with its agency ("任城区应急管理局 综合行政执法大队"), or the agency."""
        if self.unit is not None:
            agency = self.unit.agency()
            return self.unit.name if agency == self.unit else f"{agency.name} {self.unit.name}"
        return str(self.external_agency or "")

    @property
    def is_external(self) -> bool:
        return self.external_agency_id is not None


class EnforcementCertificate(models.Model):
    """行政执法证 — number, issuer, validity and status; old ones are kept."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="certificates")
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    issuer = models.CharField(_("issued by"), max_length=120)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("enforcement certificate")
        verbose_name_plural = _("enforcement certificates")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["status", "valid_to"], name="registry_cert_expiry")]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})

    def status_on(self, day: datetime.date) -> str:
        """Return the status that holds on ``day`` (a valid one may have expired)."""
        if self.status != CertificateStatus.VALID:
            return self.status
        if day > self.valid_to:
            return CertificateStatus.EXPIRED
        return self.status

    def valid_on(self, day: datetime.date) -> bool:
        return self.status == CertificateStatus.VALID and self.valid_from <= day <= self.valid_to


class OfficerTraining(models.Model):
    """年度培训学时 — hours of enforcement training an officer had in a year."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="training")
    year = models.PositiveSmallIntegerField(_("year"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("annual training")
        verbose_name_plural = _("annual training")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "year"], name="registry_training_year")
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.year}: {self.hours}"


class ConflictOfInterest(models.Model):
    """利害关系 — an officer–entity relation that calls for recusal (回避)."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="conflicts")
    entity = models.ForeignKey(
        "registry.Entity", on_delete=models.PROTECT, related_name="conflicts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConflictKind.choices)
    source = models.CharField(_("source"), max_length=10, choices=ConflictSource.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["officer", "entity"], name="registry_conflict_pair")]

    def __str__(self) -> str:
        return f"{self.officer} – {self.entity}"

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})

    def active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
