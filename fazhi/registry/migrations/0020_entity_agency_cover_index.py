"""PostgreSQL: the live entities by agency and id, covering the list's
filters (issue 15; ``filter_index.PG_COVER``).

A county's page with a category and another filter (a credit class, a
scale) matched a few hundred of the county's 90,000 entities: the newest-
first walk of the primary key read ~26,000 table rows (its guard of 25 ms
often ran out) and the sorted plan intersected a bitmap of the county with
the bloom index, which holds neither the agency nor the categories, then
read 2,000–8,000 table pages (25–70 ms). Walking this index reads only the
county's entries and checks the filters inside it (1–3 ms). Bulk loads
rebuild it with the other plain indexes (``pgbulk.bulk_detach`` reads the
table's index definitions); ``pgbulk.indexes_ensure`` puts it back after a
stopped load.
"""

from django.db import migrations

from fazhi.registry import filter_index


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(filter_index.PG_COVER_CREATE)
        schema_editor.execute("ANALYZE registry_entity")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {filter_index.PG_COVER}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0019_entity_pool_line")]

    operations = [migrations.RunPython(create, drop)]
