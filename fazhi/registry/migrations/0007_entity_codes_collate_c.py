"""PostgreSQL: compare credit codes, duplicate keys and region codes bytewise.

These columns hold ASCII codes, for which the database's default collation
only costs time: a b-tree under "C" sorts and builds faster, and a prefix
search (``uscc LIKE '9137%'``, a city's region code) can use it, which a
b-tree under a locale collation cannot. Staging rows join with entities on
the same columns, so they change with them. SQLite compares bytes already.
"""

from django.db import migrations

COLUMNS = {
    "registry_entity": (("uscc", 18), ("dedupe_key", 16), ("region_code", 6)),
    "registry_entitystaging": (("uscc", 18), ("dedupe_key", 16), ("region_code", 6)),
}


def collate(collation):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, columns in COLUMNS.items():
            changes = ", ".join(
                f'ALTER COLUMN {name} TYPE varchar({size}) COLLATE "{collation}"'
                for name, size in columns
            )
            schema_editor.execute(f"ALTER TABLE {table} {changes}")

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_entity_dedupe_index")]

    operations = [migrations.RunPython(collate("C"), collate("default"))]
