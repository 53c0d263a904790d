"""Rare filters are paged through the indexes, with the same rows in the same order."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection

from fazhi.registry import keyset, selectors
from fazhi.registry.keyset import Cursor, keyset_page
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
