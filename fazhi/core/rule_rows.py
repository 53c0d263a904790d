"""Rule rows: one audited save and one data-file loader.

Administrators change rule rows through ``rule_row_save`` (ownership checked
by the policy, audited before/after); shipped defaults live in data files
(JSON or TSV under each app's ``data/``) read by ``rule_rows_load`` instead of
Python literals. The base model is ``fazhi.core.effective.Effective``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.locks import lock_row
from fazhi.core.models import OrgUnit

# -- one audited save -------------------------------------------------------------

OWNER_FIELD = "owner"


def rule_owner(instance: models.Model) -> OrgUnit | None:
    """Return the unit that issued a rule row (None: national/provincial).

    A rule model that may be issued below the national level has an ``owner``
    foreign key to OrgUnit; a model without one holds national data only.
    """
    try:
        instance._meta.get_field(OWNER_FIELD)
    except FieldDoesNotExist:  # the model holds national rows only
        return None
    owner: OrgUnit | None = getattr(instance, OWNER_FIELD)
    return owner


@transaction.atomic
def rule_row_save[M: models.Model](
    *,
    actor: Actor,
    instance: M,
    fields: Sequence[str],
    verb: str,
    permission: str | None = None,
) -> M:
    """Save one rule row: permission, ownership (old and new owner), clean, audit.

    ``fields`` are those recorded before/after in the audit event; ``verb``
    follows ``<app>.<model>.<verb>``.
    """
    if permission:
        policy.require(actor, permission)
    before = None
    if instance.pk is not None and type(instance)._default_manager.filter(pk=instance.pk).exists():
        stored = lock_row(instance)
        policy.require_rule_owner(actor, level_unit=rule_owner(stored))
        before = snapshot(stored, list(fields))
    policy.require_rule_owner(actor, level_unit=rule_owner(instance))
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        verb=verb,
        obj=instance,
        before=before,
        after=snapshot(instance, list(fields)),
        unit=rule_owner(instance),
    )
    return instance


# -- rule data shipped as files -------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list):
            raise ValueError(f"{path}: expected a JSON list of objects")
        return [dict(row) for row in rows]
    if path.suffix == ".tsv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [dict(row) for row in csv.DictReader(handle, delimiter="\t")]
    raise ValueError(f"{path}: rule data files are .json or .tsv")


def _typed(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """Convert text cells to field values (TSV cells are all text)."""
    values: dict[str, Any] = {}
    for name, raw in row.items():
        field = model._meta.get_field(name.removesuffix("_id"))
        if not isinstance(field, models.Field):
            raise ValueError(f"{model._meta.label}.{name} is not a column")
        if isinstance(raw, str) and field.null and raw == "":
            values[name] = None
        elif isinstance(raw, str) and isinstance(field, models.BooleanField):
            values[name] = raw.strip().lower() in {"1", "true", "yes", "y"}
        else:
            values[name] = field.to_python(raw)
    return values


def rule_rows_load[M: models.Model](
    path: Path | str,
    model: type[M],
    key_fields: Iterable[str],
    *,
    actor: Actor | None = None,
    verb: str = "",
) -> LoadResult:
    """Create or update the rows of a data file, matched on ``key_fields``.

    With ``actor`` every changed row goes through ``rule_row_save`` (audited,
    ownership checked); without one (data migrations, historical models) rows
    are cleaned and saved directly. Rows equal to the stored ones are left alone.
    """
    keys = list(key_fields)
    created = updated = unchanged = 0
    for row in _read_rows(Path(path)):
        values = _typed(model, row)
        lookup = {key: values[key] for key in keys}
        instance = model._default_manager.filter(**lookup).first()
        is_new = instance is None
        if instance is None:
            instance = model(**values)
        elif all(getattr(instance, name) == value for name, value in values.items()):
            unchanged += 1
            continue
        else:
            for name, value in values.items():
                setattr(instance, name, value)
        if actor is not None:
            rule_row_save(actor=actor, instance=instance, fields=list(values), verb=verb)
        else:
            instance.full_clean()
            instance.save()
        created += is_new
        updated += not is_new
    return LoadResult(created=created, updated=updated, unchanged=unchanged)
