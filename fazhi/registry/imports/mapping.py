"""The value-mapping step of an entity import (issue 14).

A checked file whose cells hold words the registry does not know (有限空间
for 有限空间作业) loses those rows. ``unknown_values`` lists each distinct
unknown word once, with how many rows hold it; ``import_values_map`` records
what the user decided for each (a known value, or refused) for the file's
agency and checks the file again; ``merge`` makes every later check of that
agency's files read the words the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.audit import audit_record
from fazhi.core.errors import Conflict, DomainError
from fazhi.registry.choices import ImportKind, ImportStatus
from fazhi.registry.imports import jobs, labels
from fazhi.registry.imports.entity_layout import _SPLIT, COLUMNS
from fazhi.registry.imports.report import read_problems
from fazhi.registry.imports.spec import normalize_header
from fazhi.registry.imports.vocabulary import TABLES, agency_maps, choices
from fazhi.registry.models import ImportJob, RegulatoryCategory
from fazhi.registry.permissions import IMPORT_PERMS
from fazhi.registry.value_maps import ImportValueMap, MappedColumn

# How many problems of a report are read to find the unknown words.
PROBLEMS_READ = 200_000
ENTITY_IMPORT_PERMS = IMPORT_PERMS[ImportKind.ENTITY.value]


@dataclass(frozen=True)
class UnknownValue:
    column: str
    header: str
    value: str
    rows: int

    @property
    def column_label(self) -> str:
        return str(MappedColumn(self.column).label)


def _known(column: str) -> set[str]:
    if column == MappedColumn.CATEGORIES:
        return {
            name.upper()
            for pair in RegulatoryCategory.objects.filter(is_active=True).values_list(
                "code", "name"
            )
            for name in pair
        }
    return set(labels.lookup(TABLES[column]))


def unknown_values(job: ImportJob) -> list[UnknownValue]:
    """Each word of the checked file the registry does not know, once, with
    the number of rows holding it; words already decided are left out."""
    if job.kind != ImportKind.ENTITY or not job.report or not job.error_count:
        return []
    keys = {
        normalize_header(name): column.key
        for column in COLUMNS
        if column.key in MappedColumn.values
        for name in (column.header, column.key, *column.aliases)
    }
    decided = agency_maps(job.unit.agency())
    known: dict[str, set[str]] = {}
    counts: Counter[tuple[str, str, str]] = Counter()
    with job.report.open("rb") as source:
        problems = read_problems(source, PROBLEMS_READ)
    for problem in problems:
        column = keys.get(normalize_header(problem.column))
        if column is None or not problem.value.strip():
            continue
        if column not in known:
            known[column] = _known(column) | set(decided.get(column, {}))
        words = (
            _SPLIT.split(problem.value.strip())
            if column == MappedColumn.CATEGORIES
            else [problem.value.strip()]
        )
        for word in dict.fromkeys(w for w in words if w):
            if word.upper() not in known[column]:
                counts[column, problem.column, word] += 1
    return [
        UnknownValue(column, header, value, rows)
        for (column, header, value), rows in sorted(
            counts.items(), key=lambda item: (-item[1], item[0])
        )
    ]


@policy.requires("registry.add_importjob")
@transaction.atomic
def import_values_map(
    *, actor: Any, job: ImportJob, decisions: list[tuple[str, str, str]], run: bool = True
) -> ImportJob:
    """Record what the agency's words mean and check the file again.

    ``decisions`` are (column, word, code), the code blank to refuse the
    word. The mapping is kept for the agency of the job's unit, so its next
    file reads the same words the same way. When a word was mapped, the
    checked job is discarded and the same file is checked anew; the new job
    is returned (the same job when every word was refused).
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    for perm in ENTITY_IMPORT_PERMS:
        policy.require(actor, perm, unit=job.unit)
    if job.kind != ImportKind.ENTITY:
        raise DomainError(_("Only entity lists have values to map."))
    if job.status != ImportStatus.VALIDATED:
        raise Conflict(
            _("Only a checked file's values can be mapped (this one is: %(s)s).")
            % {"s": job.get_status_display()}
        )
    if not decisions:
        raise ValidationError({"decisions": [_("Decide at least one value.")]})
    valid: dict[str, set[str]] = {}
    cleaned: dict[tuple[str, str], str] = {}
    for column, word, target in decisions:
        word = word.strip()
        if column not in MappedColumn.values:
            raise ValidationError({"column": [_("This column's values cannot be mapped.")]})
        if not word or len(word) > ImportValueMap._meta.get_field("value").max_length:  # type: ignore[operator]
            raise ValidationError({"value": [_("Give the value as written in the file.")]})
        if column not in valid:
            valid[column] = {code for code, _label in choices(column)}
        if target and target not in valid[column]:
            raise ValidationError(
                {"target": [_("“%(t)s” is not a registry value of this column.") % {"t": target}]}
            )
        cleaned[column, word] = target
    agency = job.unit.agency()
    user = actor if getattr(actor, "pk", None) else None
    for (column, word), target in cleaned.items():
        ImportValueMap.objects.update_or_create(
            agency=agency,
            column=column,
            value=word,
            defaults={"target": target, "decided_by": user},
        )
    audit_record(
        actor=actor,
        verb="registry.importjob.values_map",
        obj=job,
        after={
            "agency": agency.pk,
            "mappings": [
                {"column": c, "value": w, "target": t} for (c, w), t in sorted(cleaned.items())
            ],
        },
        unit=job.unit,
    )
    if not any(cleaned.values()):
        return job
    jobs.import_job_discard(actor=actor, job=job)
    return jobs.import_job_create(
        actor=actor,
        kind=job.kind,
        unit=job.unit,
        filename=job.source_name,
        attachment=job.attachment,
        path=job.source_path or None,
        run=run,
    )


@dataclass(frozen=True)
class MappingRow:
    """One line of the mapping step's form: the word and what it may become."""

    unknown: UnknownValue
    choices: list[tuple[str, str]]


def mapping_rows(job: ImportJob, actor: Any) -> list[MappingRow]:
    """The mapping step for ``actor``: empty unless the file is checked and
    the actor may import it."""
    if job.status != ImportStatus.VALIDATED or not all(
        policy.allowed(actor, perm, unit=job.unit) for perm in ENTITY_IMPORT_PERMS
    ):
        return []
    options: dict[str, list[tuple[str, str]]] = {}
    rows = []
    for unknown in unknown_values(job):
        if unknown.column not in options:
            options[unknown.column] = choices(unknown.column)
        rows.append(MappingRow(unknown, options[unknown.column]))
    return rows
