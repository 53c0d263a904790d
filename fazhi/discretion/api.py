"""API: discretion baselines (/discretion/…) and the calculator.

No ``from __future__ import annotations`` here: ninja resolves the string
annotations of a ``@paginate``-wrapped view in the wrong module.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fazhi.core import policy
from fazhi.core.api_types import Id
from fazhi.core.errors import DomainError
from fazhi.core.models import OrgUnit
from fazhi.discretion import selectors, services
from fazhi.discretion.engine import Calculation, Facts, Range
from fazhi.discretion.models import DiscretionEntry

router = Router(tags=["discretion"])


Target = Literal["unit", "principal", "responsible_person", "other_manager"]
StageCode = Literal["initial", "uncorrected", "refused", "accident", "serious", "extreme"]
Harm = Literal["none", "minor", "general", "serious"]


class BoundsOut(Schema):
    target: str
    stage: str
    measure: str
    min_amount: Decimal | None
    min_inclusive: bool
    max_amount: Decimal | None
    max_inclusive: bool
    extra_measures: list[str]
    gains_threshold: Decimal | None
    alternative_min: Decimal | None
    alternative_max: Decimal | None
    base_stage: str
    provision: str


class TierOut(Schema):
    order: int
    name: str
    condition_kind: str
    condition_text: str
    condition_fact: str
    condition_fact_label: str
    condition_lower: Decimal | None
    condition_lower_inclusive: bool
    condition_upper: Decimal | None
    condition_upper_inclusive: bool
    condition_circumstance: str
    mitigated: bool
    mitigation_ground: str
    verified: bool
    source: str
    notes: str
    fines: list[BoundsOut]

    @staticmethod
    def resolve_fines(obj: Any) -> list[Any]:
        return list(obj.fines.all())


class VersionOut(Schema):
    id: int
    effective_from: datetime.date
    effective_to: datetime.date | None
    issuing_document: str


class EntryOut(Schema):
    id: int
    code: str
    violation: str
    legal_provision_text: str
    legal_provision_id: int | None
    penalty_basis_text: str
    penalty_basis_id: int | None
    no_discretion: bool
    issuing_document: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    verified: bool
    document: str = Field(description="The baseline document the entry belongs to")
    is_example: bool = Field(description="The document is another jurisdiction's example")
    tier_required: bool

    @staticmethod
    def resolve_document(obj: DiscretionEntry) -> str:
        return obj.baseline.citation if obj.baseline else ""

    @staticmethod
    def resolve_is_example(obj: DiscretionEntry) -> bool:
        return bool(obj.baseline and obj.baseline.is_example)


class EntryDetailOut(EntryOut):
    penalty_clause: str
    notes: str
    ranges: list[BoundsOut]
    tiers: list[TierOut]
    versions: list[VersionOut]

    @staticmethod
    def resolve_ranges(obj: DiscretionEntry) -> list[Any]:
        return list(obj.ranges.all())

    @staticmethod
    def resolve_tiers(obj: DiscretionEntry) -> list[Any]:
        return list(obj.tiers.all())

    @staticmethod
    def resolve_versions(obj: DiscretionEntry) -> list[Any]:
        return list(selectors.entry_versions(obj))


class EntryFilter(Schema):
    q: str = ""
    article: Id | None = None
    law: Id | None = None
    on: datetime.date | None = None
    unverified: bool | None = None


@router.get("/discretion/entries", response=list[EntryOut])
@paginate
def entries(request: HttpRequest, filters: Query[EntryFilter]) -> Any:
    """Discretion entries; ``on`` keeps the versions in force that day."""
    policy.require(request.user, "discretion.view_discretionentry")
    return selectors.discretion_entry_list(actor=request.user, **filters.dict())


@router.get("/discretion/entries/{entry_id}", response=EntryDetailOut)
def entry(request: HttpRequest, entry_id: Id) -> Any:
    policy.require(request.user, "discretion.view_discretionentry")
    return selectors.discretion_entry_get(actor=request.user, pk=entry_id)


class FactsIn(Schema):
    target: Target = "unit"
    stage: StageCode = "initial"
    tier: int | None = Field(None, ge=1)
    values: dict[str, Decimal] = Field(default_factory=dict)
    circumstances: list[str] = Field(default_factory=list)
    first_violation: bool = False
    minor_violation: bool = False
    harm: Harm = "general"
    corrected_in_time: bool = False
    emergency: bool = False
    age: int | None = Field(None, ge=0, le=130)
    mental_illness: bool = False
    limited_capacity: bool = False
    no_fault: bool = False
    violation_ended_on: datetime.date | None = None
    discovered_on: datetime.date | None = None
    life_or_finance_harm: bool = False
    mitigate: bool = False
    annual_income: Decimal | None = Field(None, ge=0)
    gains: Decimal | None = Field(None, ge=0, description="违法所得 (0 if none)")
    base_fine: Decimal | None = Field(
        None, ge=0, description="The original fine (multiples, 按日连续处罚)"
    )
    ordered_on: datetime.date | None = Field(None, description="The day correction was ordered")
    act_on: datetime.date | None = Field(
        None, description="The day of the act (行政处罚法第三十七条 从旧兼从轻)"
    )
    apply_grounds: list[str] = Field(
        default_factory=list,
        description="The 可以 grounds to apply (limited_capacity, may-mitigate circumstances)",
    )


class CalculateIn(Schema):
    entry: str | int = Field(
        ..., description="The entry's id, or its code (version in force on `on`)"
    )
    on: datetime.date | None = None
    agency: int | None = Field(
        None, description="The acting agency's id; the caller's own agency if omitted"
    )
    facts: FactsIn | None = None


class RangeOut(Schema):
    lower: Decimal
    lower_inclusive: bool
    upper: Decimal
    upper_inclusive: bool
    measure: str
    label: str


class TraceOut(Schema):
    rule: str
    article: str
    detail: str
    verified: bool
    document: str


class OfferedOut(Schema):
    code: str
    name: str
    article: str
    applied: bool
    verified: bool


class CalculateOut(Schema):
    entry_id: int
    entry_code: str
    decision_class: str
    decision_label: str
    range: RangeOut | None
    amount_range: RangeOut | None
    statutory_range: RangeOut | None
    base_range: RangeOut | None
    tier: int | None
    tier_name: str
    discretion_applies: bool
    measures: list[str]
    other_measures: list[str]
    offered: list[OfferedOut]
    unverified: bool
    document: str
    trace: list[TraceOut]


def _range(value: Range | None) -> dict[str, Any] | None:
    return value.as_dict() if value is not None else None


def calculation_dict(result: Calculation) -> dict[str, Any]:
    return {
        "entry_id": result.entry_id,
        "entry_code": result.entry_code,
        "decision_class": result.decision_class,
        "decision_label": result.decision_label,
        "range": _range(result.range),
        "amount_range": _range(result.amount_range),
        "statutory_range": _range(result.statutory_range),
        "base_range": _range(result.base_range),
        "tier": result.tier,
        "tier_name": result.tier_name,
        "discretion_applies": result.discretion_applies,
        "measures": result.measures,
        "other_measures": result.measure_labels,
        "offered": [
            {
                "code": g.code,
                "name": str(g.name),
                "article": g.article,
                "applied": g.applied,
                "verified": g.verified,
            }
            for g in result.offered
        ],
        "unverified": result.unverified,
        "document": result.document,
        "trace": [
            {
                "rule": s.rule,
                "article": s.article,
                "detail": s.detail,
                "verified": s.verified,
                "document": s.document,
            }
            for s in result.trace
        ],
    }


@router.post("/discretion/calculate", response=CalculateOut)
def calculate(request: HttpRequest, payload: CalculateIn) -> Any:
    """Decision class, recommended range and the trace of every rule applied."""
    policy.require(request.user, "discretion.view_discretionentry")
    user: Any = request.user
    day = payload.on or timezone.localdate()
    if payload.agency is not None:
        agency = OrgUnit.objects.filter(pk=payload.agency).first()
        if agency is None:
            raise DomainError(_("There is no agency %(id)s.") % {"id": payload.agency})
    elif user.unit is not None:
        agency = user.unit.agency()
    else:
        raise DomainError(_("Name the acting agency."), field="agency")
    by_id = None
    if isinstance(payload.entry, int) or str(payload.entry).isdigit():
        by_id = selectors.discretion_entry_list(actor=user).filter(pk=int(payload.entry)).first()
    data = payload.facts or FactsIn.model_validate({})
    facts = Facts(
        target=data.target,
        stage=data.stage,
        tier=data.tier,
        values=dict(data.values),
        circumstances=frozenset(data.circumstances),
        first_violation=data.first_violation,
        minor_violation=data.minor_violation,
        harm=data.harm,
        corrected_in_time=data.corrected_in_time,
        emergency=data.emergency,
        age=data.age,
        mental_illness=data.mental_illness,
        limited_capacity=data.limited_capacity,
        no_fault=data.no_fault,
        violation_ended_on=data.violation_ended_on,
        discovered_on=data.discovered_on,
        life_or_finance_harm=data.life_or_finance_harm,
        mitigate=data.mitigate,
        annual_income=data.annual_income,
        gains=data.gains,
        base_fine=data.base_fine,
        ordered_on=data.ordered_on,
        act_on=data.act_on,
        apply_grounds=frozenset(data.apply_grounds),
    )
    result = services.discretion_calculate(
        actor=user,
        agency=agency,
        entry=by_id,
        entry_code="" if by_id else str(payload.entry),
        facts=facts,
        on=day,
    )
    return calculation_dict(result)


from fazhi.discretion.api_baselines import router as _baselines  # noqa: E402

router.add_router("", _baselines)
