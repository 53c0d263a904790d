"""PostgreSQL: statistics of each regulatory category's bit (issue 15).

PostgreSQL estimated ``(category_bits & mask) > 0`` at a third of the rows
whatever the category: a county's "dust explosion, credit class C" (810
rows) was expected at 3,000, so the page walked the primary key for the
guard's 25 ms, then sorted (90 ms in all). Statistics on each bit's
expression (one object per bit: an object holds at most 8 expressions;
bits 0–62, ``MAX_CATEGORY_BIT``, so a category added later is covered)
make the estimate exact (841), and the page sorts at once. SQLite has its
own plan for categories (migration 0017).
"""

from django.db import migrations

BITS = range(63)  # registry.models.MAX_CATEGORY_BIT + 1, as of this migration


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for bit in BITS:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS registry_entity_category_{bit} "
            f"ON ((category_bits & {1 << bit})) FROM registry_entity"
        )
    schema_editor.execute("ANALYZE registry_entity")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for bit in BITS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS registry_entity_category_{bit}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0018_entity_key_agency_index")]

    operations = [migrations.RunPython(create, drop)]
