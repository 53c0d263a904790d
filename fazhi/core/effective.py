"""Effective-dated rule data: one base model and its ``in_force(on)`` queryset.

Legal numbers (time limits, thresholds, fine ranges) are rows valid from one
date and optionally until another (both days included). Each rule model
inherits ``Effective``. Saving and loading rule rows (audited, ownership
checked) lives in ``fazhi.core.rule_rows``, which may import the models; this
module is imported by ``fazhi.core.models`` and imports nothing of ours.
"""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)


def in_force_q(on: datetime.date, prefix: str = "") -> Q:
    """Return the condition "in force on ``on``" (``prefix`` for a related model)."""
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": on})
    )


class EffectiveQuerySet(models.QuerySet[M]):
    def in_force(self, on: datetime.date) -> EffectiveQuerySet[M]:
        """Keep the rows in force on ``on``."""
        return self.filter(in_force_q(on))


class Effective(models.Model):
    """Rule data valid from one date, optionally until another (inclusive)."""

    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    # A subclass opts in to ``.in_force(on)`` with
    # ``objects = EffectiveQuerySet.as_manager()``.

    class Meta:
        abstract = True

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def clean(self) -> None:
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("The end date is before the start date.")})
