"""SQLite: an FTS5 trigram index for entity name search (issue 15).

``name contains …`` scanned the whole table on SQLite (977 ms at 1M rows);
PostgreSQL has had its pg_trgm index since 0004. See ``registry.name_index``.
"""

from django.db import migrations

from fazhi.registry import name_index


def create(apps, schema_editor):
    name_index.install(schema_editor)


def drop(apps, schema_editor):
    name_index.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0013_merge_bloom_value_map")]

    operations = [migrations.RunPython(create, drop)]
