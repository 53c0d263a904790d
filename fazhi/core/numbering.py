"""文书号 and 案号: per-agency, per-year sequences with configurable patterns.

A number is allocated inside the transaction that uses it: the counter row is
locked (SELECT … FOR UPDATE on PostgreSQL; SQLite runs every transaction as
BEGIN IMMEDIATE, so writers take turns), so a rollback hands the number back
(no gaps) and two writers never get the same one. ``IssuedNumber`` keeps each
number with unique constraints, so even a pattern edited mid-year cannot issue
a text twice.

Patterns are rule data per agency and kind (``NumberPattern``); a row without
an agency is the default. Apps ship their defaults in
``fazhi/<app>/data/number_patterns.json``, loaded after every migrate.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.models import IssuedNumber, NumberPattern, NumberSequence, OrgUnit
from fazhi.core.number_patterns import number_format
from fazhi.core.number_patterns import pattern_problem as pattern_problem
from fazhi.core.policy import scope_paths, scope_q

PATTERN_FIELDS = ["kind", "agency", "label", "pattern"]


def number_pattern_list(*, actor: Any) -> QuerySet[NumberPattern]:
    """Default patterns and those of agencies in the actor's scope."""
    found = NumberPattern.objects.select_related("agency")
    if scope_paths(actor) is None:  # an empty Q() would drop out of the OR below
        return found
    return found.filter(Q(agency__isnull=True) | scope_q(actor, "agency__path"))


def pattern_for(*, agency: OrgUnit, kind: str) -> NumberPattern:
    """Return the agency's own pattern for ``kind``, else the default one."""
    found = NumberPattern.objects.filter(Q(agency=agency) | Q(agency__isnull=True), kind=kind)
    patterns = sorted(found, key=lambda p: p.agency_id is None)  # the agency's own first
    if patterns:
        return patterns[0]
    raise DomainError(_("No numbering pattern is set for “%(kind)s”.") % {"kind": kind})


def number_next(*, agency: OrgUnit, kind: str, on: datetime.date) -> str:
    """Allocate the next number of ``kind`` for ``agency`` in ``on``'s year.

    Must run inside the transaction that uses the number (so that a rollback
    returns it); raise RuntimeError otherwise.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the transaction that uses the number")
    agency = agency.agency()
    if not agency.doc_abbr:
        raise DomainError(
            _("Set the document abbreviation (机关代字) of %(agency)s before numbering.")
            % {"agency": agency.name}
        )
    pattern = pattern_for(agency=agency, kind=kind)
    sequence = _sequence_locked(agency=agency, kind=kind, year=on.year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    text = number_format(
        pattern.pattern, agency_abbr=agency.doc_abbr, year=on.year, seq=sequence.last_value
    )
    try:
        with transaction.atomic():
            IssuedNumber.objects.create(
                agency=agency, kind=kind, year=on.year, seq=sequence.last_value, text=text
            )
    except IntegrityError as exc:
        raise DomainError(
            _("The number %(number)s was already issued: check the pattern of “%(kind)s”.")
            % {"number": text, "kind": pattern.label}
        ) from exc
    return text


def _sequence_locked(*, agency: OrgUnit, kind: str, year: int) -> NumberSequence:
    lookup = {"agency": agency, "kind": kind, "year": year}
    found = NumberSequence.objects.select_for_update().filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            NumberSequence.objects.create(**lookup)
    except IntegrityError:
        pass  # another writer created it first; its row lock orders us after it
    return NumberSequence.objects.select_for_update().get(**lookup)


@policy.requires_any("core.add_numberpattern", "core.change_numberpattern")
@transaction.atomic
def number_pattern_save(
    *,
    actor: Any,
    kind: str,
    label: str,
    pattern: str,
    agency: OrgUnit | None = None,
    instance: NumberPattern | None = None,
) -> NumberPattern:
    """Create or change a numbering pattern (an agency's own, or the default)."""
    policy.require(actor, "core.change_numberpattern" if instance else "core.add_numberpattern")
    if agency is None and not policy.is_system_admin(actor):
        raise NotAllowed(_("Only a system administrator may change the default patterns."))
    if agency is not None:
        policy.require_in_scope(actor, agency)
    before = snapshot(instance, PATTERN_FIELDS) if instance else None
    row = instance or NumberPattern()
    row.kind, row.label, row.pattern, row.agency = kind, label, pattern, agency
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        verb="core.numberpattern.save",
        obj=row,
        before=before,
        after=snapshot(row, PATTERN_FIELDS),
        unit=agency,
    )
    return row


def default_pattern_files() -> list[Path]:
    """Every app's shipped pattern file, in app order."""
    base = Path(settings.BASE_DIR) / "fazhi"
    return sorted(base.glob("*/data/number_patterns.json"))


def number_patterns_load(**kwargs: Any) -> None:
    """Add the shipped default patterns whose kind has no default yet.

    Runs after every migrate; an administrator's changes are never overwritten.
    """
    for path in default_pattern_files():
        for row in json.loads(path.read_text(encoding="utf-8")):
            NumberPattern.objects.get_or_create(
                kind=row["kind"],
                agency=None,
                defaults={"label": row["label"], "pattern": row["pattern"]},
            )
