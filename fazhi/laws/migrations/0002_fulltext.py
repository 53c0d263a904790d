"""Full-text index over Article.search_text, one per database.

SQLite: an FTS5 table ``laws_article_fts`` (external content) kept in step by
triggers. PostgreSQL: a generated ``tsvector`` column (config ``simple``) with
a GIN index. Other databases get neither; search then finds nothing.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from fazhi.laws.search import install_fts

    install_fts(schema_editor)


def backwards(apps, schema_editor):
    from fazhi.laws.search import uninstall_fts

    uninstall_fts(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("laws", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
