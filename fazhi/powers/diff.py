"""Compare catalog versions, and a county catalog with its general catalog.

Items are matched by code. A change lists each field that differs with its
value before and after, and the reason recorded in the newer version. The
sentence the annual reports use ("2024年版较2023年版调整5项：新增2项、取消1项、
变更2项") comes from a translatable template.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.powers.choices import (
    RESPONSIBILITY_CN,
    ChangeKind,
    ExerciseLevel,
    PowerType,
)

# (field, label) in the order a change lists them.
COMPARED_FIELDS: list[tuple[str, Any]] = [
    ("name", gettext_lazy("Item name")),
    ("power_type", gettext_lazy("Power type")),
    ("parent", gettext_lazy("Parent item")),
    ("lead_unit", gettext_lazy("Lead unit")),
    ("legal_subject", gettext_lazy("Statutory implementing body")),
    ("exercise_levels", gettext_lazy("Levels exercising the power")),
    ("first_responsible_level", gettext_lazy("First responsible level")),
    ("basis_text", gettext_lazy("Legal basis")),
    ("basis_articles", gettext_lazy("Basis articles")),
    ("responsibilities", gettext_lazy("Responsibilities")),
    ("accountability_basis", gettext_lazy("Accountability basis")),
    ("supervision_method", gettext_lazy("Supervision method")),
    ("shared_with_counties", gettext_lazy("Same power at city and county level")),
    ("remarks", gettext_lazy("Remarks")),
]


def responsibilities_text(responsibilities: Iterable[dict[str, str]]) -> str:
    """Write duties the way catalogs print them: 1.受理责任：…"""
    lines = []
    for index, duty in enumerate(responsibilities, start=1):
        stage = RESPONSIBILITY_CN.get(duty.get("stage", ""), "其他")
        lines.append(f"{index}.{stage}责任：{duty.get('text', '')}")
    return "\n".join(lines)


def item_values(item: Any) -> dict[str, str]:
    """Return the compared fields of a catalog or template item as display text.

    Works for ``PowerItem`` and ``TemplateItem``; ``basis_articles`` should be
    prefetched (with their laws) when many items are compared.
    """
    parent = item.parent
    if hasattr(item, "lead_unit_name"):
        lead = item.lead_unit_name
    else:
        lead = item.lead_unit.name if item.lead_unit_id else ""
    articles = sorted(str(article) for article in item.basis_articles.all())
    return {
        "name": item.name,
        "power_type": str(PowerType(item.power_type).label) if item.power_type else "",
        "parent": parent.code if parent is not None else "",
        "lead_unit": lead,
        "legal_subject": item.legal_subject,
        "exercise_levels": "、".join(
            str(ExerciseLevel(level).label)
            for level in item.exercise_levels
            if level in ExerciseLevel.values
        ),
        "first_responsible_level": str(ExerciseLevel(item.first_responsible_level).label)
        if item.first_responsible_level
        else "",
        "basis_text": item.basis_text.strip(),
        "basis_articles": "、".join(articles),
        "responsibilities": responsibilities_text(item.responsibilities),
        "accountability_basis": item.accountability_basis.strip(),
        "supervision_method": item.supervision_method.strip(),
        "shared_with_counties": _("Yes") if item.shared_with_counties else _("No"),
        "remarks": item.remarks.strip(),
    }


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class ItemChange:
    kind: str
    code: str
    name: str
    old: Any = None
    new: Any = None
    fields: list[FieldChange] = field(default_factory=list)
    reason: str = ""

    @property
    def kind_label(self) -> str:
        return str(ChangeKind(self.kind).label)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "old_id": self.old.pk if self.old is not None else None,
            "new_id": self.new.pk if self.new is not None else None,
            "reason": self.reason,
            "fields": [
                {"field": f.field, "label": f.label, "before": f.before, "after": f.after}
                for f in self.fields
            ],
        }


def _raw_values(item: Any) -> dict[str, Any]:
    """Cheap comparable values; only fields that differ here are formatted."""
    if hasattr(item, "lead_unit_name"):
        lead: Any = item.lead_unit_name
    else:
        lead = item.lead_unit.name if item.lead_unit_id else ""
    return {
        "name": item.name,
        "power_type": item.power_type,
        "parent": item.parent.code if item.parent_id else "",
        "lead_unit": lead,
        "legal_subject": item.legal_subject,
        "exercise_levels": list(item.exercise_levels),
        "first_responsible_level": item.first_responsible_level,
        "basis_text": item.basis_text.strip(),
        "basis_articles": sorted(article.pk for article in item.basis_articles.all()),
        "responsibilities": item.responsibilities,
        "accountability_basis": item.accountability_basis.strip(),
        "supervision_method": item.supervision_method.strip(),
        "shared_with_counties": item.shared_with_counties,
        "remarks": item.remarks.strip(),
    }


def compare_items(old: Any, new: Any, *, skip: Iterable[str] = ()) -> list[FieldChange]:
    """List the fields whose display value differs between two items."""
    skipped = set(skip)
    raw_before, raw_after = _raw_values(old), _raw_values(new)
    differing = {
        name
        for name, _label in COMPARED_FIELDS
        if name not in skipped and raw_before[name] != raw_after[name]
    }
    if not differing:
        return []
    before, after = item_values(old), item_values(new)
    return [
        FieldChange(name, str(label), before[name], after[name])
        for name, label in COMPARED_FIELDS
        if name in differing and before[name] != after[name]
    ]


@dataclass
class CatalogDiff:
    """What changed from ``old`` to ``new``."""

    old: Any
    new: Any
    added: list[ItemChange]
    removed: list[ItemChange]
    changed: list[ItemChange]

    @property
    def total(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    @property
    def changes(self) -> list[ItemChange]:
        return [*self.added, *self.removed, *self.changed]

    def sentence(self) -> str:
        """The summary sentence the reports quote."""
        return _(
            "The %(new_year)s edition adjusts %(total)s items against the %(old_year)s "
            "edition: %(added)s added, %(removed)s removed, %(changed)s changed."
        ) % {
            "new_year": self.new.year,
            "old_year": self.old.year,
            "total": self.total,
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
        }

    def lines(self) -> list[str]:
        """One line per change, for the report's list."""
        result = []
        for change in self.changes:
            values = {"code": change.code, "name": change.name, "reason": change.reason}
            if change.kind == ChangeKind.ADDED:
                line = _("Added: %(code)s %(name)s") % values
            elif change.kind == ChangeKind.REMOVED:
                line = _("Removed: %(code)s %(name)s") % values
            else:
                values["fields"] = "、".join(f.label for f in change.fields)
                line = _("Changed: %(code)s %(name)s (%(fields)s)") % values
            if change.reason:
                line += _(" — reason: %(reason)s") % values
            result.append(line)
        return result


