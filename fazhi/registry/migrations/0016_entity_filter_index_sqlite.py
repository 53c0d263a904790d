"""SQLite: a covering index over the entity list's filters (issue 15).

Rare and contradictory filters read the whole table on SQLite (1.2–2.4 s at
1M rows); PostgreSQL has its bloom index (0012). See ``registry.filter_index``.
"""

from django.db import migrations

from fazhi.registry import filter_index


def create(apps, schema_editor):
    filter_index.install(schema_editor)


def drop(apps, schema_editor):
    filter_index.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0015_export_jobs")]

    operations = [migrations.RunPython(create, drop)]
