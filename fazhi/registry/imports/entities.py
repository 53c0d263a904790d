"""Importing the entity list (执法检查对象名录库).

Rows are checked in Python chunk by chunk (``entity_rows``; big plain CSV
files column by column, ``entity_columnar``), staged with COPY on
PostgreSQL, then checked and applied against the registry with a few
set-based SQL statements (``entity_apply``): a million-row file never
becomes a million model instances.

A row whose credit code is already registered updates that entity (the
change is kept field by field); an identical row changes nothing, so
importing the same file twice is harmless.
"""

from __future__ import annotations

from fazhi.registry.choices import ImportKind
from fazhi.registry.imports import pgbulk
from fazhi.registry.imports.entity_apply import EntityApply, EntityLoad
from fazhi.registry.imports.entity_columnar import EntityColumnarCheck
from fazhi.registry.imports.entity_layout import COLUMNS, STAGING_FIELDS, export_row
from fazhi.registry.models import EntityStaging

__all__ = ["COLUMNS", "STAGING_FIELDS", "EntityLoad", "EntitySpec", "export_row"]


class EntitySpec(EntityColumnarCheck, EntityApply):
    kind = ImportKind.ENTITY
    columns = COLUMNS
    staging_model = EntityStaging
    staging_fields = STAGING_FIELDS

    def direct_load(self, rows: int) -> EntityLoad | None:
        return EntityLoad(self) if rows >= pgbulk.BULK_ROWS else None
