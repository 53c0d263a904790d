"""取值对照 — an agency's own words in import files, mapped to the registry's.

A bureau's spreadsheet says 有限空间 where the registry says 有限空间作业, or
烟花爆竹经营 for 烟花爆竹. The import page asks once per distinct word (issue
14) and remembers the answer for the agency's next file. The check reads
these mappings (``fazhi.registry.imports.mapping``); the model lives here,
apart from ``models``, to keep that module small.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import OrgUnit, User


class MappedColumn(models.TextChoices):
    """The import columns whose words can be mapped (file keys)."""

    KIND = "kind", _("entity type")
    SCALE = "scale", _("scale")
    CATEGORIES = "categories", _("regulatory category")
    STANDARDIZATION = "standardization_level", _("standardization level")
    RISK = "risk_level", _("risk level")
    CREDIT = "credit_class", _("credit class")
    STATUS = "status", _("registration status")


class ImportValueMap(models.Model):
    """One word of an agency's files and what it means: a known code, or
    refused (``target`` blank: rows holding it stay errors)."""

    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )
    column = models.CharField(_("column"), max_length=30, choices=MappedColumn.choices)
    value = models.CharField(_("value in the file"), max_length=100)
    target = models.CharField(_("registry value"), max_length=40, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("import value mapping")
        verbose_name_plural = _("import value mappings")
        ordering = ["agency", "column", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "column", "value"], name="registry_value_map_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} → {self.target or '×'}"

    @property
    def rejected(self) -> bool:
        return not self.target
