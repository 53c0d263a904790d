"""The words an import check reads in the mapped columns: the registry's own
and, per agency, those mapped on an earlier file (``ImportValueMap``)."""

from __future__ import annotations

from typing import Any

from fazhi.core.models import OrgUnit
from fazhi.registry.imports import labels
from fazhi.registry.models import RegulatoryCategory
from fazhi.registry.value_maps import ImportValueMap, MappedColumn

TABLES: dict[str, labels.Table] = {
    MappedColumn.KIND: labels.KIND,
    MappedColumn.SCALE: labels.SCALE,
    MappedColumn.STANDARDIZATION: labels.STANDARDIZATION,
    MappedColumn.RISK: labels.RISK,
    MappedColumn.CREDIT: labels.CREDIT,
    MappedColumn.STATUS: labels.STATUS,
}
# The check's lookup attribute for each column (EntityRowCheck.prepare).
LOOKUPS: dict[str, str] = {
    MappedColumn.KIND: "kinds",
    MappedColumn.SCALE: "scales",
    MappedColumn.STANDARDIZATION: "levels",
    MappedColumn.RISK: "risks",
    MappedColumn.CREDIT: "credits",
    MappedColumn.STATUS: "statuses",
}


def choices(column: str) -> list[tuple[str, str]]:
    """The registry's values a word of ``column`` may be mapped to (code, label)."""
    if column == MappedColumn.CATEGORIES:
        return list(
            RegulatoryCategory.objects.filter(is_active=True)
            .order_by("sort_order", "code")
            .values_list("code", "name")
        )
    return [(str(code), names[0]) for code, names in TABLES[column].items()]


def agency_maps(agency: OrgUnit) -> dict[str, dict[str, str]]:
    """column -> upper-cased word -> code ('' when refused)."""
    found: dict[str, dict[str, str]] = {}
    for column, value, target in ImportValueMap.objects.filter(agency=agency).values_list(
        "column", "value", "target"
    ):
        found.setdefault(column, {})[value.upper()] = target
    return found


def merge(check: Any, agency: OrgUnit) -> None:
    """Let ``check`` read the agency's mapped words like the registry's own."""
    masks = {c.code: c.mask for c in RegulatoryCategory.objects.filter(is_active=True)}
    for column, words in agency_maps(agency).items():
        for word, target in words.items():
            if not target:
                continue
            if column == MappedColumn.CATEGORIES:
                if target in masks:
                    check.categories.setdefault(word, masks[target])
            elif column in LOOKUPS:
                getattr(check, LOOKUPS[column]).setdefault(word, target)
