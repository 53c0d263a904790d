"""文书号 / 案号: numbering patterns, their per-year counters and the numbers issued."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core.models.orgs import OrgUnit
from fazhi.core.number_patterns import number_format, pattern_problem


class NumberPattern(models.Model):
    """文书号 / 案号 pattern — how one agency writes the numbers of one kind.

    A row without an agency is the default for every agency. The pattern is a
    Python format string over ``agency_abbr``, ``year`` and ``seq`` (which may
    carry a width, ``{seq:04d}``), e.g. ``{agency_abbr}应急罚〔{year}〕{seq}号``.
    """

    kind = models.CharField(_("kind"), max_length=60)
    agency = models.ForeignKey(
        OrgUnit, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT
    )
    label = models.CharField(_("name"), max_length=100)
    pattern = models.CharField(_("pattern"), max_length=120)

    class Meta:
        verbose_name = _("numbering pattern")
        verbose_name_plural = _("numbering patterns")
        ordering = ["kind", "agency__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "agency"], name="numberpattern_unique_kind_agency"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(agency__isnull=True),
                name="numberpattern_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.pattern}"

    def example(self) -> str:
        """The first number of this year as the pattern writes it (济 for an unnamed agency)."""
        abbr = self.agency.doc_abbr if self.agency and self.agency.doc_abbr else "济"
        try:
            return number_format(
                self.pattern, agency_abbr=abbr, year=timezone.localdate().year, seq=1
            )
        except (KeyError, ValueError, IndexError):
            return self.pattern

    def clean(self) -> None:
        problem = pattern_problem(self.pattern)
        if problem:
            raise ValidationError({"pattern": problem})


class NumberSequence(models.Model):
    """The counter behind one agency's numbers of one kind in one year."""

    agency = models.ForeignKey(OrgUnit, on_delete=models.PROTECT)
    kind = models.CharField(max_length=60)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year"], name="numbersequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.kind}/{self.year}: {self.last_value}"


class IssuedNumber(models.Model):
    """A number handed out; the constraints make a duplicate impossible."""

    agency = models.ForeignKey(OrgUnit, verbose_name=_("agency"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=60)
    year = models.PositiveIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence number"))
    text = models.CharField(_("number"), max_length=160)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued number")
        verbose_name_plural = _("issued numbers")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "year", "seq"], name="issuednumber_unique_seq"
            ),
            models.UniqueConstraint(fields=["agency", "text"], name="issuednumber_unique_text"),
        ]

    def __str__(self) -> str:
        return self.text
