"""Template filters for catalog levels and duties."""

from __future__ import annotations

from typing import Any

from django import template

from fazhi.powers.choices import RESPONSIBILITY_CN, ExerciseLevel, ResponsibilityStage

register = template.Library()


@register.filter
def level_labels(codes: Any) -> str:
    return "、".join(str(ExerciseLevel(c).label) for c in codes or [] if c in ExerciseLevel.values)


@register.filter
def duty_stage(code: str) -> str:
    """The stage label of a duty, with the published Chinese term."""
    if code not in ResponsibilityStage.values:
        return code
    return f"{ResponsibilityStage(code).label}（{RESPONSIBILITY_CN[code]}）"
