"""PostgreSQL: one bloom index over the entity list's equality filters (issue 15).

A rare or contradictory filter (``status=cancelled``, five filters matching
two rows) had no index to use: PostgreSQL walked the primary key backwards
through a million rows looking for 25. One bloom index answers any mix of
these columns (17 MB at 1M rows); ``keyset`` chooses it when the planner
expects few rows. ``bloom`` ships with PostgreSQL's contrib modules; where
it cannot be created, the lists still work, by scanning.
"""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)

INDEX = "registry_entity_filters"
COLUMNS = (
    "status",
    "risk_level",
    "credit_class",
    "kind",
    "scale",
    "industry_section",
    "industry_division",
    "standardization_level",
)
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_entity USING bloom ("
    + ", ".join(f"({c}::text)" for c in COLUMNS)
    + ") WITH (length = 96)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SAVEPOINT registry_bloom")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS bloom")
        except Exception as exc:  # no privilege: keep going without the index
            cursor.execute("ROLLBACK TO SAVEPOINT registry_bloom")
            logger.warning("bloom is not available (%s); rare entity filters will scan", exc)
            return
        cursor.execute("RELEASE SAVEPOINT registry_bloom")
        cursor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0011_duplicate_keys")]

    operations = [migrations.RunPython(create, drop)]
