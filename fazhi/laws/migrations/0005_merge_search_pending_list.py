"""PostgreSQL: merge the article search GIN index's pending list (issue 16).

A law import now merges what it added (``search.merge_pending``); the list
left by earlier imports, never merged where autovacuum is off, is merged
here once.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from fazhi.laws.search import GIN_INDEX

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = %s",
            [GIN_INDEX],
        )


class Migration(migrations.Migration):
    dependencies = [("laws", "0004_verbose_names")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
