"""Reads for power catalogs, scoped once here.

Catalog visibility: an actor sees the catalogs of the agencies in their
scope (any status) and the *published* catalogs of the agencies above them
(a county sees the city's published catalog).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from fazhi.core import policy
from fazhi.core.choices import AgencyLevel, UnitKind
from fazhi.core.models import PATH_STEP, OrgUnit
from fazhi.core.selectors import scope_paths, scope_q
from fazhi.powers.choices import CatalogStatus
from fazhi.powers.diff import CatalogDiff, ItemChange, LocalChanges, compare_items, diff_items
from fazhi.powers.models import (
    CatalogTemplate,
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
    return catalog.status == CatalogStatus.DRAFT and policy.allowed(
        actor, "powers.change_poweritem", unit=catalog.agency
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
