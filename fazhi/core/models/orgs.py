"""The org tree: agencies (行政机关) and their internal units."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.core import codes
from fazhi.core.choices import AgencyLevel, UnitKind

PATH_STEP = 6  # digits per tree level in OrgUnit.path


class OrgUnit(models.Model):
    """行政机关 / 内设机构 — an agency or one of its internal units.

    ``path`` is a materialized path ("000001.000004.") so that a subtree is one
    indexed ``startswith`` query on both SQLite and PostgreSQL.
    """

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    level = models.CharField(
        _("administrative level"), max_length=10, choices=AgencyLevel.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    doc_abbr = models.CharField(
        _("document abbreviation"),
        max_length=10,
        blank=True,
        help_text=_("机关代字 used in 文书号 and 案号, e.g. 济 or 任."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="orgunit_unique_uscc"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.kind == UnitKind.AGENCY:
            if not self.level:
                errors["level"] = _("An agency needs its administrative level.")
            region = codes.validate_region(self.region_code)
            if not region.valid:
                errors["region_code"] = region.reason
            if self.uscc:
                check = codes.validate_uscc(self.uscc)
                if not check.valid:
                    errors["uscc"] = check.reason
        elif self.parent is None:
            errors["parent"] = _("An internal unit must belong to an agency.")
        elif self.level:
            errors["level"] = _("Only agencies have an administrative level.")
        if self.pk and self.parent_id:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    errors["parent"] = _("A unit cannot be placed under itself.")
                    break
                ancestor = ancestor.parent
        if errors:
            raise ValidationError(errors)

    @property
    def depth(self) -> int:
        return self.path.count(".") - 1

    def agency(self) -> OrgUnit:
        """Return the agency this unit belongs to (itself if it is one)."""
        unit: OrgUnit | None = self
        while unit is not None and unit.kind != UnitKind.AGENCY:
            unit = unit.parent
        return unit or self

    def ancestors(self) -> models.QuerySet[OrgUnit]:
        prefixes = [self.path[: (i + 1) * (PATH_STEP + 1)] for i in range(self.depth)]
        return OrgUnit.objects.filter(path__in=prefixes).order_by("path")

    def subtree(self) -> models.QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(path__startswith=self.path)

    def province(self) -> str:
        """The province (two digits of the region code) of this unit or its nearest ancestor."""
        if len(self.region_code) >= 2:
            return self.region_code[:2]
        nearest = (
            self.ancestors()
            .exclude(region_code="")
            .order_by("-path")
            .values("region_code")
            .first()
        )
        return nearest["region_code"][:2] if nearest else ""
