"""Power & responsibility catalogs (权责清单).

Catalogs: an agency publishes one ``PowerCatalog`` per year; each holds
``PowerItem`` rows (one power each, with exactly one lead unit). The city's
items marked 市县同权 become a ``CatalogTemplate`` (通用目录) that each county
adopts, making its own catalog whose local changes are tracked against the
template items.

Discretion baselines (裁量基准) are the ``discretion`` app (decision 0007).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fazhi.core.choices import UnitKind
from fazhi.powers.choices import (
    CatalogStatus,
    ExerciseLevel,
    PowerType,
)

# --- catalogs ---------------------------------------------------------------


class PowerCatalog(models.Model):
    """权责清单 — one agency's catalog of powers for one year."""

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="power_catalogs",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=CatalogStatus.choices, default=CatalogStatus.DRAFT
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
    )
    template = models.ForeignKey(
        "CatalogTemplate",
        verbose_name=_("adopted general catalog"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("power catalog")
        verbose_name_plural = _("power catalogs")
        ordering = ["agency__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="powercatalog_one_per_year")
        ]
        permissions = [("publish_powercatalog", _("Can publish power catalogs"))]

    def __str__(self) -> str:
        return _("%(agency)s power catalog (%(year)s)") % {
            "agency": self.agency.name,
            "year": self.year,
        }

    def get_absolute_url(self) -> str:
        return reverse("powers:catalog_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == CatalogStatus.DRAFT


class ItemContent(models.Model):
    """The fields a catalog item and a template item share."""

    code = models.CharField(_("item code"), max_length=40)
    name = models.CharField(_("item name"), max_length=300)
    power_type = models.CharField(_("power type"), max_length=20, choices=PowerType.choices)
    legal_subject = models.CharField(
        _("statutory implementing body"),
        max_length=200,
        blank=True,
        help_text=_("法定实施主体, e.g. 县级以上人民政府应急管理部门"),
    )
    exercise_levels = models.JSONField(_("levels exercising the power"), default=list, blank=True)
    first_responsible_level = models.CharField(
        _("first responsible level"), max_length=10, choices=ExerciseLevel.choices, blank=True
    )
    basis_text = models.TextField(
        _("legal basis (as published)"),
        blank=True,
        help_text=_("The article text the published catalog carries; citations are linked."),
    )
    responsibilities = models.JSONField(
        _("responsibilities"),
        default=list,
        blank=True,
        help_text=_("A list of {stage, text}: acceptance, review, decision, service, …"),
    )
    accountability_basis = models.TextField(_("accountability basis"), blank=True)
    supervision_method = models.TextField(_("supervision method"), blank=True)
    shared_with_counties = models.BooleanField(
        _("same power at city and county level"), default=False
    )
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PowerItem(ItemContent):
    """权力事项 — one power in a catalog, led by exactly one internal unit."""

    catalog = models.ForeignKey(
        PowerCatalog, verbose_name=_("catalog"), on_delete=models.CASCADE, related_name="items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    lead_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_power_items",
        help_text=_("The one internal unit that handles the power for the agency (一致对外)."),
    )
    basis_articles = models.ManyToManyField(
        "laws.Article", verbose_name=_("basis articles"), blank=True, related_name="power_items"
    )
    change_reason = models.TextField(
        _("reason for the change"),
        blank=True,
        help_text=_("Why the item was added or changed in this version."),
    )
    template_item = models.ForeignKey(
        "TemplateItem",
        verbose_name=_("general catalog item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adopted_items",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("power item")
        verbose_name_plural = _("power items")
        ordering = ["catalog", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="poweritem_code_per_catalog")
        ]
        indexes = [models.Index(fields=["catalog", "power_type"], name="poweritem_type")]

    def get_absolute_url(self) -> str:
        return reverse("powers:item_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        catalog = self.catalog if self.catalog_id else None
        if self.lead_unit_id and catalog is not None:
            unit = self.lead_unit
            if unit.kind == UnitKind.AGENCY or unit.agency().pk != catalog.agency_id:
                errors["lead_unit"] = _(
                    "The lead unit must be an internal unit of %(agency)s."
                ) % {"agency": catalog.agency.name}
        if self.parent_id:
            parent = self.parent
            if parent is None or parent.catalog_id != self.catalog_id:
                errors["parent"] = _("The parent item must be in the same catalog.")
            elif parent.parent_id:
                errors["parent"] = _("A sub-item cannot have sub-items of its own.")
            elif self.pk and parent.pk == self.pk:
                errors["parent"] = _("An item cannot be its own parent.")
        bad_levels = [lv for lv in self.exercise_levels if lv not in ExerciseLevel.values]
        if bad_levels:
            errors["exercise_levels"] = _("Unknown level: %(levels)s") % {
                "levels": ", ".join(map(str, bad_levels))
            }
        if errors:
            raise ValidationError(errors)


class PowerItemRemoval(models.Model):
    """取消事项 — an item dropped from a catalog version, with the reason."""

    catalog = models.ForeignKey(
        PowerCatalog, verbose_name=_("catalog"), on_delete=models.CASCADE, related_name="removals"
    )
    code = models.CharField(_("item code"), max_length=40)
    name = models.CharField(_("item name"), max_length=300)
    power_type = models.CharField(_("power type"), max_length=20, choices=PowerType.choices)
    reason = models.TextField(_("reason"))
    template_item = models.ForeignKey(
        "TemplateItem",
        verbose_name=_("general catalog item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="removals",
    )
    removed_at = models.DateTimeField(_("removed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("removed item")
        verbose_name_plural = _("removed items")
        ordering = ["catalog", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CatalogTemplate(models.Model):
    """通用目录 — the county general catalog derived from the city's 市县同权 items."""

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("issuing agency"),
        on_delete=models.PROTECT,
        related_name="catalog_templates",
    )
    source_catalog = models.OneToOneField(
        PowerCatalog,
        verbose_name=_("derived from"),
        on_delete=models.PROTECT,
        related_name="derived_template",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("general catalog")
        verbose_name_plural = _("general catalogs")
        ordering = ["-year", "agency__path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("powers:template_detail", args=[self.pk])


class TemplateItem(ItemContent):
    """通用目录事项 — one item of a general catalog."""

    template = models.ForeignKey(
        CatalogTemplate,
        verbose_name=_("general catalog"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    lead_unit_name = models.CharField(
        _("lead unit (suggested)"),
        max_length=200,
        blank=True,
        help_text=_("The unit that leads the power at city level; counties choose their own."),
    )
    basis_articles = models.ManyToManyField(
        "laws.Article", verbose_name=_("basis articles"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("general catalog item")
        verbose_name_plural = _("general catalog items")
        ordering = ["template", "code"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="templateitem_code_unique")
        ]
