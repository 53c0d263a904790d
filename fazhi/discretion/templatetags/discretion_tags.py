"""Template filters for fine ranges, measures and tier conditions."""

from __future__ import annotations

from typing import Any

from django import template

from fazhi.discretion.choices import ExtraMeasure
from fazhi.discretion.engine import money

register = template.Library()


@register.filter
def yuan(value: Any, measure: str = "amount") -> str:
    """¥50,000 (or 40% for income-percentage fines)."""
    return money(value, measure)


@register.filter
def fine_range(bounds: Any) -> str:
    """A stored fine range as text, with its inclusive flags: ¥10,000 ≤ x ≤ ¥20,000."""
    if bounds is None:
        return "—"
    if hasattr(bounds, "label") and callable(bounds.label):
        return str(bounds.label())
    low, high = bounds.min_amount, bounds.max_amount
    measure = bounds.measure
    if low is None:
        op = "≤" if bounds.max_inclusive else "<"
        return f"x {op} {money(high, measure)}"
    if high is not None and low == high:
        return money(low, measure)
    left = "≤" if bounds.min_inclusive else "<"
    right = "≤" if bounds.max_inclusive else "<"
    return f"{money(low, measure)} {left} x {right} {money(high, measure)}"


@register.filter
def measure_labels(codes: Any) -> str:
    """Human labels of extra measures (责令限期改正 …)."""
    return "；".join(str(ExtraMeasure(c).label) for c in codes or [] if c in ExtraMeasure.values)


@register.filter
def condition_bounds(tier: Any) -> str:
    """The structured condition of a tier, e.g. 10 < x ≤ 30."""
    if tier.condition_kind == "numeric":
        parts = []
        if tier.condition_lower is not None:
            op = "≤" if tier.condition_lower_inclusive else "<"
            parts.append(f"{tier.condition_lower.normalize():f} {op}")
        parts.append(tier.condition_fact_label or tier.condition_fact)
        if tier.condition_upper is not None:
            op = "≤" if tier.condition_upper_inclusive else "<"
            parts.append(f"{op} {tier.condition_upper.normalize():f}")
        return " ".join(parts)
    if tier.condition_kind == "circumstance":
        return tier.condition_circumstance
    return ""
