"""PostgreSQL: a trigram index so that "name contains …" stays fast at 1M rows.

pg_trgm ships with PostgreSQL and is a trusted extension (PostgreSQL 13+),
so the database owner may create it. Where it cannot be created, name search
still works, by scanning.
"""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)

INDEX = "registry_entity_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SAVEPOINT registry_trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # no privilege: keep going without the index
            cursor.execute("ROLLBACK TO SAVEPOINT registry_trgm")
            logger.warning("pg_trgm is not available (%s); entity name search will scan", exc)
            return
        cursor.execute("RELEASE SAVEPOINT registry_trgm")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_entity USING gin (name gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_entity_provenance_without_constraints")]

    operations = [migrations.RunPython(create, drop)]
