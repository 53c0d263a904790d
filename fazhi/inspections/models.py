"""Annual plans, check items, random-check tasks (双随机) and inspections."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.models import Attachment, OrgUnit, User
from fazhi.inspections.choices import (
    CheckMethod,
    CheckResult,
    GroupKind,
    InspectionRuleCode,
    InspectionSource,
    InspectionState,
    ItemKind,
    PlanState,
    PublicationState,
    Severity,
    TaskState,
)
from fazhi.laws.models import Article
from fazhi.registry.choices import CreditClass, RiskLevel
from fazhi.registry.models import Entity, ExternalAgency, Officer

PPM = 1_000_000


class _Effective(models.Model):
    """Rule data valid from one date, optionally until another (inclusive)."""

    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    source = models.CharField(_("source article"), max_length=255)
    verified = models.BooleanField(
        _("verified"), default=True, help_text=_("Unverified defaults are flagged in the UI.")
    )
    owner = models.ForeignKey(
        OrgUnit,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for national or provincial rules."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        abstract = True

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def clean(self) -> None:
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("The end date is before the start date.")})


class SamplingRatio(_Effective):
    """抽查比例 — the sampling ratio of one credit class × risk level cell.

    A blank credit class or risk level is the cell for entities whose class
    or level is unknown.
    """

    credit_class = models.CharField(
        _("credit class"), max_length=1, choices=CreditClass.choices, blank=True
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    ratio_ppm = models.PositiveIntegerField(
        _("ratio (ppm)"), validators=[MaxValueValidator(PPM)], help_text=_("10000 ppm = 1%")
    )

    class Meta:
        verbose_name = _("sampling ratio")
        verbose_name_plural = _("sampling ratios")
        ordering = ["credit_class", "risk_level", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_class", "risk_level", "effective_from"],
                condition=Q(owner__isnull=True),
                name="inspections_ratio_version_national",
            ),
            models.UniqueConstraint(
                fields=["owner", "credit_class", "risk_level", "effective_from"],
                condition=Q(owner__isnull=False),
                name="inspections_ratio_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credit_class or '-'}/{self.risk_level or '-'}: {self.percent}%"

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.ratio_ppm) / 10_000).normalize()


class InspectionRule(_Effective):
    """Rule data for random checks: floor, window, caps (value per code)."""

    code = models.CharField(_("rule"), max_length=40, choices=InspectionRuleCode.choices)
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        verbose_name = _("inspection rule")
        verbose_name_plural = _("inspection rules")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"],
                condition=Q(owner__isnull=True),
                name="inspections_rule_version_national",
            ),
            models.UniqueConstraint(
                fields=["owner", "code", "effective_from"],
                condition=Q(owner__isnull=False),
                name="inspections_rule_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.value}"


class CheckItem(models.Model):
    """抽查事项 — one line of the published random-check item list."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("item"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    basis = models.ManyToManyField(
        Article, verbose_name=_("legal basis"), blank=True, related_name="+"
    )
    basis_text = models.CharField(
        _("legal basis (as cited)"),
        max_length=500,
        help_text=_("e.g. 《安全生产法》第六十五条"),
    )
    object_scope = models.CharField(_("objects"), max_length=300)
    method = models.CharField(_("method"), max_length=12, choices=CheckMethod.choices)
    ratio_ppm = models.PositiveIntegerField(
        _("planned ratio (ppm)"),
        default=0,
        validators=[MaxValueValidator(PPM)],
        help_text=_("General items may not exceed the ratio cap in force."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("check item")
        verbose_name_plural = _("check items")
        ordering = ["unit", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="inspections_item_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AnnualPlan(models.Model):
    """年度监督检查计划 — with the working-day capacity check."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(
        _("state"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT
    )
    working_days = models.PositiveIntegerField(_("statutory working days"))
    officers = models.PositiveIntegerField(_("enforcement officers"))
    other_enforcement_days = models.DecimalField(
        _("other enforcement person-days"), max_digits=9, decimal_places=1, default=Decimal(0)
    )
    non_enforcement_days = models.DecimalField(
        _("non-enforcement person-days"), max_digits=9, decimal_places=1, default=Decimal(0)
    )
    yearly_cap = models.PositiveSmallIntegerField(
        _("inspections per unit per year, at most"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    review_opinion = models.TextField(_("legal review opinion"), blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual inspection plan")
        verbose_name_plural = _("annual inspection plans")
        ordering = ["-year", "unit"]
        permissions = [
            ("review_annualplan", "Can review annual plans (legal review)"),
            ("approve_annualplan", "Can approve annual plans"),
            ("publish_annualplan", "Can publish annual plans"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="inspections_plan_year")
        ]

    def __str__(self) -> str:
        return self.title


class PlanGroup(models.Model):
    """One line of a plan: a group of entities, how often and with what effort."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("group"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=GroupKind.choices)
    entities = models.PositiveIntegerField(_("entities"))
    ratio = models.DecimalField(
        _("sampling ratio"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("For random checks: 0.05 = 5%."),
    )
    frequency = models.PositiveSmallIntegerField(_("times per year"), default=1)
    days_per_inspection = models.DecimalField(
        _("days per inspection"), max_digits=5, decimal_places=2, default=Decimal(1)
    )
    officers_per_team = models.PositiveSmallIntegerField(_("officers per team"), default=2)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    county = models.CharField(_("county"), max_length=60, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("plan group")
        verbose_name_plural = _("plan groups")
        ordering = ["plan", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class InspectionTask(models.Model):
    """双随机抽查任务 — scope, parameters, commitment, seed and draw."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("task number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    plan = models.ForeignKey(
        AnnualPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    items = models.ManyToManyField(CheckItem, verbose_name=_("check items"), related_name="tasks")
    state = models.CharField(
        _("state"), max_length=12, choices=TaskState.choices, default=TaskState.DRAFT
    )
    reference_date = models.DateField(
        _("inspection date"), help_text=_("Certificates and conflicts are checked on this day.")
    )
    scope = models.JSONField(
        _("scope filters"),
        default=dict,
        blank=True,
        help_text=_("Region codes, industry sections, regulatory categories, kinds."),
    )
    team_size = models.PositiveSmallIntegerField(_("officers per team"), default=2)
    joint_agencies = models.ManyToManyField(
        ExternalAgency, verbose_name=_("joint departments"), blank=True, related_name="+"
    )
    joint_officers = models.PositiveSmallIntegerField(
        _("officers per joint department"), default=1
    )
    control_ppm = models.PositiveIntegerField(
        _("control sample (ppm)"), default=0, validators=[MaxValueValidator(PPM)]
    )
    ratio_scale_pct = models.PositiveSmallIntegerField(
        _("ratio scale (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Multiplies every ratio of the matrix in force (100 = as published)."),
    )
    seed_rule = models.CharField(
        _("how the seed is formed"),
        max_length=300,
        help_text=_("The public value announced after the commitment, e.g. a lottery draw."),
    )
    nonce_count = models.PositiveSmallIntegerField(
        _("nonces entered at the public session"), default=2
    )
    # The commitment (frozen pool and parameters) — set once.
    commitment = models.CharField(_("commitment (SHA-256)"), max_length=64, blank=True)
    pool_size = models.PositiveIntegerField(_("entities in scope"), default=0)
    eligible_size = models.PositiveIntegerField(_("eligible entities"), default=0)
    officer_count = models.PositiveIntegerField(_("officers in the pool"), default=0)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    # The seed — set once, after the commitment.
    announced = models.CharField(_("announced value"), max_length=300, blank=True)
    nonces = models.JSONField(_("nonces"), default=list, blank=True)
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    seeded_at = models.DateTimeField(_("seed fixed at"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    strata = models.JSONField(_("strata"), default=list, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("random-check task")
        verbose_name_plural = _("random-check tasks")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("commit_inspectiontask", "Can commit a task's pool and parameters"),
            ("draw_inspectiontask", "Can fix the seed, draw and record replacements"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Inspection(models.Model):
    """监督检查 — one visit to one entity, its checklist, findings and outcome."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="inspections"
    )
    source = models.CharField(_("source"), max_length=12, choices=InspectionSource.choices)
    source_note = models.CharField(_("source details"), max_length=300, blank=True)
    task = models.ForeignKey(
        InspectionTask,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    selection = models.OneToOneField(
        "inspections.TaskSelection",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection",
    )
    plan = models.ForeignKey(
        AnnualPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections"
    )
    officers = models.ManyToManyField(Officer, verbose_name=_("team"), related_name="inspections")
    state = models.CharField(
        _("state"), max_length=16, choices=InspectionState.choices, default=InspectionState.PLANNED
    )
    planned_on = models.DateField(_("planned date"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    site = models.CharField(_("place inspected"), max_length=255, blank=True)
    representative = models.CharField(_("entity representative"), max_length=60, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    reinspected_on = models.DateField(_("re-inspected on"), null=True, blank=True)
    reinspection_note = models.TextField(_("re-inspection findings"), blank=True)
    publication_state = models.CharField(
        _("results publication"),
        max_length=10,
        choices=PublicationState.choices,
        default=PublicationState.NOT_DUE,
    )
    results_published_on = models.DateField(_("results published on"), null=True, blank=True)
    officer_signature = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    representative_signature = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.ManyToManyField(
        Attachment, verbose_name=_("evidence"), blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(
        default=1, help_text=_("Raised on every save; a stale form is refused.")
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_on", "-id"]
        permissions = [
            ("publish_inspection", "Can publish inspection results"),
            ("refer_finding", "Can refer a finding to a penalty case"),
        ]
        indexes = [
            models.Index(fields=["entity", "-ended_on"], name="inspections_entity_ended"),
            models.Index(fields=["unit", "state"], name="inspections_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.planned_on:%Y-%m-%d}"


class InspectionCheck(models.Model):
    """One line of the checklist: an item and what the officers found."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(
        _("result"), max_length=10, choices=CheckResult.choices, default=CheckResult.PENDING
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist line")
        ordering = ["inspection", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspections_check_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id} {self.result}"


class Finding(models.Model):
    """隐患 — a hazard found, with the provision it violates."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(
        CheckItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(_("hazard"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    article = models.ForeignKey(
        Article,
        verbose_name=_("provision violated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    provision = models.CharField(_("provision (as cited)"), max_length=300, blank=True)
    evidence = models.ManyToManyField(Attachment, blank=True, related_name="+")
    rectified = models.BooleanField(_("rectified"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(article__isnull=True, provision=""),
                name="inspections_finding_has_provision",
                violation_error_message=_("Name the provision the hazard violates."),
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


class Referral(models.Model):
    """A finding sent on to open a penalty case (立案)."""

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="referral")
    note = models.TextField(_("note"), blank=True)
    case_reference = models.CharField(_("case"), max_length=60, blank=True)
    referred_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referred_at = models.DateTimeField(_("referred at"), default=timezone.now)

    class Meta:
        verbose_name = _("referral to a case")
        verbose_name_plural = _("referrals to cases")
        ordering = ["-referred_at"]

    def __str__(self) -> str:
        return f"{self.finding_id} → {self.case_reference or '…'}"


from fazhi.inspections.models_draw import (  # noqa: E402  (registered with the app)
    DrawReplacement,
    DrawSnapshot,
    TaskRun,
    TaskSelection,
)

__all__ = [
    "AnnualPlan",
    "CheckItem",
    "DrawReplacement",
    "DrawSnapshot",
    "Finding",
    "Inspection",
    "InspectionCheck",
    "InspectionRule",
    "InspectionTask",
    "PlanGroup",
    "Referral",
    "SamplingRatio",
    "TaskRun",
    "TaskSelection",
]
