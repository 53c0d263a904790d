"""The sampling-ratio matrix (credit class × risk level) as editable rule data.

A new version of the matrix takes effect on a date: for each cell whose
ratio changes, a row of the issuing level (national, or an agency's own) is
written from that date, and the level's row in force before it ends the day
before. Every row goes through the kit's ``rule_row_save`` (permission,
ownership of the level, validation, one audit event per row), inside one
transaction: a refused cell leaves the whole version unwritten.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.errors import DomainError
from fazhi.core.models import OrgUnit
from fazhi.core.rule_rows import rule_row_save
from fazhi.inspections import draw
from fazhi.inspections.models import SamplingRatio
from fazhi.inspections.rules import ratio_rows

CELL_FIELDS = ["credit_class", "risk_level", "ratio_ppm", "effective_from", "effective_to",
               "source", "verified", "notes"]  # fmt: skip
CREDIT_ROWS = list(draw.CREDIT_CODES)
RISK_COLUMNS = list(draw.RISK_CODES)


def cell_codes(stratum: str) -> tuple[str, str]:
    """ "A/low" → ("A", "low"); "-" stands for unknown (stored blank)."""
    credit, _sep, risk = stratum.partition("/")
    return ("" if credit == "-" else credit, "" if risk == "-" else risk)


@dataclass(frozen=True)
class MatrixCell:
    stratum: str
    row: SamplingRatio

    @property
    def inherited(self) -> bool:
        return self.row.owner_id is None


def matrix_in_force(*, unit: OrgUnit, on: datetime.date) -> list[list[MatrixCell]]:
    """The matrix for ``unit`` on ``on``, as rows (credit) of cells (risk)."""
    rows = ratio_rows(unit=unit, on=on)
    return [[MatrixCell(f"{c}/{r}", rows[f"{c}/{r}"]) for r in RISK_COLUMNS] for c in CREDIT_ROWS]


def _level_row(
    owner: OrgUnit | None, credit: str, risk: str, on: datetime.date
) -> SamplingRatio | None:
    """The level's own row of a cell in force on ``on`` (not an inherited one)."""
    rows = SamplingRatio.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on),
        credit_class=credit,
        risk_level=risk,
        effective_from__lte=on,
    )
    rows = rows.filter(owner__isnull=True) if owner is None else rows.filter(owner=owner)
    return rows.order_by("-effective_from").first()


@policy.requires("inspections.change_samplingratio")
@transaction.atomic
def matrix_version_save(
    *,
    actor: Actor,
    owner: OrgUnit | None,
    effective_from: datetime.date,
    ratios: Mapping[str, int],
    source: str,
    notes: str = "",
    verified: bool = True,
) -> list[SamplingRatio]:
    """Write a new version of the matrix of a level from ``effective_from``.

    ``ratios`` maps strata ("A/low", "-/-" …) to ppm; cells left out, or
    equal to the level's row in force that day, are not written. Returns the
    rows written.
    """
    policy.require(actor, "inspections.change_samplingratio")
    policy.require_rule_owner(actor, level_unit=owner)
    unknown = [s for s in ratios if s not in draw.STRATUM_INDEX]
    if unknown:
        raise DomainError(
            _("Unknown cells: %(cells)s") % {"cells": ", ".join(unknown)}, field="ratios"
        )
    if not source.strip():
        raise DomainError(
            _("Name the source (document and article) of the ratios."), field="source"
        )
    written: list[SamplingRatio] = []
    for stratum in draw.STRATA:
        if stratum not in ratios:
            continue
        value = int(ratios[stratum])
        if not 0 <= value <= draw.PPM:
            raise DomainError(_("A ratio is between 0% and 100%."), field=stratum)
        credit, risk = cell_codes(stratum)
        current = _level_row(owner, credit, risk, effective_from)
        if current is not None and current.ratio_ppm == value and current.source == source:
            continue
        if current is not None and current.effective_from == effective_from:
            row = current  # a correction of the same version
        else:
            if current is not None:
                current.effective_to = effective_from - datetime.timedelta(days=1)
                rule_row_save(
                    actor=actor, instance=current, fields=CELL_FIELDS,
                    verb="inspections.samplingratio.end",
                    permission="inspections.change_samplingratio",
                )  # fmt: skip
            later = SamplingRatio.objects.filter(
                credit_class=credit, risk_level=risk, effective_from__gt=effective_from
            )
            later = (
                later.filter(owner__isnull=True) if owner is None else later.filter(owner=owner)
            )
            following = later.order_by("effective_from").first()
            row = SamplingRatio(
                owner=owner,
                credit_class=credit,
                risk_level=risk,
                effective_from=effective_from,
                effective_to=(
                    following.effective_from - datetime.timedelta(days=1) if following else None
                ),
            )
        row.ratio_ppm = value
        row.source = source.strip()
        row.notes = notes
        row.verified = verified
        rule_row_save(
            actor=actor, instance=row, fields=CELL_FIELDS,
            verb="inspections.samplingratio.save",
            permission="inspections.add_samplingratio",
        )  # fmt: skip
        written.append(row)
    return written


def matrix_versions(*, owner: OrgUnit | None, limit: int = 200) -> list[SamplingRatio]:
    """The level's rows, newest first (the history shown under the matrix)."""
    rows = SamplingRatio.objects.select_related("owner")
    rows = rows.filter(owner__isnull=True) if owner is None else rows.filter(owner=owner)
    return list(rows.order_by("-effective_from", "credit_class", "risk_level")[:limit])
