"""SQLite: a covering index led by the regulatory categories (issue 15).

A category filter (a bit of ``category_bits``) could not seek: a rare mix
with it read 1–5 million index entries (150–400 ms at 1M rows). The list
now asks for the category as the few ``category_bits`` values stored with
that bit (``filter_index.category_values``), which this index seeks to.
"""

from django.db import migrations

from fazhi.registry import filter_index

INDEX = "registry_entity_categories_lite"


def create(apps, schema_editor):
    filter_index.install(schema_editor, INDEX)


def drop(apps, schema_editor):
    filter_index.uninstall(schema_editor, INDEX)


class Migration(migrations.Migration):
    dependencies = [("registry", "0016_entity_filter_index_sqlite")]

    operations = [migrations.RunPython(create, drop)]
