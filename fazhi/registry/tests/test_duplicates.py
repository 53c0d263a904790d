"""The duplicates page reads the kept keys, which follow every change (issue 15)."""

from __future__ import annotations

import pytest

from fazhi.registry import selectors, services
from fazhi.registry.dedupe import duplicates_rebuild
from fazhi.registry.duplicates import DuplicateKey
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def _keys() -> set[str]:
    return set(DuplicateKey.objects.values_list("dedupe_key", flat=True))


def test_confirmed_twins_form_a_group_until_merged(personas):
    first = f.entity(personas.county_a)
    assert _keys() == set()
    twin = f.entity(
        personas.county_a, name=first.name, address=first.address, allow_duplicate=True
    )
    assert _keys() == {first.dedupe_key}
    assert selectors.entity_duplicate_groups(actor=personas.admin) == [[first, twin]]
    services.entity_merge(actor=personas.city_reviewer, survivor=first, duplicates=[twin])
    assert _keys() == set()
    assert selectors.entity_duplicate_groups(actor=personas.admin) == []


def test_renaming_one_twin_dissolves_the_group_and_renaming_back_restores_it(personas):
    first = f.entity(personas.county_a)
    twin = f.entity(
        personas.county_a, name=first.name, address=first.address, allow_duplicate=True
    )
    services.entity_update(actor=personas.admin, entity=twin, name="另一家公司")
    assert _keys() == set()
    twin.refresh_from_db()
    services.entity_update(
        actor=personas.admin, entity=twin, name=first.name, allow_duplicate=True
    )
    assert _keys() == {first.dedupe_key}
    assert duplicates_rebuild() == 1


def test_groups_are_scoped_and_a_stale_key_shows_nothing(personas):
    a = f.entity(personas.county_a)
    f.entity(personas.county_a, name=a.name, address=a.address, allow_duplicate=True)
    b = f.entity(personas.county_b, region_code="370826")
    DuplicateKey.objects.create(dedupe_key=b.dedupe_key)  # stale: b has no twin
    assert len(selectors.entity_duplicate_groups(actor=personas.admin)) == 1
    assert selectors.entity_duplicate_groups(actor=personas.county_b_officer) == []


def test_the_limit_counts_groups(personas):
    for n in range(3):
        e = f.entity(personas.county_a, name=f"重复公司{n}")
        f.entity(personas.county_a, name=e.name, address=e.address, allow_duplicate=True)
    assert len(selectors.entity_duplicate_groups(actor=personas.admin, limit=2)) == 2
    assert len(selectors.entity_duplicate_groups(actor=personas.admin)) == 3
