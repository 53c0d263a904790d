"""Rule data lookups: the most specific row in force wins (county > city > national)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from fazhi.core.errors import DomainError
from fazhi.core.models import OrgUnit
from fazhi.inspections import draw
from fazhi.inspections.models import InspectionRule, SamplingRatio


def _in_force(on: datetime.date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def _owners(unit: OrgUnit) -> Q:
    """Rows issued nationally, or by the unit or one of its ancestors."""
    return Q(owner__isnull=True) | Q(owner__in=unit.ancestors()) | Q(owner=unit)


def _depth(owner: OrgUnit | None) -> int:
    return -1 if owner is None else owner.depth


def rule_row(code: str, *, unit: OrgUnit, on: datetime.date) -> InspectionRule:
    rows = list(
        InspectionRule.objects.filter(_in_force(on), _owners(unit), code=code).select_related(
            "owner"
        )
    )
    if not rows:
        raise DomainError(
            _("No rule “%(code)s” is in force on %(day)s; ask an administrator.")
            % {"code": code, "day": on.isoformat()}
        )
    return max(rows, key=lambda r: (_depth(r.owner), r.effective_from))


def rule_value(code: str, *, unit: OrgUnit, on: datetime.date) -> int:
    return rule_row(code, unit=unit, on=on).value


def ratio_rows(*, unit: OrgUnit, on: datetime.date) -> dict[str, SamplingRatio]:
    """The sampling-ratio matrix in force for ``unit``: stratum → row."""
    best: dict[str, SamplingRatio] = {}
    rows = SamplingRatio.objects.filter(_in_force(on), _owners(unit)).select_related("owner")
    for row in rows:
        stratum = f"{row.credit_class or '-'}/{row.risk_level or '-'}"
        current = best.get(stratum)
        if current is None or (_depth(row.owner), row.effective_from) > (
            _depth(current.owner),
            current.effective_from,
        ):
            best[stratum] = row
    missing = [s for s in draw.STRATA if s not in best]
    if missing:
        raise DomainError(
            _("The sampling-ratio matrix in force on %(day)s lacks %(cells)s.")
            % {"day": on.isoformat(), "cells": ", ".join(missing)}
        )
    return best


def ratio_matrix(*, unit: OrgUnit, on: datetime.date, scale_pct: int = 100) -> dict[str, int]:
    """Stratum → ratio in ppm, scaled by ``scale_pct`` and capped at 100%."""
    return {
        stratum: min(draw.PPM, row.ratio_ppm * scale_pct // 100)
        for stratum, row in ratio_rows(unit=unit, on=on).items()
    }
