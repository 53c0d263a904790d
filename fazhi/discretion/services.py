"""Discretion services: the calculator for other apps, and the writes.

The calculator — the one entry point other apps (cases, inspections) use::

    from fazhi.discretion.services import discretion_calculate

    result = discretion_calculate(
        actor=request.user,           # needs discretion.view_discretionentry
        agency=case.agency,           # the acting agency (an OrgUnit in scope)
        entry_code="AQ099-01",        # or entry=<DiscretionEntry>
        facts=Facts(target="unit", stage="initial", values={...}, ...),
        on=case.violation_date,       # the day whose rules apply
    )
    result.decision_class             # no_penalty / may_waive / lenient / …
    result.range, result.amount_range # Range (lower/upper with 含本数 flags)
    result.document                   # 《应急管理行政处罚裁量权基准》（应急〔2024〕90号）
    for step in result.trace:         # TraceStep(rule, article, detail,
        ...                           #           verified, document)

It uses only the baseline documents the agency has adopted
(``BaselineAdoption``) and that are in force on ``on``; the most local
adopted document that has the entry wins. It raises ``NotAllowed`` without
the permission or outside the actor's scope, and ``DomainError`` (field
``entry``) when no adopted document has the entry — never a guess from
another jurisdiction's table. ``Facts`` and ``Calculation`` live in
``fazhi.discretion.engine``; both are plain dataclasses and stable.

Writes are keyword-only, take the actor, validate with ``full_clean()`` and
record an audit event in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core import policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.errors import Conflict, DomainError, NotAllowed
from fazhi.core.models import OrgUnit
from fazhi.core.selectors import unit_in_scope
from fazhi.discretion.calculator import discretion_calculate as discretion_calculate
from fazhi.discretion.engine import (
    BoundsData,
    EntryData,
    Problem,
    TierData,
    discretion_validate,
)
from fazhi.discretion.models import (
    Baseline,
    BaselineAdoption,
    DiscretionCircumstance,
    DiscretionEntry,
    DiscretionRule,
    DiscretionTier,
    NoPenaltyItem,
    StatutoryRange,
    TierFine,
)
from fazhi.discretion.ranges import BOUNDS_FIELDS
from fazhi.laws.models import Article


def _validation_to_domain(exc: ValidationError) -> DomainError:
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.message_dict.items()))
        return DomainError("; ".join(errors), field=None if name == "__all__" else name)
    return DomainError("; ".join(exc.messages))


class DiscretionInvalid(DomainError):
    """The entry breaks the validation rules; ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


ENTRY_FIELDS = [
    "code",
    "violation",
    "legal_provision_text",
    "legal_provision",
    "penalty_basis_text",
    "penalty_basis",
    "penalty_clause",
    "no_discretion",
    "issuing_document",
    "baseline",
    "tier_required",
    "no_fault_exception",
    "measures",
    "effective_from",
    "effective_to",
    "supersedes",
    "notes",
]


def _entry_snapshot(entry: DiscretionEntry) -> dict[str, Any]:
    from fazhi.discretion.selectors import entry_data

    data = snapshot(entry, ENTRY_FIELDS)
    plain = entry_data(entry)
    data["ranges"] = [asdict(r) for r in plain.ranges]
    data["tiers"] = [asdict(t) for t in plain.tiers]
    return data


def _resolve_article(text: str, on: datetime.date) -> Article | None:
    from fazhi.laws.citations import citation_resolve

    if not text.strip():
        return None
    citation = citation_resolve(text, on=on)
    return citation.article if citation.resolved else None


def _circumstance_codes() -> set[str]:
    return set(DiscretionCircumstance.objects.values_list("code", flat=True))


