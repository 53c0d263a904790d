"""Reads for power catalogs and discretion baselines, scoped once here.

Catalog visibility: an actor sees the catalogs of the agencies in their
scope (any status) and the *published* catalogs of the agencies above them
(a county sees the city's published catalog). Discretion entries, rules and
the no-penalty list are rule data that every staff member may read.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from fazhi.core.choices import AgencyLevel, UnitKind
from fazhi.core.models import PATH_STEP, OrgUnit
from fazhi.core.selectors import scope_paths, scope_q, unit_in_scope
from fazhi.powers.choices import CatalogStatus
from fazhi.powers.diff import CatalogDiff, ItemChange, LocalChanges, compare_items, diff_items
from fazhi.powers.discretion import (
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
from fazhi.powers.models import (
    CatalogTemplate,
    DiscretionCircumstance,
    DiscretionEntry,
    DiscretionRule,
    DiscretionTier,
    NoPenaltyItem,
    PowerCatalog,
    PowerItem,
    TemplateItem,
)
from fazhi.powers.usages import Usage, power_item_usages

__all__ = ["Usage", "power_item_usages"]


# --- catalogs -------------------------------------------------------------------


def _ancestor_paths(paths: list[str]) -> set[str]:
    step = PATH_STEP + 1
    result: set[str] = set()
    for path in paths:
        for end in range(step, len(path), step):
            result.add(path[:end])
    return result


def _catalog_q(actor: Any, prefix: str = "") -> Q:
    paths = scope_paths(actor)
    if paths is None:
        return Q()
    q = scope_q(actor, f"{prefix}agency__path")
    above = _ancestor_paths(paths)
    if above:
        q |= Q(**{f"{prefix}status": CatalogStatus.PUBLISHED, f"{prefix}agency__path__in": above})
    return q


def catalog_list(
    *,
    actor: Any,
    agency: int | None = None,
    year: int | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[PowerCatalog]:
    catalogs = (
        PowerCatalog.objects.filter(_catalog_q(actor))
        .select_related("agency", "template", "previous")
        .annotate(item_count=Count("items"))
        .order_by("agency__path", "-year")
    )
    if agency:
        catalogs = catalogs.filter(agency_id=agency)
    if year:
        catalogs = catalogs.filter(year=year)
    if status:
        catalogs = catalogs.filter(status=status)
    if q:
        catalogs = catalogs.filter(Q(agency__name__icontains=q) | Q(notes__icontains=q))
    return catalogs


def catalog_get(*, actor: Any, pk: int) -> PowerCatalog:
    return (
        PowerCatalog.objects.filter(_catalog_q(actor))
        .select_related("agency", "template", "previous")
        .get(pk=pk)
    )


def catalog_can_edit(actor: Any, catalog: PowerCatalog) -> bool:
    """Whether the actor may change the items of ``catalog`` now."""
    return (
        catalog.status == CatalogStatus.DRAFT
        and actor.has_perm("powers.change_poweritem")
        and unit_in_scope(actor, catalog.agency)
    )


def catalog_agencies(*, actor: Any) -> QuerySet[OrgUnit]:
    """Agencies the actor may make catalogs for."""
    return OrgUnit.objects.filter(scope_q(actor, "path"), kind=UnitKind.AGENCY).order_by("path")


def visible_agencies(*, actor: Any) -> QuerySet[OrgUnit]:
    """Agencies whose catalogs the actor may see (own scope and above)."""
    paths = scope_paths(actor)
    agencies = OrgUnit.objects.filter(kind=UnitKind.AGENCY)
    if paths is None:
        return agencies.order_by("path")
    return agencies.filter(scope_q(actor, "path") | Q(path__in=_ancestor_paths(paths))).order_by(
        "path"
    )


def agency_units(agency: OrgUnit) -> QuerySet[OrgUnit]:
    """The internal units of ``agency`` (not those of agencies below it)."""
    below = OrgUnit.objects.filter(path__startswith=agency.path, kind=UnitKind.AGENCY).exclude(
        pk=agency.pk
    )
    units = OrgUnit.objects.filter(path__startswith=agency.path).exclude(kind=UnitKind.AGENCY)
    for sub in below.values_list("path", flat=True):
        units = units.exclude(path__startswith=sub)
    return units.order_by("path")


def _item_queryset() -> QuerySet[PowerItem]:
    return PowerItem.objects.select_related(
        "catalog__agency", "lead_unit", "parent"
    ).prefetch_related("basis_articles__law")


def item_list(
    *,
    actor: Any,
    catalog: PowerCatalog | int | None = None,
    q: str = "",
    power_type: str = "",
    lead_unit: int | None = None,
    shared: bool | None = None,
    has_basis: bool | None = None,
    article: int | None = None,
    year: int | None = None,
    agency: int | None = None,
) -> QuerySet[PowerItem]:
    items = _item_queryset().filter(_catalog_q(actor, "catalog__"))
    if catalog is not None:
        items = items.filter(catalog=catalog)
    if q:
        items = items.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(basis_text__icontains=q)
        )
    if power_type:
        items = items.filter(power_type=power_type)
    if lead_unit:
        items = items.filter(lead_unit_id=lead_unit)
    if shared is not None:
        items = items.filter(shared_with_counties=shared)
    if has_basis is not None:
        linked = PowerItem.basis_articles.through.objects.values("poweritem_id")
        items = items.filter(pk__in=linked) if has_basis else items.exclude(pk__in=linked)
    if article:
        items = items.filter(basis_articles=article)
    if year:
        items = items.filter(catalog__year=year)
    if agency:
        items = items.filter(catalog__agency_id=agency)
    return items.order_by("catalog__agency__path", "-catalog__year", "code")


def item_get(*, actor: Any, pk: int) -> PowerItem:
    return _item_queryset().filter(_catalog_q(actor, "catalog__")).get(pk=pk)


def _diff_queryset(catalog: PowerCatalog) -> QuerySet[PowerItem]:
    return catalog.items.select_related("lead_unit", "parent").prefetch_related(
        "basis_articles__law"
    )


def catalog_diff(*, old: PowerCatalog, new: PowerCatalog) -> CatalogDiff:
    """Compare two catalogs: added, removed and changed items with reasons."""
    reasons = dict(new.removals.values_list("code", "reason"))
    added, removed, changed = diff_items(
        _diff_queryset(old), _diff_queryset(new), removal_reasons=reasons
    )
    return CatalogDiff(old=old, new=new, added=added, removed=removed, changed=changed)


def catalog_local_changes(*, catalog: PowerCatalog) -> LocalChanges | None:
    """How an adopted county catalog departs from its general catalog."""
    template = catalog.template
    if template is None:
        return None
    template_items = {
        item.pk: item
        for item in template.items.select_related("parent").prefetch_related("basis_articles__law")
    }
    items = list(_diff_queryset(catalog))
    reasons = dict(
        catalog.removals.filter(template_item__isnull=False).values_list(
            "template_item_id", "reason"
        )
    )
    adopted = {item.template_item_id for item in items if item.template_item_id}
    added = [
        ItemChange("added", item.code, item.name, new=item, reason=item.change_reason)
        for item in items
        if item.template_item_id not in template_items
    ]
    removed = [
        ItemChange("removed", ti.code, ti.name, old=ti, reason=reasons.get(pk, ""))
        for pk, ti in sorted(template_items.items(), key=lambda kv: kv[1].code)
        if pk not in adopted
    ]
    modified = []
    for item in items:
        original = template_items.get(item.template_item_id or 0)
        if original is None:
            continue
        fields = compare_items(original, item, skip=["lead_unit"])
        if fields:
            modified.append(
                ItemChange(
                    "changed",
                    item.code,
                    item.name,
                    old=original,
                    new=item,
                    fields=fields,
                    reason=item.change_reason,
                )
            )
    return LocalChanges(catalog, template, added, removed, modified)


def _template_q(actor: Any) -> Q:
    paths = scope_paths(actor)
    if paths is None:
        return Q()
    return scope_q(actor, "agency__path") | Q(agency__path__in=_ancestor_paths(paths))


def template_list(
    *, actor: Any, q: str = "", year: int | None = None
) -> QuerySet[CatalogTemplate]:
    templates = (
        CatalogTemplate.objects.filter(_template_q(actor))
        .select_related("agency", "source_catalog")
        .annotate(item_count=Count("items", distinct=True))
    )
    if q:
        templates = templates.filter(Q(name__icontains=q) | Q(agency__name__icontains=q))
    if year:
        templates = templates.filter(year=year)
    return templates.order_by("-year", "agency__path")


def template_get(*, actor: Any, pk: int) -> CatalogTemplate:
    return (
        CatalogTemplate.objects.filter(_template_q(actor))
        .select_related("agency", "source_catalog")
        .get(pk=pk)
    )


def template_items(template: CatalogTemplate) -> QuerySet[TemplateItem]:
    return template.items.select_related("parent").prefetch_related("basis_articles__law")


def template_adoptions(*, actor: Any, template: CatalogTemplate) -> list[dict[str, Any]]:
    """The county catalogs made from ``template`` that the actor sees, with change counts."""
    rows = []
    for catalog in catalog_list(actor=actor).filter(template=template):
        changes = catalog_local_changes(catalog=catalog)
        rows.append({"catalog": catalog, "changes": changes})
    return rows


def adoptable_agencies(*, actor: Any, template: CatalogTemplate) -> QuerySet[OrgUnit]:
    """County agencies under the template's issuer, in scope, without a catalog that year."""
    taken = PowerCatalog.objects.filter(year=template.year).values("agency_id")
    return (
        OrgUnit.objects.filter(
            scope_q(actor, "path"),
            kind=UnitKind.AGENCY,
            level=AgencyLevel.COUNTY,
            path__startswith=template.agency.path,
        )
        .exclude(pk__in=taken)
        .order_by("path")
    )


