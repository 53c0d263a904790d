"""Discretion baselines (裁量基准): entries, tiers, rules, circumstances.

A ``DiscretionEntry`` states how the fine for one violation is set:
statutory ranges per target and stage, and ``DiscretionTier`` rows with
their conditions and fines. The numbers the calculator applies on top
(bands, age limits, limitation periods), the circumstances and the
no-penalty list are rule data with their sources, never literals in code.

The tables were created by the ``powers`` app and keep their names
(``db_table``): see docs/decisions/0007-discretion-app.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fazhi.discretion.choices import (
    BaselineLevel,
    CircumstanceEffect,
    ConditionKind,
    DecisionClass,
    FineMeasure,
    FineTarget,
    HarmLevel,
    RuleCode,
    Stage,
)


class Effective(models.Model):
    """Rule data valid from one date, optionally until another (inclusive)."""

    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        abstract = True

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def clean(self) -> None:
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("The end date is before the start date.")})


class Baseline(Effective):
    """裁量基准文件 — a published baseline document: who issued it, where it applies.

    An agency applies only the baselines it has adopted (``BaselineAdoption``):
    the national one, its province's refinement, its own. A document kept only
    as an example of another province's style has ``is_example`` set and is
    never offered for adoption.
    """

    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=BaselineLevel.choices)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=100, help_text=_("e.g. 全国, 山东省, 济宁市")
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    legal_basis = models.CharField(
        _("made under"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 《应急管理行政裁量权基准暂行规定》（应急管理部令第12号）"),
    )
    source = models.CharField(_("where the text was read"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    is_example = models.BooleanField(
        _("example only"),
        default=False,
        help_text=_("Another jurisdiction's document kept as an example; it cannot be adopted."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("discretion baseline")
        verbose_name_plural = _("discretion baselines")
        ordering = ["level", "jurisdiction", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "document_number"], name="discretion_baseline_unique"
            )
        ]

    def __str__(self) -> str:
        return self.citation

    @property
    def citation(self) -> str:
        """《应急管理行政处罚裁量权基准》（应急〔2024〕90号）"""
        title = self.title if self.title.startswith("《") else f"《{self.title}》"
        return f"{title}（{self.document_number}）" if self.document_number else title


class BaselineAdoption(models.Model):
    """采用 — an agency applies a baseline document from a date."""

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="discretion_adoptions",
    )
    baseline = models.ForeignKey(
        Baseline, verbose_name=_("baseline"), on_delete=models.PROTECT, related_name="adoptions"
    )
    adopted_on = models.DateField(_("adopted on"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("baseline adoption")
        verbose_name_plural = _("baseline adoptions")
        ordering = ["agency__path", "baseline__level"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "baseline"], name="discretion_adoption_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.baseline}"


class DiscretionEntry(Effective):
    """裁量基准 — how the fine for one violation is set."""

    baseline = models.ForeignKey(
        Baseline,
        verbose_name=_("baseline document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
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
    tier_required = models.BooleanField(
        _("a tier must be chosen"),
        default=False,
        help_text=_(
            "The statute sets the range by a class (e.g. the accident class); "
            "without it there is no range."
        ),
    )
    measures = models.JSONField(
        _("measures other than fines"),
        default=list,
        blank=True,
        help_text=_("A list of {target, stage, measure}: 责令停产停业整顿 of the unit …"),
    )
    no_fault_exception = models.CharField(
        _("liability without fault"),
        max_length=300,
        blank=True,
        help_text=_(
            "行政处罚法第三十三条第二款：法律、行政法规另有规定的，从其规定 — "
            "the provision that makes the party liable without fault, if any."
        ),
    )
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
        db_table = "powers_discretionentry"
        verbose_name = _("discretion entry")
        verbose_name_plural = _("discretion entries")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "code", "effective_from"], name="discretionentry_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.violation}"

    def get_absolute_url(self) -> str:
        return reverse("discretion:discretion_detail", args=[self.pk])

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
    gains_threshold = models.DecimalField(
        _("gains from which the multiple applies"),
        null=True,
        blank=True,
        max_digits=14,
        decimal_places=2,
        help_text=_("违法所得在…以上的，并处违法所得…倍的罚款"),
    )
    alternative_min = models.DecimalField(
        _("no or small gains: minimum"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    alternative_max = models.DecimalField(
        _("no or small gains: maximum"),
        null=True,
        blank=True,
        max_digits=14,
        decimal_places=2,
        help_text=_("没有违法所得或者违法所得不足…的，单处或者并处…以上…以下的罚款"),
    )
    base_stage = models.CharField(
        _("multiple of the fine of"), max_length=20, choices=Stage.choices, blank=True
    )
    provision = models.CharField(
        _("provision of this range"),
        max_length=300,
        blank=True,
        help_text=_(
            "Where this range comes from another paragraph than the penalty provision, "
            "e.g. 《中华人民共和国安全生产法》第一百一十四条第二款."
        ),
    )

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
        db_table = "powers_statutoryrange"
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
        db_table = "powers_discretiontier"
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
        db_table = "powers_tierfine"
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
        db_table = "powers_discretionrule"
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
    same_as_stage = models.CharField(
        _("the statute's own stage"),
        max_length=20,
        choices=Stage.choices,
        blank=True,
        help_text=_(
            "e.g. 逾期未改正: where the statute has this stage, the circumstance is not "
            "counted again as 从重."
        ),
    )

    class Meta:
        db_table = "powers_discretioncircumstance"
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

    baseline = models.ForeignKey(
        Baseline,
        verbose_name=_("baseline document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="no_penalty_items",
    )
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
        db_table = "powers_nopenaltyitem"
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
