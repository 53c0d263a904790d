"""Template filters for fine ranges, measures and tier conditions, in words."""

from __future__ import annotations

from typing import Any

from django import template

from fazhi.discretion.choices import ExtraMeasure
from fazhi.discretion.ranges import MEASURE_PREFIX, bounds_words, condition_words, money

register = template.Library()


@register.filter
def yuan(value: Any, measure: str = "amount") -> str:
    """1.5万元, 2000元 (or 40% / 2倍 for shares and multiples)."""
    return money(value, measure)


@register.filter
def fine_range(bounds: Any) -> str:
    """A fine range as a legal section writes it: 1万元以上2万元以下, 5万元以下."""
    if bounds is None:
        return "—"
    if hasattr(bounds, "label") and callable(bounds.label):
        return str(bounds.label())
    measure = bounds.measure
    if measure == "daily":
        return "按照原处罚数额按日连续处罚"
    low = money(bounds.min_amount, measure) if bounds.min_amount is not None else None
    high = money(bounds.max_amount, measure) if bounds.max_amount is not None else None
    words = bounds_words(low, bounds.min_inclusive, high, bounds.max_inclusive)
    text = MEASURE_PREFIX.get(measure, "") + words
    if getattr(bounds, "alternative_max", None) is not None:
        alternative = bounds_words(
            money(bounds.alternative_min) if bounds.alternative_min is not None else None,
            True,
            money(bounds.alternative_max),
            True,
        )
        threshold = money(bounds.gains_threshold) if bounds.gains_threshold else ""
        text += f"；没有违法所得或者违法所得不足{threshold}的，{alternative}"
    return text


@register.filter
def measure_labels(codes: Any) -> str:
    """Human labels of extra measures (责令限期改正 …)."""
    return "；".join(str(ExtraMeasure(c).label) for c in codes or [] if c in ExtraMeasure.values)


@register.filter
def condition_bounds(tier: Any) -> str:
    """The structured condition of a tier in words, e.g. 报告失实的内容3项以上5项以下."""
    if tier.condition_kind == "numeric":
        return condition_words(
            tier.condition_fact_label or tier.condition_fact,
            tier.condition_lower,
            tier.condition_lower_inclusive,
            tier.condition_upper,
            tier.condition_upper_inclusive,
        )
    if tier.condition_kind == "circumstance":
        return tier.condition_circumstance
    return ""