def _write_children(entry: DiscretionEntry, data: EntryData) -> None:
    entry.tiers.all().delete()
    entry.ranges.all().delete()
    for bounds in data.ranges:
        row = StatutoryRange(entry=entry, **{f: getattr(bounds, f) for f in BOUNDS_FIELDS})
        row.full_clean(exclude=["entry"])
        row.save()
    tier_fields = [
        "order",
        "name",
        "condition_kind",
        "condition_fact",
        "condition_fact_label",
        "condition_lower",
        "condition_lower_inclusive",
        "condition_upper",
        "condition_upper_inclusive",
        "condition_circumstance",
        "condition_text",
        "mitigated",
        "mitigation_ground",
        "verified",
        "source",
        "notes",
    ]
    for tier_data in data.tiers:
        tier = DiscretionTier(entry=entry, **{f: getattr(tier_data, f) for f in tier_fields})
        if not tier.condition_text:
            tier.condition_text = tier.name
        tier.full_clean(exclude=["entry"])
        tier.save()
        for fine in tier_data.fines:
            tier_fine = TierFine(tier=tier, **{f: getattr(fine, f) for f in BOUNDS_FIELDS})
            tier_fine.full_clean(exclude=["tier"])
            tier_fine.save()


def _check_entry(data: EntryData) -> None:
    problems = discretion_validate(data, circumstances=_circumstance_codes())
    if problems:
        raise DiscretionInvalid(problems)


def _apply_entry_fields(entry: DiscretionEntry, data: EntryData) -> None:
    entry.code = data.code
    entry.violation = data.violation
    entry.legal_provision_text = data.legal_provision_text
    entry.penalty_basis_text = data.penalty_basis_text
    entry.penalty_clause = data.penalty_clause
    entry.no_discretion = data.no_discretion
    entry.issuing_document = data.issuing_document
    entry.tier_required = data.tier_required
    entry.no_fault_exception = data.no_fault_exception
    entry.measures = list(data.measures)
    if data.baseline_id is not None:
        entry.baseline_id = data.baseline_id
    entry.effective_from = data.effective_from
    entry.effective_to = data.effective_to
    entry.notes = data.notes
    entry.legal_provision = _resolve_article(data.legal_provision_text, data.effective_from)
    entry.penalty_basis = _resolve_article(data.penalty_basis_text, data.effective_from)
    if data.penalty_basis_text.strip() and entry.penalty_basis is None:
        from fazhi.laws.citations import citation_resolve

        citation = citation_resolve(data.penalty_basis_text, on=data.effective_from)
        raise DiscretionInvalid(
            [
                Problem(
                    _("The penalty provision cannot be resolved: %(reason)s")
                    % {"reason": citation.reason},
                    "entry",
                    None,
                    "penalty_basis_text",
                )
            ]
        )


@policy.requires("discretion.add_discretionentry")
@transaction.atomic
def discretion_entry_create(*, actor: Any, data: EntryData) -> DiscretionEntry:
    """Store a new entry after validating it (tiers inside the statutory range …)."""
    _check_entry(data)
    entry = DiscretionEntry()
    _apply_entry_fields(entry, data)
    try:
        entry.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    entry.save()
    _write_children(entry, data)
    audit_record(
        actor=actor, verb="discretion.entry.create", obj=entry, after=_entry_snapshot(entry)
    )
    return entry


@policy.requires("discretion.change_discretionentry")
@transaction.atomic
def discretion_entry_update(
    *, actor: Any, entry: DiscretionEntry, data: EntryData
) -> DiscretionEntry:
    """Correct an entry in place (its ranges and tiers are replaced)."""
    entry = DiscretionEntry.objects.select_for_update().get(pk=entry.pk)
    _check_entry(data)
    before = _entry_snapshot(entry)
    _apply_entry_fields(entry, data)
    try:
        entry.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    entry.save()
    _write_children(entry, data)
    after = _entry_snapshot(entry)
    if after != before:
        audit_record(
            actor=actor,
            verb="discretion.entry.update",
            obj=entry,
            before=before,
            after=after,
        )
    return entry


