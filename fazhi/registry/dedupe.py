"""Keeping ``DuplicateKey`` (see ``duplicates``) in step with the entities."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count

from fazhi.registry.duplicates import REBUILD_SQL, DuplicateKey
from fazhi.registry.models import Entity


def duplicates_sync(keys: Iterable[str]) -> None:
    """Re-count the live entities of ``keys`` and keep those shared by two or more."""
    wanted = {key for key in keys if key}
    if not wanted:
        return
    shared = set(
        Entity.objects.filter(dedupe_key__in=wanted, merged_into__isnull=True)
        .values("dedupe_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("dedupe_key", flat=True)
    )
    DuplicateKey.objects.filter(dedupe_key__in=wanted - shared).delete()
    DuplicateKey.objects.bulk_create(
        [DuplicateKey(dedupe_key=key) for key in sorted(shared)], ignore_conflicts=True
    )


def duplicates_rebuild() -> int:
    """Count every key again (one scan of the table); return how many are shared."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_duplicatekey")
        cursor.execute(REBUILD_SQL)
    return DuplicateKey.objects.count()
