"""The working-day calendar, statutory time-limit rules and the clocks they run."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.core.choices import ClockState, ClockUnit, DayKind, Province
from fazhi.core.effective import Effective, EffectiveQuerySet
from fazhi.core.models.orgs import OrgUnit


class CalendarYear(models.Model):
    """A year whose holiday notice has been entered by an administrator."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, help_text=_("e.g. 国办发明电〔2026〕…"))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An administrator's override of one day: a holiday or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ClockRule(Effective):
    """期限规则 — a statutory time limit stored as data, with its source."""

    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    length = models.PositiveIntegerField(_("length"))
    unit = models.CharField(_("unit"), max_length=10, choices=ClockUnit.choices)
    start_day_counts = models.BooleanField(_("start day counts"), default=False)
    roll_forward = models.BooleanField(
        _("roll to next working day"),
        default=True,
        help_text=_("A calendar period that ends on a rest day ends on the next working day."),
    )
    pausable = models.BooleanField(
        _("pausable"),
        default=False,
        help_text=_("Time such as expert review is not counted (行政许可法 Art. 45)."),
    )
    source = models.CharField(_("source article"), max_length=255)
    province = models.CharField(
        _("province"),
        max_length=2,
        blank=True,
        choices=Province.choices,
        help_text=_(
            "Blank: the national rule. A province's version applies to units in that "
            "province (by their region code) instead of the national one."
        ),
    )
    verified = models.BooleanField(
        _("verified"), default=True, help_text=_("Unverified defaults are flagged in the UI.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("clock rule")
        verbose_name_plural = _("clock rules")
        ordering = ["code", "province", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "province", "effective_from"], name="clockrule_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.length} {self.get_unit_display()})"

    def clean(self) -> None:
        super().clean()
        if self.length == 0:
            raise ValidationError({"length": _("A time limit must be at least 1.")})


class ObjectClock(models.Model):
    """法定期限 — one statutory clock running on one object (a case, an inspection …).

    Started, paused, resumed and stopped by workflow transitions; ``due_on``
    and ``derivation`` always come from the clock engine and the rule version
    in force on ``started_on``. ``pauses`` keeps every pause with its reason
    ({"from", "to", "reason"}, both days included; "to" is null while paused).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule = models.ForeignKey(
        ClockRule, verbose_name=_("rule version"), on_delete=models.PROTECT, related_name="+"
    )
    rule_code = models.SlugField(_("rule"), max_length=60)
    key = models.CharField(_("key"), max_length=60, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    started_on = models.DateField(_("started on"))
    due_on = models.DateField(_("due on"), db_index=True)
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    derivation = models.JSONField(_("derivation"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("statutory clock")
        verbose_name_plural = _("statutory clocks")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "rule_code", "key"], name="objectclock_one"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="objectclock_target")]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.due_on}"