# --- discretion -------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _entries() -> QuerySet[DiscretionEntry]:
    return DiscretionEntry.objects.select_related(
        "penalty_basis__law", "legal_provision__law"
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
        entries = entries.filter(effective_from__lte=on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on)
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
    return DiscretionEntry.objects.filter(code=entry.code).order_by("-effective_from")


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
        notes=entry.notes,
        ranges=[bounds(row) for row in entry.ranges.all()],
        tiers=sorted(tiers, key=lambda t: t.order),
    )


def _in_force(queryset: QuerySet[Any], on: datetime.date) -> QuerySet[Any]:
    return queryset.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def rulebook_load(on: datetime.date | None = None) -> RuleBook:
    """Load the rules, circumstances and no-penalty rows in force on ``on``."""
    day = on or _today()
    rules: dict[str, RuleValue] = {}
    for rule in _in_force(DiscretionRule.objects.all(), day).order_by("code", "effective_from"):
        rules[rule.code] = RuleValue(rule.code, rule.lower, rule.upper, rule.source, rule.verified)
    circumstances: dict[str, CircumstanceValue] = {}
    for row in _in_force(DiscretionCircumstance.objects.all(), day).order_by("effective_from"):
        circumstances[row.code] = CircumstanceValue(
            row.code, row.name, row.effect, row.source, row.verified
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
        for row in _in_force(NoPenaltyItem.objects.all(), day).order_by("code")
    ]
    return RuleBook(on=day, rules=rules, circumstances=circumstances, no_penalty=no_penalty)


def discretion_calculate(
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
