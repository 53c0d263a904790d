"""PostgreSQL plans for an agency's rare filters (issue 15).

- A partial index of key-supervision entities (重点监管, 5% in the bench) by
  agency and risk: a county's "key supervision, high risk" (441 of its
  90,000) read a bitmap of all its entities and 9,500 table pages (25–120
  ms); through this index, under a millisecond. Both databases.
- Extended statistics (MCV) over agency and region, PostgreSQL only: the
  planner multiplied their selectivities, so a region with another
  county's agency (nothing) was expected at ~5,600 rows and walked the
  primary key for the guard's 25 ms before sorting; a region with its own
  county's agency (everything) was expected at ~9,000. Now 1 and 91,000.

SQLite's statistics are refreshed for the new index (its planner chooses
among the list's indexes by them, ``filter_index``).
"""

from django.db import migrations, models

from fazhi.registry import filter_index

STATISTICS = "registry_entity_agency_region"


def statistics_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv, dependencies) "
            "ON supervising_agency_id, region_code FROM registry_entity"
        )
        schema_editor.execute("ANALYZE registry_entity")
    else:
        filter_index.analyze(schema_editor.connection.alias)


def statistics_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0017_entity_category_index_sqlite")]

    operations = [
        migrations.AddIndex(
            model_name="entity",
            index=models.Index(
                condition=models.Q(("key_supervision", True), ("merged_into__isnull", True)),
                fields=["supervising_agency", "risk_level", "id"],
                name="registry_entity_key_agency",
            ),
        ),
        migrations.RunPython(statistics_create, statistics_drop),
    ]
