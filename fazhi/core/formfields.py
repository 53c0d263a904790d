"""Form fields shared by every app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator

from fazhi.core.choices import UnitKind
from fazhi.core.models import OrgUnit


class _UnitIterator(ModelChoiceIterator):
    """Iterate units once, knowing them all, so labels need no more queries."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        units = list(self.queryset)
        if isinstance(self.field, UnitChoiceField):
            self.field.known_units = {unit.pk: unit for unit in units}
        for unit in units:
            yield self.choice(unit)


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picker that names the agency of each internal unit.

    Four counties each have a 法规股: the picker shows
    ``任城区应急管理局 / 法规股``, not four identical names.
    """

    iterator = _UnitIterator
    known_units: dict[int, OrgUnit]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_units = {}

    def _agency(self, unit: OrgUnit) -> OrgUnit:
        seen: OrgUnit | None = unit
        while seen is not None and seen.kind != UnitKind.AGENCY:
            parent_id = seen.parent_id
            seen = self.known_units.get(parent_id) if parent_id else None
            if seen is None and parent_id:
                return unit.agency()
        return seen or unit

    def label_from_instance(self, obj: OrgUnit) -> str:
        agency = self._agency(obj)
        return obj.name if agency.pk == obj.pk else f"{agency.name} / {obj.name}"


def unit_choices(units: Any) -> list[tuple[int, str]]:
    """(id, label) pairs for a hand-built unit select, labelled like
    ``UnitChoiceField`` (``任城区应急管理局 / 法规股``) in one query."""
    field = UnitChoiceField(queryset=OrgUnit.objects.none())
    units = list(units)
    field.known_units = {unit.pk: unit for unit in units}
    return [(unit.pk, field.label_from_instance(unit)) for unit in units]
