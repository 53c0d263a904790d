"""Reads for discretion baselines.

Discretion entries, rules and the no-penalty list are rule data that every
staff member may read.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from fazhi.core.models import OrgUnit
from fazhi.discretion.choices import BASELINE_LEVEL_ORDER, BaselineLevel
from fazhi.discretion.engine import (
    BoundsData,
    Calculation,
    CircumstanceValue,
    EntryData,
    Facts,
    NoPenaltyValue,
    RuleBook,
    RuleValue,
    TierData,
    calculate,
)
from fazhi.discretion.models import (
    Baseline,
    BaselineAdoption,
    DiscretionCircumstance,
    DiscretionEntry,
    DiscretionRule,
    DiscretionTier,
    NoPenaltyItem,
)


def _today() -> datetime.date:
    return timezone.localdate()


def _entries() -> QuerySet[DiscretionEntry]:
    return DiscretionEntry.objects.select_related(
        "baseline", "penalty_basis__law", "legal_provision__law"
    ).prefetch_related(
        "ranges", Prefetch("tiers", queryset=DiscretionTier.objects.prefetch_related("fines"))
    )


def discretion_entry_list(
    *,
    actor: Any,
    q: str = "",
    article: int | None = None,
    law: int | None = None,
    on: datetime.date | None = None,
    unverified: bool | None = None,
) -> QuerySet[DiscretionEntry]:
    if not getattr(actor, "is_authenticated", False):
        return DiscretionEntry.objects.none()
    entries = _entries()
    if q:
        entries = entries.filter(
            Q(code__icontains=q)
            | Q(violation__icontains=q)
            | Q(penalty_basis_text__icontains=q)
            | Q(legal_provision_text__icontains=q)
        )
    if article:
        entries = entries.filter(Q(penalty_basis_id=article) | Q(legal_provision_id=article))
    if law:
        entries = entries.filter(Q(penalty_basis__law_id=law) | Q(legal_provision__law_id=law))
    if on:
        # The entry and its document must both be in force.
        entries = entries.filter(
            Q(effective_from__lte=on),
            Q(effective_to__isnull=True) | Q(effective_to__gte=on),
            Q(baseline__isnull=True) | Q(baseline__effective_from__lte=on),
            Q(baseline__isnull=True)
            | Q(baseline__effective_to__isnull=True)
            | Q(baseline__effective_to__gte=on),
        )
    if unverified is not None:
        flagged = DiscretionTier.objects.filter(verified=False).values("entry_id")
        entries = entries.filter(pk__in=flagged) if unverified else entries.exclude(pk__in=flagged)
    return entries.order_by("code", "-effective_from")


def discretion_entry_get(*, actor: Any, pk: int) -> DiscretionEntry:
    return discretion_entry_list(actor=actor).get(pk=pk)


def discretion_entry_find(
    *, actor: Any, ref: str | int, on: datetime.date | None = None
) -> DiscretionEntry:
    """Find an entry by id, or by code (the version in force on ``on``)."""
    entries = discretion_entry_list(actor=actor)
    if isinstance(ref, int) or str(ref).isdigit():
        by_id = entries.filter(pk=int(ref)).first()
        if by_id is not None:
            return by_id
    return discretion_entry_list(actor=actor, on=on or _today()).filter(code=str(ref)).get()


def entry_versions(entry: DiscretionEntry) -> QuerySet[DiscretionEntry]:
    return DiscretionEntry.objects.filter(
        Q(baseline__isnull=True) if entry.baseline_id is None else Q(baseline=entry.baseline_id),
        code=entry.code,
    ).order_by("-effective_from")


def entry_data(entry: DiscretionEntry) -> EntryData:
    """Convert a stored entry (ranges, tiers, fines) to plain data."""

    def bounds(row: Any) -> BoundsData:
        return BoundsData(
            target=row.target,
            stage=row.stage,
            min_amount=row.min_amount,
            max_amount=row.max_amount,
            min_inclusive=row.min_inclusive,
            max_inclusive=row.max_inclusive,
            measure=row.measure,
            extra_measures=list(row.extra_measures),
            gains_threshold=row.gains_threshold,
            alternative_min=row.alternative_min,
            alternative_max=row.alternative_max,
            base_stage=row.base_stage,
            provision=row.provision,
            ref=row.pk,
        )

    tiers = [
        TierData(
            order=tier.order,
            name=tier.name,
            condition_kind=tier.condition_kind,
            condition_text=tier.condition_text,
            condition_fact=tier.condition_fact,
            condition_fact_label=tier.condition_fact_label,
            condition_lower=tier.condition_lower,
            condition_lower_inclusive=tier.condition_lower_inclusive,
            condition_upper=tier.condition_upper,
            condition_upper_inclusive=tier.condition_upper_inclusive,
            condition_circumstance=tier.condition_circumstance,
            mitigated=tier.mitigated,
            mitigation_ground=tier.mitigation_ground,
            verified=tier.verified,
            source=tier.source,
            notes=tier.notes,
            fines=[bounds(fine) for fine in tier.fines.all()],
            ref=tier.pk,
        )
        for tier in entry.tiers.all()
    ]
    return EntryData(
        code=entry.code,
        violation=entry.violation,
        penalty_basis_text=entry.penalty_basis_text,
        effective_from=entry.effective_from,
        effective_to=entry.effective_to,
        legal_provision_text=entry.legal_provision_text,
        penalty_clause=entry.penalty_clause,
        no_discretion=entry.no_discretion,
        issuing_document=entry.issuing_document,
        tier_required=entry.tier_required,
        no_fault_exception=entry.no_fault_exception,
        measures=list(entry.measures),
        baseline_id=entry.baseline_id,
        notes=entry.notes,
        ranges=[bounds(row) for row in entry.ranges.all()],
        tiers=sorted(tiers, key=lambda t: t.order),
    )


def _in_force(queryset: QuerySet[Any], on: datetime.date) -> QuerySet[Any]:
    return queryset.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def rulebook_load(
    on: datetime.date | None = None, *, baselines: Collection[int] | None = None
) -> RuleBook:
    """Load the rules, circumstances and no-penalty rows in force on ``on``.

    ``baselines`` (ids) limits the no-penalty rows to those documents.
    """
    day = on or _today()
    rows = _in_force(NoPenaltyItem.objects.all(), day)
    if baselines is not None:
        rows = rows.filter(baseline_id__in=baselines)
    rules: dict[str, RuleValue] = {}
    for rule in _in_force(DiscretionRule.objects.all(), day).order_by("code", "effective_from"):
        rules[rule.code] = RuleValue(rule.code, rule.lower, rule.upper, rule.source, rule.verified)
    circumstances: dict[str, CircumstanceValue] = {}
    for row in _in_force(DiscretionCircumstance.objects.all(), day).order_by("effective_from"):
        circumstances[row.code] = CircumstanceValue(
            row.code, row.name, row.effect, row.source, row.verified, row.same_as_stage
        )
    no_penalty = [
        NoPenaltyValue(
            code=row.code,
            entry_code=row.entry_code,
            matter=row.matter,
            circumstance_text=row.circumstance_text,
            no_penalty_basis_text=row.no_penalty_basis_text,
            decision=row.decision,
            requires_first_violation=row.requires_first_violation,
            requires_corrected_in_time=row.requires_corrected_in_time,
            max_harm=row.max_harm,
            condition_fact=row.condition_fact,
            condition_upper=row.condition_upper,
            condition_upper_inclusive=row.condition_upper_inclusive,
            verified=row.verified,
        )
        for row in rows.order_by("code")
    ]
    return RuleBook(on=day, rules=rules, circumstances=circumstances, no_penalty=no_penalty)


def entry_calculate(
    *,
    entry: DiscretionEntry,
    facts: Facts,
    on: datetime.date | None = None,
    rules: RuleBook | None = None,
) -> Calculation:
    """Return the decision class, recommended range and trace for ``facts``."""
    return calculate(entry_data(entry), facts, rules or rulebook_load(on))


def circumstance_list(*, on: datetime.date | None = None) -> QuerySet[DiscretionCircumstance]:
    return _in_force(DiscretionCircumstance.objects.all(), on or _today()).order_by(
        "sort_order", "code"
    )


def rule_list() -> QuerySet[DiscretionRule]:
    return DiscretionRule.objects.order_by("code", "-effective_from")


def no_penalty_list(
    *, actor: Any, q: str = "", decision: str = "", on: datetime.date | None = None
) -> QuerySet[NoPenaltyItem]:
    if not getattr(actor, "is_authenticated", False):
        return NoPenaltyItem.objects.none()
    items = NoPenaltyItem.objects.all()
    if q:
        items = items.filter(
            Q(code__icontains=q)
            | Q(matter__icontains=q)
            | Q(basis_text__icontains=q)
            | Q(entry_code__icontains=q)
        )
    if decision:
        items = items.filter(decision=decision)
    if on:
        items = _in_force(items, on)
    return items.order_by("code", "-effective_from")


def entry_facts(entry: DiscretionEntry) -> list[tuple[str, str]]:
    """The counted facts an entry's tiers test: (name, label)."""
    seen: dict[str, str] = {}
    for tier in entry.tiers.all():
        if tier.condition_fact and tier.condition_fact not in seen:
            seen[tier.condition_fact] = tier.condition_fact_label or tier.condition_fact
    return list(seen.items())


def decimal_or_none(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def baseline_list(*, include_examples: bool = True) -> QuerySet[Baseline]:
    """Every baseline document; examples of other jurisdictions last."""
    baselines = Baseline.objects.annotate(entry_count=Count("entries"))
    if not include_examples:
        baselines = baselines.filter(is_example=False)
    return baselines.order_by("is_example", "level", "jurisdiction", "-effective_from")


def adoptions_for(agency: OrgUnit) -> QuerySet[BaselineAdoption]:
    return BaselineAdoption.objects.filter(agency=agency).select_related("baseline")


def adopted_baselines(*, agency: OrgUnit, on: datetime.date) -> list[Baseline]:
    """The documents ``agency`` applies on ``on``: adopted by then and in force.

    Ordered from the most general (national) to the most local, so that a
    later document's entry replaces an earlier one's.
    """
    rows = adoptions_for(agency).filter(adopted_on__lte=on, baseline__is_example=False)
    baselines = [row.baseline for row in rows if row.baseline.in_force_on(on)]
    return sorted(baselines, key=lambda b: BASELINE_LEVEL_ORDER.index(BaselineLevel(b.level)))