def diff_items(
    old_items: Iterable[Any],
    new_items: Iterable[Any],
    *,
    removal_reasons: dict[str, str] | None = None,
    skip: Iterable[str] = (),
) -> tuple[list[ItemChange], list[ItemChange], list[ItemChange]]:
    """Match items by code; return (added, removed, changed)."""
    old_by_code = {item.code: item for item in old_items}
    new_by_code = {item.code: item for item in new_items}
    reasons = removal_reasons or {}
    added = [
        ItemChange(
            ChangeKind.ADDED, code, item.name, new=item, reason=getattr(item, "change_reason", "")
        )
        for code, item in sorted(new_by_code.items())
        if code not in old_by_code
    ]
    removed = [
        ItemChange(ChangeKind.REMOVED, code, item.name, old=item, reason=reasons.get(code, ""))
        for code, item in sorted(old_by_code.items())
        if code not in new_by_code
    ]
    changed = []
    for code, item in sorted(new_by_code.items()):
        before = old_by_code.get(code)
        if before is None:
            continue
        fields = compare_items(before, item, skip=skip)
        if fields:
            changed.append(
                ItemChange(
                    ChangeKind.CHANGED,
                    code,
                    item.name,
                    old=before,
                    new=item,
                    fields=fields,
                    reason=getattr(item, "change_reason", ""),
                )
            )
    return added, removed, changed


@dataclass
class LocalChanges:
    """How a county catalog departs from the general catalog it adopted."""

    catalog: Any
    template: Any
    added: list[ItemChange]
    removed: list[ItemChange]
    modified: list[ItemChange]

    @property
    def total(self) -> int:
        return len(self.added) + len(self.removed) + len(self.modified)

    @property
    def changes(self) -> list[ItemChange]:
        return [*self.added, *self.removed, *self.modified]
