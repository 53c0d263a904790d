"""Rare filters are paged through the indexes, with the same rows in the same order."""

from __future__ import annotations

import copy

import pytest
from django.db import OperationalError, connection

from fazhi.registry import keyset, selectors
from fazhi.registry.keyset import Cursor, keyset_page
from fazhi.registry.models import Entity
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def _all_pages(items) -> list[int]:
    seen, cursor = [], Cursor()
    while True:
        page = keyset_page(items, cursor=cursor, per_page=2)
        seen += [e.pk for e in page.items]
        if not page.next_cursor:
            return seen
        cursor = Cursor.parse(page.next_cursor)


@pytest.mark.parametrize(
    ("selective", "guarded"),
    [(0, 0), (10**9, 10**9), (0, 10**9)],
    ids=["walk", "sort", "guarded-walk"],
)
def test_every_plan_gives_the_same_pages(personas, monkeypatch, selective, guarded):
    made = [f.entity(personas.county_a, risk_level="major" if n % 2 else "low") for n in range(7)]
    monkeypatch.setattr(keyset, "SELECTIVE_ROWS", selective)
    monkeypatch.setattr(keyset, "GUARDED_ROWS", guarded)
    items = selectors.entity_list(
        actor=personas.admin, filters=selectors.EntityFilters(risk_level="major")
    )
    wanted = sorted((e.pk for e in made if e.risk_level == "major"), reverse=True)
    assert _all_pages(items) == wanted


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans only")
def test_a_walk_that_runs_out_of_time_sorts_instead(personas, monkeypatch):
    made = [f.entity(personas.county_a) for _ in range(3)]
    monkeypatch.setattr(keyset, "SELECTIVE_ROWS", 0)
    monkeypatch.setattr(keyset, "GUARDED_ROWS", 10**9)
    real = keyset._keyset_page
    keys = []

    def slow_walk(items, *, cursor, per_page, key, shape=None):
        keys.append(str(key))
        if str(key) == "F(id)":
            raise OperationalError("canceling statement due to statement timeout")
        return real(items, cursor=cursor, per_page=per_page, key=key, shape=shape)

    monkeypatch.setattr(keyset, "_keyset_page", slow_walk)
    items = selectors.entity_list(actor=personas.admin)
    page = keyset_page(items, cursor=Cursor(), per_page=10)
    assert [e.pk for e in page.items] == sorted((e.pk for e in made), reverse=True)
    assert keys == ["F(id)", "F(id) + Value(0)"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite plans only")
@pytest.mark.parametrize("steps", [10**6, 0], ids=["seek", "out-of-steps-walk"])
def test_sqlite_counts_first_and_pages_the_same(personas, monkeypatch, steps):
    made = [f.entity(personas.county_a, risk_level="major" if n % 3 else "low") for n in range(8)]
    monkeypatch.setattr(keyset, "SEEK_STEPS", steps)
    items = selectors.entity_list(
        actor=personas.admin, filters=selectors.EntityFilters(risk_level="major")
    )
    wanted = sorted((e.pk for e in made if e.risk_level == "major"), reverse=True)
    assert _all_pages(items) == wanted
    page = keyset.with_count(keyset_page(items, cursor=Cursor(), per_page=2), items)
    assert (page.count, page.count_capped) == (len(wanted), False)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite plans only")
def test_sqlite_many_matches_walk_newest_first_with_a_capped_count(personas, monkeypatch):
    made = [f.entity(personas.county_a) for _ in range(5)]
    monkeypatch.setattr(keyset, "COUNT_CAP", 3)
    items = selectors.entity_list(actor=personas.county_a_officer)
    page = keyset.with_count(keyset_page(items, cursor=Cursor(), per_page=2), items)
    assert [e.pk for e in page.items] == sorted((e.pk for e in made), reverse=True)[:2]
    assert (page.count, page.count_capped) == (3, True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite plans only")
def test_sqlite_read_stopped_in_time_leaves_the_connection_usable(personas):
    for _ in range(3):
        f.entity(personas.county_a)

    def counting(to: int) -> str:
        return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {to}) "

    def run():
        with connection.cursor() as cursor:
            cursor.execute(counting(10**9) + "SELECT max(i) FROM n")
            return cursor.fetchone()

    assert keyset._within("default", 10_000, run) is None
    entities = selectors.entity_list(actor=personas.admin)
    assert keyset._within("default", 10**6, entities.count) == 3
    # the handler is gone: a long read is no longer stopped
    with connection.cursor() as cursor:
        cursor.execute(counting(300_000) + "SELECT max(i) FROM n")
        assert cursor.fetchone()[0] == 300_000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans only")
@pytest.mark.parametrize(("rows", "walk"), [(10**6, True), (0, False)], ids=["walk", "sort"])
def test_a_walk_within_one_agency_gives_the_same_pages(personas, monkeypatch, rows, walk):
    """A county's page (``walk_plan`` bounded): walked through the covering
    index for its ids, or sorted from the other indexes when the filters are
    expected to match almost nothing; the rows and their order are the same."""
    made = [f.entity(personas.county_a, risk_level="major" if n % 2 else "low") for n in range(7)]
    f.entity(personas.county_b, risk_level="major")
    monkeypatch.setattr(keyset, "walk_plan", lambda items, per_page: keyset.WalkPlan(rows, True))
    walked: list[bool] = []
    real = keyset._guarded

    def guarded(*args, **kwargs):
        walked.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(keyset, "_guarded", guarded)
    items = selectors.entity_list(
        actor=personas.county_a_officer, filters=selectors.EntityFilters(risk_level="major")
    )
    wanted = sorted((e.pk for e in made if e.risk_level == "major"), reverse=True)
    assert _all_pages(items) == wanted
    assert bool(walked) == walk
    page = keyset_page(items, cursor=Cursor(), per_page=2)
    assert all(isinstance(e, Entity) for e in page.items)  # rows, not the walk's ids
    with connection.cursor() as cursor:  # the sort's planner setting did not stay
        cursor.execute("SHOW enable_indexonlyscan")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans only")
def test_the_planner_walks_a_county_through_its_own_entries(personas):
    """One agency's filtered page is read from an index bounded by the agency
    (the covering index, migration 0020), the city's from the primary key;
    the estimate comes from the same EXPLAIN. (A scope of several units, a
    county with brigades, is a list: the primary key is walked as before.)"""
    for n in range(40):
        f.entity(personas.county_a, credit_class="C" if n % 4 else "A")
    other = f.entity(personas.county_b, credit_class="C")
    clones = []
    for n in range(3000):  # most of the table: walking all of it is dear
        other.pk, other.uscc = None, f"9137{n:014d}"
        clones.append(copy.copy(other))
    Entity.objects.bulk_create(clones)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_entity")
        # a table this small is read whole and sorted: ask for a walk
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    credit_c = selectors.EntityFilters(credit_class="C")
    city_list = selectors.entity_list(actor=personas.admin, filters=credit_c)
    # one agency (a county without brigades, or the agency filter)
    county = keyset.walk_plan(
        Entity.objects.filter(
            supervising_agency=personas.county_a, merged_into__isnull=True, credit_class="C"
        ),
        25,
    )
    city = keyset.walk_plan(city_list, 25)
    assert county is not None
    assert city is not None
    assert (county.bounded, city.bounded) == (True, False)
    assert 10 <= county.rows <= 60
    assert city.rows >= 1000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL index only")
def test_the_covering_index_holds_every_column_the_list_filters_on():
    from fazhi.registry import filter_index

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", [filter_index.PG_COVER]
        )
        (definition,) = cursor.fetchone()
    filtered = {
        "kind", "status", "risk_level", "credit_class", "industry_section",
        "industry_division", "standardization_level", "scale", "key_supervision",
        "category_bits", "region_code",
    }  # fmt: skip
    included = definition.split("INCLUDE (")[1].split(")")[0]
    assert {c.strip() for c in included.split(",")} == filtered
    assert "(supervising_agency_id, id)" in definition
    assert "WHERE (merged_into_id IS NULL)" in definition


def test_the_agency_filter_narrows_the_scope_to_one_list(personas):
    """The city filtering by a county: one list of agencies, the county's
    (PostgreSQL then walks that county's entries); out of scope: nothing."""
    mine = f.entity(personas.county_a)
    f.entity(personas.county_b)

    def listed(actor, agency) -> list[int]:
        filters = selectors.EntityFilters(agency=agency.pk)
        return list(
            selectors.entity_list(actor=actor, filters=filters).values_list("id", flat=True)
        )

    assert listed(personas.admin, personas.county_a) == [mine.pk]
    assert listed(personas.county_b_officer, personas.county_a) == []
    if connection.vendor == "postgresql":
        filters = selectors.EntityFilters(agency=personas.county_a.pk)
        sql = str(selectors.entity_list(actor=personas.admin, filters=filters).query)
        assert sql.count('"supervising_agency_id" IN (') == 1, sql