@policy.requires("discretion.change_discretionentry")
@transaction.atomic
def discretion_entry_revise(
    *, actor: Any, entry: DiscretionEntry, data: EntryData
) -> DiscretionEntry:
    """Start a new version of an entry from ``data.effective_from``.

    The current version ends the day before; both stay readable, and the
    calculator uses the one in force on the day asked for.
    """
    entry = DiscretionEntry.objects.select_for_update().get(pk=entry.pk)
    if data.code != entry.code:
        raise DomainError(_("A new version keeps the entry's code."), field="code")
    if data.effective_from <= entry.effective_from:
        raise DomainError(
            _("The new version must start after %(day)s.")
            % {"day": entry.effective_from.isoformat()},
            field="effective_from",
        )
    _check_entry(data)
    before = snapshot(entry, ["effective_to"])
    entry.effective_to = data.effective_from - datetime.timedelta(days=1)
    entry.save(update_fields=["effective_to"])
    audit_record(
        actor=actor,
        verb="discretion.entry.end",
        obj=entry,
        before=before,
        after=snapshot(entry, ["effective_to"]),
    )
    revised = DiscretionEntry(supersedes=entry, baseline_id=entry.baseline_id)
    _apply_entry_fields(revised, data)
    try:
        revised.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    revised.save()
    _write_children(revised, data)
    audit_record(
        actor=actor,
        verb="discretion.entry.revise",
        obj=revised,
        after=_entry_snapshot(revised),
    )
    return revised


RULE_FIELDS = [
    "code",
    "lower",
    "upper",
    "source",
    "verified",
    "effective_from",
    "effective_to",
    "notes",
]


NO_PENALTY_FIELDS = [
    "baseline",
    "code",
    "entry_code",
    "matter",
    "basis_text",
    "circumstance_text",
    "no_penalty_basis_text",
    "decision",
    "requires_first_violation",
    "requires_corrected_in_time",
    "max_harm",
    "condition_fact",
    "condition_upper",
    "condition_upper_inclusive",
    "issuing_document",
    "verified",
    "effective_from",
    "effective_to",
]

CIRCUMSTANCE_FIELDS = [
    "code",
    "name",
    "effect",
    "source",
    "verified",
    "sort_order",
    "same_as_stage",
    "effective_from",
    "effective_to",
]


def _rule_row_save[M: models.Model](
    *,
    actor: Any,
    model: type[M],
    row: M | None,
    allowed: list[str],
    verb: str,
    fields: dict[str, Any],
    check: Callable[[M], None] | None = None,
) -> M:
    """Create or correct one row of rule data, validated and audited."""
    before = None
    if row is None:
        row = model()
    else:
        row = model._default_manager.select_for_update().get(pk=row.pk)
        before = snapshot(row, allowed)
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    for name, value in fields.items():
        setattr(row, name, value)
    if check is not None:
        check(row)
    try:
        row.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    row.save()
    audit_record(
        actor=actor,
        verb=f"{verb}.update" if before else f"{verb}.create",
        obj=row,
        before=before,
        after=snapshot(row, allowed),
    )
    return row


@policy.requires("discretion.change_discretionrule")
@transaction.atomic
def discretion_rule_save(
    *, actor: Any, rule: DiscretionRule | None = None, **fields: Any
) -> DiscretionRule:
    """Create or correct one rule value (a band, an age, a period)."""
    return _rule_row_save(
        actor=actor,
        model=DiscretionRule,
        row=rule,
        allowed=RULE_FIELDS,
        verb="discretion.rule",
        fields=fields,
    )


def _entry_code_exists(item: NoPenaltyItem) -> None:
    if not DiscretionEntry.objects.filter(code=item.entry_code).exists():
        raise DomainError(
            _("No discretion entry has the code %(code)s.") % {"code": item.entry_code},
            field="entry_code",
        )


@policy.requires("discretion.change_nopenaltyitem")
@transaction.atomic
def no_penalty_item_save(
    *, actor: Any, item: NoPenaltyItem | None = None, **fields: Any
) -> NoPenaltyItem:
    """Create or correct one row of the no-penalty list (不予处罚清单)."""
    return _rule_row_save(
        actor=actor,
        model=NoPenaltyItem,
        row=item,
        allowed=NO_PENALTY_FIELDS,
        verb="discretion.no_penalty_item",
        fields=fields,
        check=_entry_code_exists,
    )


