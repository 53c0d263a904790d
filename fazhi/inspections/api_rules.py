"""API of the sampling-ratio matrix: the matrix in force, and a new version of it."""

import datetime
from typing import Any, cast

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Schema, Status

from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.api_types import Id
from fazhi.core.models import OrgUnit
from fazhi.inspections import ratios
from fazhi.inspections.api_common import _actor, _unit, router


class RatioCellOut(Schema):
    stratum: str
    ratio_ppm: int
    owner_id: int | None
    effective_from: datetime.date
    effective_to: datetime.date | None
    source: str
    verified: bool


class MatrixOut(Schema):
    unit_id: int
    on: datetime.date
    cells: list[RatioCellOut]


class MatrixIn(Schema):
    """A new version of a level's matrix; cells left out keep their ratio."""

    owner_id: Id | None = Field(None, description="The issuing agency; null for national.")
    effective_from: datetime.date
    ratios: dict[str, int] = Field(description='Stratum ("A/low", "-/-" …) → ratio in ppm.')
    source: str
    notes: str = ""
    verified: bool = True


def _cells(unit: OrgUnit, on: datetime.date) -> dict[str, Any]:
    cells = [
        {
            "stratum": cell.stratum,
            "ratio_ppm": cell.row.ratio_ppm,
            "owner_id": cell.row.owner_id,
            "effective_from": cell.row.effective_from,
            "effective_to": cell.row.effective_to,
            "source": cell.row.source,
            "verified": cell.row.verified,
        }
        for row in ratios.matrix_in_force(unit=unit, on=on)
        for cell in row
    ]
    return {"unit_id": unit.pk, "on": on, "cells": cells}


@router.get("/inspections/ratios", response=MatrixOut)
def ratio_matrix(
    request: HttpRequest, unit_id: Id | None = None, on: datetime.date | None = None
) -> Any:
    """The matrix in force for an agency (yours by default) on a day (today by default)."""
    policy.require(request.user, "inspections.view_samplingratio")
    unit = _unit(request, unit_id)
    policy.require_in_scope(request.user, unit)
    return _cells(unit, on or timezone.localdate())


@router.post("/inspections/ratios", response={201: MatrixOut})
def ratio_matrix_save(request: HttpRequest, data: MatrixIn) -> Any:
    """Write a new version of the matrix of a level (audited, effective from a date)."""
    owner = get_object_or_404(OrgUnit, pk=data.owner_id) if data.owner_id else None
    ratios.matrix_version_save(
        actor=cast(Actor, _actor(request)),
        owner=owner,
        effective_from=data.effective_from,
        ratios=data.ratios,
        source=data.source,
        notes=data.notes,
        verified=data.verified,
    )
    unit = owner or _unit(request, None)
    return Status(201, _cells(unit, data.effective_from))
