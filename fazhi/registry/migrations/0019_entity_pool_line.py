"""Each entity keeps its line of a draw pool, written by the database (decision 0029).

SQLite cannot add a stored generated column: Django rebuilds the table, which
drops what earlier migrations made in SQL on it (the name index's triggers,
0014; the filter indexes, 0016 and 0017). They are made again here, from the
same definitions.
"""

from django.db import migrations, models

import fazhi.registry.pool_line
from fazhi.registry import filter_index, name_index


def restore_sqlite_objects(apps, schema_editor):
    name_index.install(schema_editor)
    filter_index.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0018_entity_key_agency_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="entity",
            name="pool_line",
            field=fazhi.registry.pool_line.StoredGeneratedField(
                db_persist=True,
                expression=fazhi.registry.pool_line.PoolLine(),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunPython(restore_sqlite_objects, migrations.RunPython.noop),
    ]
