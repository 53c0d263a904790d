"""Plan capacity arithmetic against a worked example (numbers checked by hand)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from fazhi.inspections.capacity import KEY, RANDOM, CapacityInput, DemandGroup, capacity_compute

# A county bureau: 248 working days, 12 certified officers.
#   supply = 248 × 12 = 2976; 2976 − 700 (cases, accidents) − 500 (training,
#   meetings) = 1776 person-days.
# Demand:
#   危化 key units: 40 entities × 2 a year = 80 inspections × 1 day × 2 = 160
#   工贸 key units: 25 × 1 = 25 × 1.5 × 3 = 112.5
#   双随机 (all others): ⌈1,230 × 5%⌉ = ⌈61.5⌉ = 62 × 1 × 0.5 × 2 = 62
#   total = 160 + 112.5 + 62 = 334.5 person-days, 167 inspections.
GROUPS = [
    DemandGroup("危险化学品重点单位", KEY, 40, 2, Decimal(1), 2, industry="危化", county="任城区"),
    DemandGroup("工贸重点单位", KEY, 25, 1, Decimal("1.5"), 3, industry="工贸", county="微山县"),
    DemandGroup(
        "双随机抽查",
        RANDOM,
        1230,
        1,
        Decimal("0.5"),
        2,
        ratio=Decimal("0.05"),
        industry="工贸",
        county="任城区",
    ),
]


def test_worked_example_supply_demand_and_breakdowns() -> None:
    result = capacity_compute(
        CapacityInput(
            working_days=248,
            officers=12,
            other_enforcement_days=Decimal(700),
            non_enforcement_days=Decimal(500),
            groups=GROUPS,
            yearly_cap=2,
        )
    )
    assert result.supply == Decimal(1776)
    assert result.key_demand == Decimal("272.5")
    assert result.random_demand == Decimal(62)
    assert result.demand == Decimal("334.5")
    assert result.inspections == 167
    assert result.by_industry == {"危化": 80, "工贸": 87}
    assert result.by_county == {"任城区": 142, "微山县": 25}
    assert not result.exceeds
    assert result.warnings == []
    assert result.utilisation == Decimal("18.8")


def test_demand_over_capacity_warns_with_the_arithmetic_shown() -> None:
    with translation.override("zh-hans"):
        result = capacity_compute(
            CapacityInput(
                working_days=248,
                officers=2,
                other_enforcement_days=Decimal(100),
                non_enforcement_days=Decimal(96),
                groups=GROUPS,
                yearly_cap=1,
            )
        )
    assert result.supply == Decimal(300)
    assert result.exceeds
    assert result.balance == Decimal("-34.5")
    assert "334.5" in result.warnings[0]
    assert "300" in result.warnings[0]
    assert "34.5" in result.warnings[0]
    # The cap of one inspection per unit per year is broken by the 危化 group.
    assert any("危险化学品重点单位" in w for w in result.warnings[1:])
    assert "248" in result.steps[0]
    assert "1230" in result.steps[4]
    assert "62" in result.steps[4]


def test_no_supply_left_is_a_warning() -> None:
    result = capacity_compute(
        CapacityInput(
            working_days=10,
            officers=1,
            other_enforcement_days=Decimal(5),
            non_enforcement_days=Decimal(5),
            groups=[],
        )
    )
    assert result.supply == 0
    assert result.warnings
