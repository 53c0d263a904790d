"""The snapshot's pool is zlib'd already: PostgreSQL stores it out of line as it is.

With the default storage (EXTENDED) PostgreSQL first tries its own pglz
compression on the value, several megabytes that do not compress: that try
cost more than writing them (decision 0017). SQLite has no such setting.
"""

from typing import Any

from django.db import migrations

COLUMNS = ("pool", "columns")


def storage(value: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE inspections_drawsnapshot ALTER COLUMN {column} SET STORAGE {value}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("inspections", "0006_background_runs")]

    operations = [migrations.RunPython(storage("EXTERNAL"), storage("EXTENDED"))]
