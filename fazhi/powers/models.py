"""Power & responsibility catalogs (权责清单) and discretion baselines (裁量基准).

Catalogs: an agency publishes one ``PowerCatalog`` per year; each holds
``PowerItem`` rows (one power each, with exactly one lead unit). The city's
items marked 市县同权 become a ``CatalogTemplate`` (通用目录) that each county
adopts, making its own catalog whose local changes are tracked against the
template items.

Discretion: a ``DiscretionEntry`` states how the fine for one violation is
set: statutory ranges per target and stage, and ``DiscretionTier`` rows with
their conditions and fines. The numbers the calculator applies on top
(bands, age limits, limitation periods), the circumstances and the
no-penalty list are rule data with their sources, never literals in code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fazhi.core.choices import UnitKind
from fazhi.core.effective import Effective
from fazhi.powers.choices import (
    CatalogStatus,
    CircumstanceEffect,
    ConditionKind,
    DecisionClass,
    ExerciseLevel,
    FineMeasure,
    FineTarget,
    HarmLevel,
    PowerType,
    RuleCode,
    Stage,
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


# --- discretion -------------------------------------------------------------


class DiscretionEntry(Effective):
    """裁量基准 — how the fine for one violation is set."""

    code = models.CharField(_("code"), max_length=40)
    violation = models.CharField(_("violation"), max_length=500)
    legal_provision_text = models.CharField(
        _("provision violated"), max_length=300, blank=True, help_text=_("法律规定")
    )
    legal_provision = models.ForeignKey(
        "laws.Article",
        verbose_name=_("provision violated (article)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    penalty_basis_text = models.CharField(
        _("penalty provision"), max_length=300, help_text=_("处罚依据")
    )
    penalty_basis = models.ForeignKey(
        "laws.Article",
        verbose_name=_("penalty provision (article)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discretion_entries",
    )
    penalty_clause = models.TextField(
        _("statutory penalty"), blank=True, help_text=_("The penalty wording of the statute.")
    )
    no_discretion = models.BooleanField(
        _("fixed by statute (no discretion)"),
        default=False,
        help_text=_("The statute fixes the fine, e.g. a percentage of income; no bands apply."),
    )
    issuing_document = models.CharField(_("issuing document"), max_length=200, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("discretion entry")
        verbose_name_plural = _("discretion entries")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="discretionentry_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.violation}"

    def get_absolute_url(self) -> str:
        return reverse("powers:discretion_detail", args=[self.pk])

    @property
    def verified(self) -> bool:
        return all(tier.verified for tier in self.tiers.all())


class FineBounds(models.Model):
    """A fine range: bounds with inclusive flags (以上/以下 含本数?)."""

    target = models.CharField(_("target"), max_length=20, choices=FineTarget.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    measure = models.CharField(
        _("measure"), max_length=20, choices=FineMeasure.choices, default=FineMeasure.AMOUNT
    )
    min_amount = models.DecimalField(
        _("minimum"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    min_inclusive = models.BooleanField(_("minimum included"), default=True)
    max_amount = models.DecimalField(
        _("maximum"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    max_inclusive = models.BooleanField(_("maximum included"), default=True)
    extra_measures = models.JSONField(_("other measures"), default=list, blank=True)

    class Meta:
        abstract = True

    @property
    def lower(self) -> Decimal:
        return self.min_amount if self.min_amount is not None else Decimal(0)


class StatutoryRange(FineBounds):
    """法定处罚幅度 — the range the statute sets for one target and stage."""

    entry = models.ForeignKey(
        DiscretionEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="ranges"
    )

    class Meta:
        verbose_name = _("statutory range")
        verbose_name_plural = _("statutory ranges")
        ordering = ["entry", "target", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "target", "stage"], name="statutoryrange_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} / {self.get_stage_display()}"


class DiscretionTier(models.Model):
    """裁量阶次 — one tier of an entry: its condition, fines and source."""

    entry = models.ForeignKey(
        DiscretionEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="tiers"
    )
    order = models.PositiveSmallIntegerField(_("tier"))
    name = models.CharField(_("name"), max_length=60)
    condition_kind = models.CharField(
        _("condition kind"), max_length=20, choices=ConditionKind.choices
    )
    condition_fact = models.CharField(_("fact"), max_length=60, blank=True)
    condition_fact_label = models.CharField(_("fact label"), max_length=100, blank=True)
    condition_lower = models.DecimalField(
        _("fact from"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    condition_lower_inclusive = models.BooleanField(_("from included"), default=True)
    condition_upper = models.DecimalField(
        _("fact up to"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    condition_upper_inclusive = models.BooleanField(_("up to included"), default=True)
    condition_circumstance = models.CharField(_("circumstance"), max_length=60, blank=True)
    condition_text = models.TextField(_("condition"), help_text=_("适用条件 as published"))
    mitigated = models.BooleanField(
        _("mitigated (below the statutory minimum)"), default=False, help_text=_("减轻")
    )
    mitigation_ground = models.CharField(
        _("legal ground for mitigation"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 《中华人民共和国行政处罚法》第三十二条"),
    )
    verified = models.BooleanField(_("verified"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("discretion tier")
        verbose_name_plural = _("discretion tiers")
        ordering = ["entry", "order"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "order"], name="discretiontier_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class TierFine(FineBounds):
    """The fine a tier sets for one target and stage."""

    tier = models.ForeignKey(
        DiscretionTier, verbose_name=_("tier"), on_delete=models.CASCADE, related_name="fines"
    )

    class Meta:
        verbose_name = _("tier fine")
        verbose_name_plural = _("tier fines")
        ordering = ["tier", "target", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "target", "stage"], name="tierfine_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tier} {self.get_target_display()} / {self.get_stage_display()}"


class DiscretionRule(Effective):
    """裁量规则 — a number the calculator applies (a band, an age, a period)."""

    code = models.CharField(_("rule"), max_length=40, choices=RuleCode.choices)
    lower = models.DecimalField(_("value / from"), max_digits=8, decimal_places=2)
    upper = models.DecimalField(_("to"), max_digits=8, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    verified = models.BooleanField(_("verified"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("discretion rule")
        verbose_name_plural = _("discretion rules")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="discretionrule_version"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_code_display())

    def clean(self) -> None:
        super().clean()
        if self.upper is not None and self.lower is not None and self.upper < self.lower:
            raise ValidationError({"upper": _("The upper value is below the lower value.")})


class DiscretionCircumstance(Effective):
    """裁量情节 — a circumstance and its legal effect on the fine, with its source."""

    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    effect = models.CharField(_("effect"), max_length=20, choices=CircumstanceEffect.choices)
    source = models.CharField(_("source"), max_length=300)
    verified = models.BooleanField(_("verified"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("circumstance")
        verbose_name_plural = _("circumstances")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="discretioncircumstance_version"
            )
        ]

    def __str__(self) -> str:
        return self.name


class NoPenaltyItem(Effective):
    """不予处罚清单事项 — one row of a published no-penalty list.

    Columns as published: 处罚事项 (``matter``), 设定依据 (``basis_text``),
    适用情形 (``circumstance_text``), 不予处罚依据 (``no_penalty_basis_text``).
    The conditions the calculator tests are structured beside the text.
    """

    code = models.CharField(_("code"), max_length=40)
    entry_code = models.CharField(
        _("discretion entry code"),
        max_length=40,
        db_index=True,
        help_text=_("The entry (any version) this row applies to."),
    )
    matter = models.CharField(_("penalty matter"), max_length=300)
    basis_text = models.CharField(_("basis"), max_length=300)
    circumstance_text = models.TextField(_("applicable circumstances"))
    no_penalty_basis_text = models.CharField(_("basis for no penalty"), max_length=300)
    decision = models.CharField(
        _("decision"),
        max_length=20,
        choices=[
            (DecisionClass.NO_PENALTY.value, DecisionClass.NO_PENALTY.label),
            (DecisionClass.MAY_WAIVE.value, DecisionClass.MAY_WAIVE.label),
        ],
    )
    requires_first_violation = models.BooleanField(_("first violation required"), default=False)
    requires_corrected_in_time = models.BooleanField(
        _("correction in time required"), default=True
    )
    max_harm = models.CharField(
        _("at most this harm"), max_length=10, choices=HarmLevel.choices, default=HarmLevel.NONE
    )
    condition_fact = models.CharField(_("fact"), max_length=60, blank=True)
    condition_upper = models.DecimalField(
        _("fact up to"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    condition_upper_inclusive = models.BooleanField(_("up to included"), default=True)
    issuing_document = models.CharField(_("issuing document"), max_length=200, blank=True)
    verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        verbose_name = _("no-penalty list item")
        verbose_name_plural = _("no-penalty list items")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="nopenaltyitem_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.matter}"
