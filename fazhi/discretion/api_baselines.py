"""API: baseline documents and which ones an agency applies (采用裁量基准).

No ``from __future__ import annotations`` here (ninja resolves the schemas).
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from fazhi.core import policy
from fazhi.core.api_types import Id
from fazhi.core.errors import DomainError
from fazhi.core.models import OrgUnit
from fazhi.discretion import selectors, services
from fazhi.discretion.models import Baseline, BaselineAdoption

router = Router(tags=["discretion"])


class BaselineOut(Schema):
    id: int
    citation: str
    title: str
    document_number: str
    issuing_authority: str
    level: str
    jurisdiction: str
    legal_basis: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    verified: bool
    is_example: bool


class AdoptionOut(Schema):
    id: int
    agency_id: int
    baseline: BaselineOut
    adopted_on: datetime.date
    notes: str


class AdoptionIn(Schema):
    baseline: Id
    adopted_on: datetime.date
    agency: Id | None = None
    notes: str = ""


def _baseline(row: Baseline) -> dict[str, Any]:
    return {
        "id": row.pk,
        "citation": row.citation,
        **{
            name: getattr(row, name)
            for name in BaselineOut.model_fields
            if name not in ("id", "citation")
        },
    }


def _adoption(row: BaselineAdoption) -> dict[str, Any]:
    return {
        "id": row.pk,
        "agency_id": row.agency_id,
        "baseline": _baseline(row.baseline),
        "adopted_on": row.adopted_on,
        "notes": row.notes,
    }


def _acting_agency(request: HttpRequest, agency_id: int | None) -> OrgUnit:
    user: Any = request.user
    if agency_id is not None:
        agency = OrgUnit.objects.filter(pk=agency_id).first()
        if agency is None:
            raise DomainError(_("There is no agency %(id)s.") % {"id": agency_id}, field="agency")
        return agency.agency()
    if user.unit is None:
        raise DomainError(_("Name the acting agency."), field="agency")
    return user.unit.agency()


@router.get("/discretion/baselines", response=list[BaselineOut])
def baselines(request: HttpRequest) -> Any:
    """Every baseline document; examples of other jurisdictions cannot be adopted."""
    policy.require(request.user, "discretion.view_baseline")
    return [_baseline(row) for row in selectors.baseline_list()]


@router.get("/discretion/adoptions", response=list[AdoptionOut])
def adoptions(request: HttpRequest, agency: Id | None = None) -> Any:
    """The documents an agency (the caller's own by default) applies."""
    policy.require(request.user, "discretion.view_baselineadoption")
    unit = _acting_agency(request, agency)
    return [_adoption(row) for row in selectors.adoptions_for(unit)]


@router.post("/discretion/adoptions", response={201: AdoptionOut})
def adopt(request: HttpRequest, payload: AdoptionIn) -> Any:
    """Adopt a baseline document for an agency (audited)."""
    baseline = get_object_or_404(Baseline, pk=payload.baseline)
    row = services.baseline_adopt(
        actor=request.user,
        agency=_acting_agency(request, payload.agency),
        baseline=baseline,
        adopted_on=payload.adopted_on,
        notes=payload.notes,
    )
    return Status(201, _adoption(row))


@router.delete("/discretion/adoptions/{adoption_id}", response={204: None})
def withdraw(request: HttpRequest, adoption_id: Id) -> Any:
    """Withdraw an adoption: the calculator stops applying the document (audited)."""
    row = get_object_or_404(BaselineAdoption, pk=adoption_id)
    services.baseline_adoption_end(actor=request.user, adoption=row)
    return Status(204, None)
