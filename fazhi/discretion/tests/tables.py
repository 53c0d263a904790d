"""The published tables the tests check the validator against (test data only).

安全生产法 Art. 99's statutory ranges and the 山西 table for Art. 99(1)
exactly as published (DOMAIN §6.4(b)); the validator refuses the table as
published (person fines of ¥5,000 under the statutory minimum of ¥10,000).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fazhi.discretion.choices import ConditionKind, ExtraMeasure, FineMeasure, FineTarget, Stage
from fazhi.discretion.engine import BoundsData, TierData
from fazhi.laws.numerals import int_to_cn

AQ = "《中华人民共和国安全生产法》"
CF = "《中华人民共和国行政处罚法》"
UNIT, PERSON = FineTarget.UNIT, FineTarget.RESPONSIBLE_PERSON
INITIAL, UNCORRECTED = Stage.INITIAL, Stage.UNCORRECTED
CORRECT = ExtraMeasure.ORDER_CORRECTION


def cite(article: int, paragraph: int | None = None, item: int | None = None) -> str:
    """《中华人民共和国安全生产法》第X条[第Y款][第（Z）项]."""
    text = f"{AQ}第{int_to_cn(article)}条"
    if paragraph:
        text += f"第{int_to_cn(paragraph)}款"
    if item:
        text += f"第（{int_to_cn(item)}）项"
    return text


def rng(
    target: str,
    stage: str,
    low: int | None,
    high: int,
    measures: list[str] | None = None,
    measure: str = FineMeasure.AMOUNT,
) -> BoundsData:
    return BoundsData(
        target=target,
        stage=stage,
        min_amount=Decimal(low) if low is not None else None,
        max_amount=Decimal(high),
        measure=measure,
        extra_measures=list(measures or []),
    )


def counted_tiers(
    fact: str,
    label: str,
    rows: list[dict[str, Any]],
    *,
    source: str = "",
) -> list[TierData]:
    """Tiers keyed on one counted fact; each row gives bounds, fines, verified."""
    tiers = []
    for order, row in enumerate(rows, start=1):
        tiers.append(
            TierData(
                order=order,
                name=row["name"],
                condition_kind=ConditionKind.NUMERIC,
                condition_fact=fact,
                condition_fact_label=label,
                condition_lower=Decimal(row["lower"]) if row.get("lower") is not None else None,
                condition_lower_inclusive=row.get("lower_inclusive", True),
                condition_upper=Decimal(row["upper"]) if row.get("upper") is not None else None,
                condition_upper_inclusive=row.get("upper_inclusive", True),
                condition_text=row["text"],
                verified=row.get("verified", True),
                source=row.get("source", source),
                notes=row.get("notes", ""),
                fines=row["fines"],
            )
        )
    return tiers


R99 = [
    rng(UNIT, INITIAL, None, 50_000, [CORRECT]),
    rng(UNIT, UNCORRECTED, 50_000, 200_000),
    rng(PERSON, UNCORRECTED, 10_000, 20_000),
]
R_AGREEMENT = [  # Art. 103 ¶2, 104, 105: unit ≤ 5万, persons ≤ 1万
    rng(UNIT, INITIAL, None, 50_000, [CORRECT]),
    rng(PERSON, INITIAL, None, 10_000),
]


SRC_SHANXI = "晋应急发〔2021〕260号（山西省应急管理行政处罚裁量基准）[S3]"
SRC_SICHUAN = "川应急规〔2023〕1号（四川省安全生产行政处罚裁量基准）[S3]"


# 晋应急发〔2021〕260号, Art. 99(1), as published (DOMAIN §6.4(b)):
# (places missing a sign, fine, fine if not corrected, persons).
SHANXI_99_1_PUBLISHED: list[tuple[str, tuple[int, int], tuple[int, int], tuple[int, int]]] = [
    ("1", (10_000, 10_000), (50_000, 50_000), (5_000, 5_000)),
    ("2", (10_000, 20_000), (50_000, 80_000), (5_000, 10_000)),
    ("3", (20_000, 30_000), (80_000, 130_000), (10_000, 20_000)),
    ("4", (20_000, 30_000), (130_000, 170_000), (10_000, 15_000)),
    ("≥5", (30_000, 50_000), (170_000, 200_000), (15_000, 20_000)),
]


def shanxi_99_1_tiers(persons: list[tuple[int, int]] | None = None) -> list[TierData]:
    """The 山西 tiers for Art. 99(1); ``persons`` replaces the person fines."""
    rows = []
    for index, (count, fine, uncorrected, person) in enumerate(SHANXI_99_1_PUBLISHED):
        low, high = persons[index] if persons else person
        bounds = {"lower": 5} if count == "≥5" else {"lower": int(count), "upper": int(count)}
        rows.append(
            {
                "name": f"{count}处",
                **bounds,
                "text": f"{count}处场所、设施、设备未设置明显的安全警示标志",
                "fines": [
                    rng(UNIT, INITIAL, fine[0], fine[1], [CORRECT]),
                    rng(UNIT, UNCORRECTED, uncorrected[0], uncorrected[1]),
                    rng(PERSON, UNCORRECTED, low, high),
                ],
            }
        )
    return counted_tiers(
        "places_missing_sign",
        "未设置明显安全警示标志的场所、设施、设备（处）",
        rows,
        source=SRC_SHANXI,
    )
