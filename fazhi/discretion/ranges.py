"""Fine ranges and how a legal section writes them.

以上、以下 include the number (以上/以下 含本数, 行政处罚法 and 立法法 usage);
a bound that excludes it is written 超过 (above) or 不满 (below). Amounts are
written as 1.5万元 / 2000元 (``fazhi.core.formats.wan_yuan``), shares of
income as 40%, multiples as 2倍: "1.5万元以下", "15.5万元以上20万元以下",
"上一年年收入20%以上50%以下", "违法所得2倍以上5倍以下".
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fazhi.core.formats import wan_yuan
from fazhi.discretion.choices import FineMeasure

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 30, 12.5."""
    return f"{value.normalize():f}"


def money(value: Decimal | None, measure: str = FineMeasure.AMOUNT) -> str:
    """One amount as a legal section writes it: 1.5万元, 2000元, 40%, 2倍."""
    if value is None:
        return "—"
    if measure == FineMeasure.INCOME_PERCENT:
        return f"{number(value)}%"
    if measure in (FineMeasure.GAINS_MULTIPLE, FineMeasure.FINE_MULTIPLE):
        return f"{number(value)}倍"
    return wan_yuan(value)


MEASURE_PREFIX: dict[str, str] = {
    FineMeasure.INCOME_PERCENT: "上一年年收入",
    FineMeasure.GAINS_MULTIPLE: "违法所得",
    FineMeasure.FINE_MULTIPLE: "原罚款数额",
}


def bounds_words(
    lower: str | None,
    lower_inclusive: bool,
    upper: str | None,
    upper_inclusive: bool,
) -> str:
    """Join written bounds: 1万元以上3万元以下, 超过1万元, 不满3万元, 3处."""
    if lower is not None and lower == upper:
        return lower
    parts = []
    if lower is not None:
        parts.append(f"{lower}以上" if lower_inclusive else f"超过{lower}")
    if upper is not None:
        parts.append(f"{upper}以下" if upper_inclusive else f"不满{upper}")
    return "".join(parts)


@dataclass(frozen=True)
class Range:
    """A fine range with inclusive flags on both ends."""

    lower: Decimal
    lower_inclusive: bool
    upper: Decimal
    upper_inclusive: bool
    measure: str = FineMeasure.AMOUNT
    has_minimum: bool = True

    def within(self, other: Range) -> bool:
        """Return whether every value of this range lies in ``other``."""
        low_ok = self.lower > other.lower or (
            self.lower == other.lower and (other.lower_inclusive or not self.lower_inclusive)
        )
        high_ok = self.upper < other.upper or (
            self.upper == other.upper and (other.upper_inclusive or not self.upper_inclusive)
        )
        return low_ok and high_ok

    def label(self) -> str:
        """1.5万元以下, 15.5万元以上20万元以下, 上一年年收入40%, 违法所得2倍以上5倍以下."""
        no_minimum = not self.has_minimum and self.lower == 0
        words = bounds_words(
            None if no_minimum else money(self.lower, self.measure),
            self.lower_inclusive,
            money(self.upper, self.measure),
            self.upper_inclusive,
        )
        return MEASURE_PREFIX.get(self.measure, "") + words

    def scaled(self, factor: Decimal) -> Range:
        """Convert a share or multiple to amounts (``factor`` = the base / 100, or the base)."""
        return Range(
            (self.lower * factor).quantize(CENT, ROUND_HALF_UP),
            self.lower_inclusive,
            (self.upper * factor).quantize(CENT, ROUND_HALF_UP),
            self.upper_inclusive,
            FineMeasure.AMOUNT,
            self.has_minimum,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "lower": self.lower,
            "lower_inclusive": self.lower_inclusive,
            "upper": self.upper,
            "upper_inclusive": self.upper_inclusive,
            "measure": self.measure,
            "label": self.label(),
        }


@dataclass
class BoundsData:
    """A fine range for one target and stage (statutory or a tier's).

    ``measure`` says what the numbers count (元, a share of last year's
    income, a multiple of the illegal gains or of another fine). A multiple
    of the gains may come with the statute's alternative for no or small
    gains: "违法所得十万元以上的，并处违法所得二倍以上五倍以下的罚款；没有违法所得
    或者违法所得不足十万元的，单处或者并处十万元以上二十万元以下的罚款" is
    ``gains_threshold`` 100000 and ``alternative_min``/``alternative_max``.
    ``base_stage`` names the stage whose fine a FINE_MULTIPLE multiplies.
    ``provision`` cites the paragraph the range comes from when it is not the
    entry's penalty provision (安全生产法 Art. 114 ¶2's multiple of ¶1's fine).
    """

    target: str
    stage: str
    min_amount: Decimal | None
    max_amount: Decimal | None
    min_inclusive: bool = True
    max_inclusive: bool = True
    measure: str = FineMeasure.AMOUNT
    extra_measures: list[str] = field(default_factory=list)
    gains_threshold: Decimal | None = None
    alternative_min: Decimal | None = None
    alternative_max: Decimal | None = None
    base_stage: str = ""
    provision: str = ""
    ref: Any = None

    def as_range(self) -> Range:
        return Range(
            lower=self.min_amount if self.min_amount is not None else Decimal(0),
            lower_inclusive=self.min_inclusive if self.min_amount is not None else True,
            upper=self.max_amount if self.max_amount is not None else Decimal(0),
            upper_inclusive=self.max_inclusive,
            measure=self.measure,
            has_minimum=self.min_amount is not None,
        )

    def alternative_range(self) -> Range | None:
        """The amount range for no or small gains, if the statute gives one."""
        if self.alternative_max is None:
            return None
        return Range(
            lower=self.alternative_min or Decimal(0),
            lower_inclusive=True,
            upper=self.alternative_max,
            upper_inclusive=True,
            has_minimum=self.alternative_min is not None,
        )


BOUNDS_FIELDS = tuple(f.name for f in fields(BoundsData) if f.name != "ref")
"""The stored fields of a range or a tier's fine (``FineBounds``), in one list."""


def within_bounds(
    value: Decimal,
    lower: Decimal | None,
    lower_inclusive: bool,
    upper: Decimal | None,
    upper_inclusive: bool,
) -> bool:
    if lower is not None and (value < lower or (value == lower and not lower_inclusive)):
        return False
    return not (upper is not None and (value > upper or (value == upper and not upper_inclusive)))


def condition_words(
    label: str,
    lower: Decimal | None,
    lower_inclusive: bool,
    upper: Decimal | None,
    upper_inclusive: bool,
) -> str:
    """A counted tier condition in words: 未设置警示标志的场所1处, …3处以上5处以下.

    ``label`` ends with its unit in brackets, e.g. "报告失实的内容（项）".
    """
    unit = ""
    name = label
    if label.endswith("）") and "（" in label:
        name, _sep, unit = label[:-1].rpartition("（")
    words = bounds_words(
        f"{number(lower)}{unit}" if lower is not None else None,
        lower_inclusive,
        f"{number(upper)}{unit}" if upper is not None else None,
        upper_inclusive,
    )
    return f"{name}{words}"