@policy.requires("discretion.change_discretioncircumstance")
@transaction.atomic
def circumstance_save(
    *, actor: Any, circumstance: DiscretionCircumstance | None = None, **fields: Any
) -> DiscretionCircumstance:
    """Create or correct a circumstance and its legal effect."""
    return _rule_row_save(
        actor=actor,
        model=DiscretionCircumstance,
        row=circumstance,
        allowed=CIRCUMSTANCE_FIELDS,
        verb="discretion.circumstance",
        fields=fields,
    )


def tiers_from_rows(rows: Iterable[dict[str, Any]]) -> list[TierData]:
    """Build tiers from plain dicts (the seed and the API use this)."""
    tiers = []
    for row in rows:
        fines = [BoundsData(**fine) for fine in row.get("fines", [])]
        tiers.append(
            TierData(**{**{k: v for k, v in row.items() if k != "fines"}, "fines": fines})
        )
    return tiers


# --- baselines and adoption --------------------------------------------------------

BASELINE_FIELDS = [
    "title",
    "document_number",
    "issuing_authority",
    "level",
    "jurisdiction",
    "issued_on",
    "legal_basis",
    "source",
    "verified",
    "is_example",
    "notes",
    "effective_from",
    "effective_to",
]


@policy.requires("discretion.change_baseline")
@transaction.atomic
def baseline_save(*, actor: Any, baseline: Baseline | None = None, **fields: Any) -> Baseline:
    """Create or correct a baseline document's particulars (文号, authority, dates …)."""
    return _rule_row_save(
        actor=actor,
        model=Baseline,
        row=baseline,
        allowed=BASELINE_FIELDS,
        verb="discretion.baseline",
        fields=fields,
    )


ADOPTION_FIELDS = ["agency", "baseline", "adopted_on", "notes"]
ADOPTION_REFUSED = gettext_lazy("You may not change which baselines an agency applies.")


@policy.requires("discretion.add_baselineadoption", message=ADOPTION_REFUSED)
@transaction.atomic
def baseline_adopt(
    *,
    actor: Any,
    agency: OrgUnit,
    baseline: Baseline,
    adopted_on: datetime.date,
    notes: str = "",
) -> BaselineAdoption:
    """Record that ``agency`` applies ``baseline`` from ``adopted_on``."""
    if not unit_in_scope(actor, agency):
        raise NotAllowed(_("This agency is outside your scope."), field="agency")
    if baseline.is_example:
        raise DomainError(
            _("%(baseline)s is kept only as an example and cannot be adopted.")
            % {"baseline": baseline.citation},
            field="baseline",
        )
    agency = agency.agency()
    if BaselineAdoption.objects.filter(agency=agency, baseline=baseline).exists():
        raise Conflict(
            _("%(agency)s has already adopted %(baseline)s.")
            % {"agency": agency.name, "baseline": baseline.citation},
            field="baseline",
        )
    adoption = BaselineAdoption(
        agency=agency, baseline=baseline, adopted_on=adopted_on, notes=notes
    )
    try:
        adoption.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    adoption.save()
    audit_record(
        actor=actor,
        verb="discretion.adoption.create",
        obj=adoption,
        after=snapshot(adoption, ADOPTION_FIELDS),
        unit=agency,
    )
    return adoption


@policy.requires("discretion.delete_baselineadoption", message=ADOPTION_REFUSED)
@transaction.atomic
def baseline_adoption_end(*, actor: Any, adoption: BaselineAdoption) -> None:
    """Stop applying a baseline (the adoption row is removed, the audit keeps it)."""
    if not unit_in_scope(actor, adoption.agency):
        raise NotAllowed(_("This agency is outside your scope."), field="agency")
    before = snapshot(adoption, ADOPTION_FIELDS)
    audit_record(
        actor=actor,
        verb="discretion.adoption.delete",
        obj=adoption,
        before=before,
        unit=adoption.agency,
    )
    adoption.delete()
