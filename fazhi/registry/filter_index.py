"""SQLite: one covering index over the entity list's filters (issue 15).

PostgreSQL answers a rare or contradictory filter from its bloom index
(migration 0012) and the planner's estimates (``keyset``). SQLite has
neither: ``status=cancelled`` or four filters matching 361 of a million rows
read the whole table to count them (1.4 s), and the city's scope (every
county's agency, ``supervising_agency_id IN (…)``) drove the query through
the agency index, one table lookup per row.

Here every column the list filters on sits in an index (twice: led by the
columns with few values, and led by agency and region), so SQLite seeks to
the rows an equality filter (or a few) names and checks the rest inside the
index, without reading the table; ``ANALYZE`` gives the planner the column
statistics it needs to skip the leading columns a query does not constrain.
``keyset`` finds the matching ids first on SQLite and, when they are few,
sorts them instead of walking the table newest first.
Created by migration 0016 on SQLite only.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Func

# Two indexes of the same columns: one led by the columns with few values
# (any mix of the list's filters), one by agency and region (a county's
# entities, a region, both, or a region with another county's agency:
# nothing); and the
# industry division, too deep in the first for SQLite to skip to.
ATTRIBUTES = (
    "status",
    "key_supervision",
    "kind",
    "scale",
    "risk_level",
    "credit_class",
    "standardization_level",
    "industry_section",
    "industry_division",
    "category_bits",
)
PLACES = ("supervising_agency_id", "region_code")
INDEXES = {
    "registry_entity_filters_lite": (*ATTRIBUTES, *PLACES, "merged_into_id"),
    "registry_entity_places_lite": (*PLACES, *ATTRIBUTES, "merged_into_id"),
    # an industry division alone, or with a section it does not belong to
    "registry_entity_industry_lite": ("industry_division", "industry_section"),
    # a regulatory category (``category_bits IN (…)``, see ``category_values``)
    # with any mix of the others (migration 0017)
    "registry_entity_categories_lite": (
        "category_bits",
        *(a for a in ATTRIBUTES if a != "category_bits"),
        *PLACES,
        "merged_into_id",
    ),
}
CREATE = [
    f"CREATE INDEX IF NOT EXISTS {name} ON registry_entity ({', '.join(columns)})"
    for name, columns in INDEXES.items()
]
DROP = [f"DROP INDEX IF EXISTS {name}" for name in INDEXES]


def install(schema_editor: BaseDatabaseSchemaEditor, *names: str) -> None:
    """Create the indexes (those named, else all) and refresh the statistics."""
    if schema_editor.connection.vendor == "sqlite":
        for name, sql in zip(INDEXES, CREATE, strict=True):
            if not names or name in names:
                schema_editor.execute(sql)
        analyze(schema_editor.connection.alias)


def uninstall(schema_editor: BaseDatabaseSchemaEditor, *names: str) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for name, sql in zip(INDEXES, DROP, strict=True):
            if not names or name in names:
                schema_editor.execute(sql)


def analyze(using: str = "default") -> None:
    """Refresh SQLite's statistics of the entity table (1.2 s at 1M rows)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_entity")


class Unindexed(Func):
    """``+column`` on SQLite: the same value, but no index is chosen for it.

    The user's scope (every agency of a city) would lead SQLite to the
    agency index and one table read per entity: the scope is checked inside
    the filter index instead.
    """

    template = "+%(expressions)s"
    arity = 1

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(expression, **extra)


# PostgreSQL: every live entity by agency and id, carrying the list's filter
# columns (migration 0020). A county's page (one agency: the user's scope or
# the agency filter) walks its own entities newest first without reading the
# table, checking the filters inside the index: a category with a credit
# class (810 of a county's 90,000) is found after ~2,400 entries (~1 ms),
# where the primary key walk read 26,000 table rows and the sorted plan
# intersected the county's bitmap with the bloom index (25–70 ms).
# ``keyset`` walks it only while that is cheap: a filter matching almost
# none of the county reads all its entries, and the bloom index is faster.
PG_COVER = "registry_entity_agency_cover"
PG_COVER_COLUMNS = (
    "region_code",
    "category_bits",
    "key_supervision",
    "kind",
    "status",
    "risk_level",
    "credit_class",
    "scale",
    "standardization_level",
    "industry_section",
    "industry_division",
)
PG_COVER_CREATE = (
    f"CREATE INDEX IF NOT EXISTS {PG_COVER} ON registry_entity "
    f"(supervising_agency_id, id) INCLUDE ({', '.join(PG_COVER_COLUMNS)}) "
    "WHERE merged_into_id IS NULL"
)
