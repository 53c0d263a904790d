"""Every registry list costs a fixed number of queries whatever the page size.

Issue 15: the officers list made 49 queries for 150 officers (each row
walked its unit's parents to name the agency). Each page is fetched at two
page sizes over the same data; the query counts must be equal, and within
the page's budget.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.registry.models import ImportJob
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db
ROWS = 12


@pytest.fixture
def filled(personas):
    units = [personas.county_a_brigade, personas.county_b_brigade, personas.city_detachment]
    for n in range(ROWS):
        f.entity(personas.county_a if n % 2 else personas.county_b, region_code="370811")
        f.officer(units[n % len(units)])
    agencies = [f.external_agency(personas.city, name=f"外部机关{n}") for n in range(3)]
    for n in range(3):
        f.officer(external_agency=agencies[n])
    for n in range(ROWS):
        ImportJob.objects.create(
            kind="entity",
            unit=personas.county_a,
            created_by=personas.admin,
            source_name=f"{n}.csv",
        )
    return personas


LAST: list[str] = []


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    LAST[:] = [q["sql"][:160] for q in captured.captured_queries]
    return len(captured)


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        # One more query than in isolation on PostgreSQL after the whole suite
        # has run in the process (cause not found yet; the failure prints the SQL).
        ("/registry/entities/?per_page={n}", 11),
        # A rare filter on PostgreSQL may be sorted from the bloom index with
        # index-only scans off for that statement (``keyset.walk_plan``): a
        # savepoint, SET LOCAL, the query, RESET, release — depending on the
        # planner's estimate, which the suite's earlier tests move.
        ("/registry/entities/?risk_level=high&region=370811&per_page={n}", 11),
        ("/registry/officers/?per_page={n}", 12),
        ("/registry/external-agencies/?per_page={n}", 10),
        ("/registry/imports/?per_page={n}", 10),
        ("/api/v1/entities?per_page={n}", 10),
        ("/api/v1/officers?limit={n}", 9),
    ],
)
def test_a_list_page_costs_the_same_queries_at_any_size(filled, url, budget):
    client = filled.client(filled.admin)
    client.get(url.format(n=2))  # sessions, caches and first-use lookups settle
    small = _queries(client, url.format(n=2))
    large = _queries(client, url.format(n=10))
    assert small == large
    assert large <= budget, "\n".join(LAST)
