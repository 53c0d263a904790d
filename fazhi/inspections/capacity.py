"""年度监督检查计划 capacity check: supply of inspection person-days against demand.

《安全生产年度监督检查计划编制办法》 asks for a 工作日测算: statutory working
days × enforcement officers − days for other enforcement work − days for
non-enforcement work = person-days available for inspections. Demand is, over
each group of entities, inspections × days per inspection × officers per
team; key units (重点检查) are covered in full at their frequency, the
双随机 share at its sampling ratio. Published plans often get this wrong by
hand, so the result carries every step of the arithmetic as text.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

KEY = "key"
RANDOM = "random"


@dataclass(frozen=True)
class DemandGroup:
    """A group of entities the plan inspects (one line of the plan's table).

    ``kind`` is ``key`` (重点检查: every entity, ``frequency`` times a year)
    or ``random`` (双随机: ``ratio`` of the entities, ``frequency`` rounds).
    """

    name: str
    kind: str
    entities: int
    frequency: int
    days_per_inspection: Decimal
    officers_per_team: int
    ratio: Decimal = Decimal(1)
    industry: str = ""
    county: str = ""

    @property
    def inspections(self) -> int:
        per_round = self.entities if self.kind == KEY else math.ceil(self.entities * self.ratio)
        return per_round * self.frequency

    @property
    def person_days(self) -> Decimal:
        return self.inspections * self.days_per_inspection * self.officers_per_team


@dataclass(frozen=True)
class CapacityInput:
    working_days: int
    officers: int
    other_enforcement_days: Decimal
    non_enforcement_days: Decimal
    groups: Sequence[DemandGroup]
    yearly_cap: int | None = None  # inspections per unit per year (e.g. 2)


@dataclass
class CapacityResult:
    supply: Decimal
    demand: Decimal
    key_demand: Decimal
    random_demand: Decimal
    inspections: int
    by_industry: dict[str, int]
    by_county: dict[str, int]
    steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.supply - self.demand

    @property
    def exceeds(self) -> bool:
        return self.demand > self.supply

    @property
    def utilisation(self) -> Decimal:
        if self.supply <= 0:
            return Decimal(0)
        return (self.demand / self.supply * 100).quantize(Decimal("0.1"))


def _n(value: Decimal | int) -> str:
    """A number as the arithmetic shows it: no trailing zeros, no exponent."""
    text = format(Decimal(value).normalize(), "f")
    return text


def capacity_compute(data: CapacityInput) -> CapacityResult:
    """Compute supply, demand and the warnings, with every step written out."""
    gross = Decimal(data.working_days * data.officers)
    supply = gross - data.other_enforcement_days - data.non_enforcement_days
    steps = [
        _("Available: %(w)s working days × %(o)s officers = %(g)s person-days")
        % {"w": data.working_days, "o": data.officers, "g": _n(gross)},
        _("%(g)s − %(other)s (other enforcement) − %(non)s (non-enforcement) = %(s)s person-days")
        % {
            "g": _n(gross),
            "other": _n(data.other_enforcement_days),
            "non": _n(data.non_enforcement_days),
            "s": _n(supply),
        },
    ]
    warnings: list[str] = []
    key_demand = Decimal(0)
    random_demand = Decimal(0)
    by_industry: dict[str, int] = defaultdict(int)
    by_county: dict[str, int] = defaultdict(int)
    inspections = 0
    for group in data.groups:
        if group.kind == KEY:
            count = _("%(n)s entities") % {"n": group.entities}
        else:
            count = _("⌈%(n)s entities × %(r)s%%⌉") % {
                "n": group.entities,
                "r": _n(group.ratio * 100),
            }
        steps.append(
            _(
                "%(name)s: %(count)s × %(f)s per year = %(i)s inspections; "
                "× %(d)s days × %(t)s officers = %(pd)s person-days"
            )
            % {
                "name": group.name,
                "count": count,
                "f": group.frequency,
                "i": group.inspections,
                "d": _n(group.days_per_inspection),
                "t": group.officers_per_team,
                "pd": _n(group.person_days),
            }
        )
        if group.kind == KEY:
            key_demand += group.person_days
        else:
            random_demand += group.person_days
        inspections += group.inspections
        by_industry[group.industry or _("(not given)")] += group.inspections
        by_county[group.county or _("(not given)")] += group.inspections
        if data.yearly_cap is not None and group.frequency > data.yearly_cap:
            warnings.append(
                _("%(name)s: %(f)s inspections per unit per year exceed the cap of %(cap)s.")
                % {"name": group.name, "f": group.frequency, "cap": data.yearly_cap}
            )
    demand = key_demand + random_demand
    steps.append(
        _("Demand: %(k)s (key units) + %(r)s (random checks) = %(d)s person-days")
        % {"k": _n(key_demand), "r": _n(random_demand), "d": _n(demand)}
    )
    result = CapacityResult(
        supply=supply,
        demand=demand,
        key_demand=key_demand,
        random_demand=random_demand,
        inspections=inspections,
        by_industry=dict(by_industry),
        by_county=dict(by_county),
        steps=steps,
        warnings=warnings,
    )
    if supply <= 0:
        warnings.insert(0, _("No person-days are left for inspections."))
    if result.exceeds:
        warnings.insert(
            0,
            _(
                "Demand of %(d)s person-days exceeds the %(s)s available by %(x)s: "
                "reduce frequencies or ratios, or add officers."
            )
            % {"d": _n(demand), "s": _n(supply), "x": _n(demand - supply)},
        )
    return result
