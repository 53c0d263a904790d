"""Effective-dated rule data: one base, one audited save, one data-file loader.

Legal numbers (time limits, thresholds, fine ranges) are rows valid from one
date and optionally until another (both days included). Each rule model
inherits ``Effective``; administrators change rows through ``rule_row_save``
(ownership checked by the policy, audited before/after); shipped defaults live
in data files (JSON or TSV under each app's ``data/``) read by
``rule_rows_load`` instead of Python literals.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from fazhi.core.actors import Actor
    from fazhi.core.models import OrgUnit

M = TypeVar("M", bound=models.Model)


def in_force_q(on: datetime.date, prefix: str = "") -> Q:
    """Return the condition "in force on ``on``" (``prefix`` for a related model)."""
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": on})
    )


class EffectiveQuerySet(models.QuerySet[M]):
    def in_force(self, on: datetime.date) -> EffectiveQuerySet[M]:
        """Keep the rows in force on ``on``."""
        return self.filter(in_force_q(on))


class Effective(models.Model):
    """Rule data valid from one date, optionally until another (inclusive)."""

    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    # A subclass opts in to ``.in_force(on)`` with
    # ``objects = EffectiveQuerySet.as_manager()``.

    class Meta:
        abstract = True

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def clean(self) -> None:
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("The end date is before the start date.")})


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
    # Imported here: core.models builds its rule models on this module.
    from fazhi.core import policy
    from fazhi.core.audit import audit_record, snapshot
    from fazhi.core.locks import lock_row

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
