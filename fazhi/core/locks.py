"""Row locks in one fixed order, so that two transactions cannot deadlock.

Every service that changes several rows of one table locks them with
``lock_rows``: ``SELECT … FOR UPDATE`` in primary-key order. Two merges that
name the same rows in opposite orders then queue behind each other instead of
each holding one row the other waits for.

SQLite has no row locks: ``select_for_update`` is a no-op there. Our SQLite
connections open every ``transaction.atomic`` block with ``BEGIN IMMEDIATE``
(config/env.py), which takes the database-wide write lock at once, so writers
are serialized whole and the lock order cannot matter. Call both helpers inside
``transaction.atomic``; Django refuses ``select_for_update`` outside one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet


def lock_rows[M: Model](source: type[M] | QuerySet[M], pks: Iterable[int]) -> list[M]:
    """Lock the rows ``pks`` of a model (or queryset) in primary-key order.

    Return them in that order. Raise the model's ``DoesNotExist`` naming the
    keys that are missing (deleted meanwhile, or outside ``source``).
    """
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    wanted = sorted(set(pks))
    rows = list(queryset.select_for_update().filter(pk__in=wanted).order_by("pk"))
    if len(rows) != len(wanted):
        found = {row.pk for row in rows}
        missing = [pk for pk in wanted if pk not in found]
        model: type[Model] = queryset.model
        error = getattr(model, "DoesNotExist", ObjectDoesNotExist)
        raise error(f"{model._meta.label} rows not found: {missing}")
    return rows


def lock_row[M: Model](obj: M) -> M:
    """Re-read ``obj`` under a row lock and return the fresh copy."""
    manager = type(obj)._default_manager
    return manager.select_for_update().get(pk=obj.pk)
