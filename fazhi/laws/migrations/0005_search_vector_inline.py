"""PostgreSQL: article search vectors kept in the table row, the GIN pending list merged (issue 16).

A search tests vectors one by one (walking the newest articles) and ranks
the ones it keeps with ``ts_rank``. The vector is usually an article's
largest column, so TOAST moved it out of the row first: every test read it
from the TOAST table (a 20k-row walk: 63 ms, 22 ms with the vectors in the
rows). ``STORAGE MAIN`` keeps it in the row and lets the text and paragraphs
go out instead; ``VACUUM FULL`` rewrites the rows stored so far (seconds for
a library) and rebuilds the indexes, which also empties the GIN pending list
that earlier imports left where autovacuum is off (imports now merge theirs:
``search.merge_pending``).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE laws_article ALTER COLUMN search_vector SET STORAGE MAIN")
    schema_editor.execute("VACUUM (FULL, ANALYZE) laws_article")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE laws_article ALTER COLUMN search_vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    atomic = False  # VACUUM runs outside a transaction

    dependencies = [("laws", "0004_verbose_names")]

    operations = [migrations.RunPython(forwards, backwards)]
