"""Writes for power catalogs and general catalogs.

Every service is keyword-only, takes the actor, checks the actor's scope,
validates with ``full_clean()`` and records an audit event in the same
transaction. Permissions (``powers.change_poweritem`` …) are checked by the
views and the API; services enforce scope and state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.choices import AgencyLevel, UnitKind
from fazhi.core.errors import Conflict, DomainError, NotAllowed
from fazhi.core.models import OrgUnit
from fazhi.laws.models import Article
from fazhi.powers.choices import CatalogStatus
from fazhi.powers.importing import BasisResolver, ImportReport, catalog_day
from fazhi.powers.models import (
    CatalogTemplate,
    PowerCatalog,
    PowerItem,
    PowerItemRemoval,
    TemplateItem,
)

CATALOG_FIELDS = ["agency", "year", "status", "previous", "template", "notes", "published_at"]
CONTENT_FIELDS = [
    "code",
    "name",
    "power_type",
    "legal_subject",
    "exercise_levels",
    "first_responsible_level",
    "basis_text",
    "responsibilities",
    "accountability_basis",
    "supervision_method",
    "shared_with_counties",
    "remarks",
]
ITEM_FIELDS = [*CONTENT_FIELDS, "parent", "lead_unit", "change_reason", "template_item"]
EDITABLE_ITEM_FIELDS = {*CONTENT_FIELDS, "parent", "lead_unit", "change_reason"}


def _item_snapshot(item: PowerItem) -> dict[str, Any]:
    data = snapshot(item, ITEM_FIELDS)
    data["basis_articles"] = sorted(item.basis_articles.values_list("pk", flat=True))
    return data


def _assert_scope(actor: Any, agency: OrgUnit) -> None:
    if not policy.unit_in_scope(actor, agency):
        raise NotAllowed(_("You may not act for an agency outside your own scope."))


def _assert_draft(catalog: PowerCatalog) -> None:
    if catalog.status != CatalogStatus.DRAFT:
        raise Conflict(_("A published catalog cannot be changed; create the next year's version."))


def _validation_to_domain(exc: ValidationError) -> DomainError:
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.message_dict.items()))
        return DomainError("; ".join(errors), field=None if name == "__all__" else name)
    return DomainError("; ".join(exc.messages))


# --- catalogs -------------------------------------------------------------------


def _copy_items(
    source: Iterable[Any],
    catalog: PowerCatalog,
    *,
    lead_unit: OrgUnit | None = None,
    from_template: bool = False,
) -> list[PowerItem]:
    """Copy items (catalog or template items) into ``catalog``, keeping parents."""
    source = list(source)
    created: dict[int, PowerItem] = {}
    rows = []
    for original in source:
        item = PowerItem(
            catalog=catalog,
            lead_unit_id=lead_unit.pk if lead_unit is not None else original.lead_unit_id,
            template_item_id=original.pk if from_template else original.template_item_id,
            **{name: getattr(original, name) for name in CONTENT_FIELDS},
        )
        rows.append(item)
    PowerItem.objects.bulk_create(rows, batch_size=500)
    for original, item in zip(source, rows, strict=True):
        created[original.pk] = item
    parented = []
    for original, item in zip(source, rows, strict=True):
        if original.parent_id and original.parent_id in created:
            item.parent = created[original.parent_id]
            parented.append(item)
    PowerItem.objects.bulk_update(parented, ["parent"], batch_size=500)
    links = []
    through = PowerItem.basis_articles.through
    source_through = type(source[0]).basis_articles.through if source else None
    if source_through is not None:
        column = "poweritem_id" if not from_template else "templateitem_id"
        for link in source_through.objects.filter(**{f"{column}__in": list(created)}):
            links.append(
                through(poweritem_id=created[getattr(link, column)].pk, article_id=link.article_id)
            )
    through.objects.bulk_create(links, batch_size=1000)
    return rows


@policy.requires("powers.add_powercatalog")
@transaction.atomic
def catalog_create(
    *,
    actor: Any,
    agency: OrgUnit,
    year: int,
    copy_from: PowerCatalog | None = None,
    copy_previous: bool = True,
    notes: str = "",
) -> PowerCatalog:
    """Start a catalog version for ``year``, by default a copy of the latest earlier one."""
    _assert_scope(actor, agency)
    if agency.kind != UnitKind.AGENCY:
        raise DomainError(_("Only an agency has a power catalog."), field="agency")
    if PowerCatalog.objects.filter(agency=agency, year=year).exists():
        raise Conflict(
            _("%(agency)s already has a catalog for %(year)s.") % {"agency": agency, "year": year},
        )
    if copy_from is None and copy_previous:
        copy_from = (
            PowerCatalog.objects.filter(agency=agency, year__lt=year).order_by("-year").first()
        )
    if copy_from is not None and copy_from.agency_id != agency.pk:
        raise DomainError(
            _("A version can only be copied from the same agency."), field="copy_from"
        )
    catalog = PowerCatalog(
        agency=agency,
        year=year,
        previous=copy_from,
        template=copy_from.template if copy_from is not None else None,
        notes=notes,
    )
    catalog.full_clean()
    catalog.save()
    count = 0
    if copy_from is not None:
        items = copy_from.items.order_by("code")
        count = len(_copy_items(items, catalog))
        # General-catalog items the county dropped stay dropped, with their reason.
        PowerItemRemoval.objects.bulk_create(
            PowerItemRemoval(
                catalog=catalog,
                code=removal.code,
                name=removal.name,
                power_type=removal.power_type,
                reason=removal.reason,
                template_item_id=removal.template_item_id,
            )
            for removal in copy_from.removals.filter(template_item__isnull=False)
        )
    audit_record(
        actor=actor,
        verb="powers.powercatalog.create",
        obj=catalog,
        after={**snapshot(catalog, CATALOG_FIELDS), "items_copied": count},
        unit=agency,
    )
    return catalog


@policy.requires("powers.publish_powercatalog")
@transaction.atomic
def catalog_publish(*, actor: Any, catalog: PowerCatalog) -> PowerCatalog:
    """Publish a draft catalog; it cannot be edited afterwards."""
    catalog = PowerCatalog.objects.select_for_update().get(pk=catalog.pk)
    _assert_scope(actor, catalog.agency)
    _assert_draft(catalog)
    items = catalog.items.all()
    if not items.exists():
        raise Conflict(_("An empty catalog cannot be published."))
    without_basis = list(items.filter(basis_text="").values_list("code", flat=True)[:10])
    if without_basis:
        raise Conflict(
            _("These items have no legal basis: %(codes)s") % {"codes": "、".join(without_basis)}
        )
    before = snapshot(catalog, CATALOG_FIELDS)
    catalog.status = CatalogStatus.PUBLISHED
    catalog.published_at = timezone.now()
    catalog.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        verb="powers.powercatalog.publish",
        obj=catalog,
        before=before,
        after=snapshot(catalog, CATALOG_FIELDS),
        unit=catalog.agency,
    )
    return catalog


def _resolve_basis(catalog: PowerCatalog, text: str) -> list[Article]:
    articles, problems = BasisResolver(catalog_day(catalog))(text)
    if problems:
        raise DomainError(
            _("Unknown law citation %(reason)s") % {"reason": "; ".join(problems)},
            field="basis_text",
        )
    if text.strip() and not articles:
        raise DomainError(_("The legal basis cites no article (《…》第X条)."), field="basis_text")
    return articles


@policy.requires("powers.change_poweritem")
@transaction.atomic
def poweritem_create(
    *,
    actor: Any,
    catalog: PowerCatalog,
    basis_articles: Sequence[Article] | None = None,
    **fields: Any,
) -> PowerItem:
    """Add an item to a draft catalog; the basis text's citations are linked."""
    catalog = PowerCatalog.objects.select_for_update().get(pk=catalog.pk)
    _assert_scope(actor, catalog.agency)
    _assert_draft(catalog)
    unknown = set(fields) - EDITABLE_ITEM_FIELDS
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    item = PowerItem(catalog=catalog, **fields)
    try:
        item.full_clean(validate_unique=True)
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    articles = (
        list(basis_articles)
        if basis_articles is not None
        else _resolve_basis(catalog, item.basis_text)
    )
    item.save()
    item.basis_articles.set(articles)
    audit_record(
        actor=actor,
        verb="powers.poweritem.create",
        obj=item,
        after=_item_snapshot(item),
        unit=catalog.agency,
    )
    return item


@policy.requires("powers.change_poweritem")
@transaction.atomic
def poweritem_update(*, actor: Any, item: PowerItem, **fields: Any) -> PowerItem:
    """Change an item of a draft catalog; a changed basis text is re-linked."""
    item = PowerItem.objects.select_for_update().select_related("catalog__agency").get(pk=item.pk)
    catalog = item.catalog
    _assert_scope(actor, catalog.agency)
    _assert_draft(catalog)
    unknown = set(fields) - EDITABLE_ITEM_FIELDS
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = _item_snapshot(item)
    old_basis = item.basis_text
    for name, value in fields.items():
        setattr(item, name, value)
    try:
        item.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    relink = item.basis_text != old_basis
    articles = _resolve_basis(catalog, item.basis_text) if relink else None
    item.save()
    if articles is not None:
        item.basis_articles.set(articles)
    after = _item_snapshot(item)
    if after != before:
        audit_record(
            actor=actor,
            verb="powers.poweritem.update",
            obj=item,
            before=before,
            after=after,
            unit=catalog.agency,
        )
    return item


@policy.requires("powers.change_poweritem")
@transaction.atomic
def poweritem_remove(*, actor: Any, item: PowerItem, reason: str) -> PowerItemRemoval | None:
    """Drop an item (and its sub-items) from a draft catalog, recording why.

    The reason is kept when the item was in the previous version or came
    from the general catalog, so that diffs and local changes can show it.
    """
    item = PowerItem.objects.select_for_update().select_related("catalog__agency").get(pk=item.pk)
    catalog = item.catalog
    _assert_scope(actor, catalog.agency)
    _assert_draft(catalog)
    if not reason.strip():
        raise DomainError(_("Give the reason for removing the item."), field="reason")
    removal = None
    removed = [item, *item.children.all()]
    for each in removed:
        known_before = (
            catalog.previous_id is not None
            and PowerItem.objects.filter(catalog_id=catalog.previous_id, code=each.code).exists()
        )
        if known_before or each.template_item_id:
            record = PowerItemRemoval(
                catalog=catalog,
                code=each.code,
                name=each.name,
                power_type=each.power_type,
                reason=reason.strip(),
                template_item_id=each.template_item_id,
            )
            record.full_clean()
            record.save()
            if each.pk == item.pk:
                removal = record
    before = _item_snapshot(item)
    audit_record(
        actor=actor,
        verb="powers.poweritem.remove",
        obj=item,
        before=before,
        after={"reason": reason.strip(), "sub_items": [c.code for c in removed[1:]]},
        unit=catalog.agency,
    )
    item.delete()
    return removal


@policy.requires("powers.change_poweritem")
@transaction.atomic
def catalog_import(
    *, actor: Any, catalog: PowerCatalog, report: ImportReport, valid_only: bool = False
) -> list[PowerItem]:
    """Create the items of a checked workbook.

    Writes nothing when any row has a problem, unless ``valid_only`` is set:
    then the rows without problems are imported and the others skipped.
    """
    catalog = PowerCatalog.objects.select_for_update().get(pk=catalog.pk)
    _assert_scope(actor, catalog.agency)
    _assert_draft(catalog)
    if report.file_errors:
        raise DomainError(report.file_errors[0].reason, field="file")
    if report.invalid_count and not valid_only:
        raise DomainError(
            _("%(count)s rows have problems; nothing was imported.")
            % {"count": report.invalid_count},
            field="file",
        )
    rows = report.valid_rows
    if not rows:
        raise DomainError(_("No row can be imported."), field="file")
    existing = {item.code: item for item in catalog.items.all()}
    clash = [row.code for row in rows if row.code in existing]
    if clash:
        raise Conflict(
            _("The catalog changed meanwhile; these codes exist now: %(codes)s")
            % {"codes": "、".join(clash[:10])}
        )
    created: dict[str, PowerItem] = {}
    for row in rows:
        item = PowerItem(catalog=catalog, **row.fields)
        try:
            item.full_clean(exclude=["parent"])
        except ValidationError as exc:
            raise _validation_to_domain(exc) from exc
        created[row.code] = item
    PowerItem.objects.bulk_create(list(created.values()), batch_size=500)
    lookup = {**existing, **created}
    parented = []
    for row in rows:
        if row.parent_code:
            item = created[row.code]
            item.parent = lookup[row.parent_code]
            parented.append(item)
    PowerItem.objects.bulk_update(parented, ["parent"], batch_size=500)
    through = PowerItem.basis_articles.through
    through.objects.bulk_create(
        [
            through(poweritem_id=created[row.code].pk, article_id=article.pk)
            for row in rows
            for article in row.articles
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        verb="powers.powercatalog.import",
        obj=catalog,
        after={
            "imported": [row.code for row in rows],
            "skipped_rows": [row.row for row in report.rows if not row.valid],
        },
        unit=catalog.agency,
    )
    return list(created.values())


# --- general catalogs (通用目录) -------------------------------------------------


@policy.requires("powers.add_catalogtemplate")
@transaction.atomic
def template_derive(*, actor: Any, catalog: PowerCatalog, name: str = "") -> CatalogTemplate:
    """Make the county general catalog from a published city catalog's 市县同权 items."""
    catalog = PowerCatalog.objects.select_for_update().select_related("agency").get(pk=catalog.pk)
    _assert_scope(actor, catalog.agency)
    if catalog.status != CatalogStatus.PUBLISHED:
        raise Conflict(_("Publish the catalog before deriving the general catalog from it."))
    if catalog.agency.level != AgencyLevel.CITY:
        raise DomainError(_("Only a city catalog has a county general catalog."))
    if CatalogTemplate.objects.filter(source_catalog=catalog).exists():
        raise Conflict(_("The general catalog was already derived from this catalog."))
    shared = list(
        catalog.items.filter(shared_with_counties=True)
        .select_related("lead_unit", "parent")
        .order_by("code")
    )
    if not shared:
        raise Conflict(_("The catalog has no items marked as the same power at county level."))
    template = CatalogTemplate(
        agency=catalog.agency,
        source_catalog=catalog,
        year=catalog.year,
        name=name or _("County general power catalog (%(year)s)") % {"year": catalog.year},
    )
    template.full_clean()
    template.save()
    created: dict[int, TemplateItem] = {}
    rows = []
    for item in shared:
        row = TemplateItem(
            template=template,
            lead_unit_name=item.lead_unit.name,
            **{field: getattr(item, field) for field in CONTENT_FIELDS},
        )
        rows.append(row)
    TemplateItem.objects.bulk_create(rows)
    for item, row in zip(shared, rows, strict=True):
        created[item.pk] = row
    parented = []
    for item, row in zip(shared, rows, strict=True):
        if item.parent_id in created:
            row.parent = created[item.parent_id]
            parented.append(row)
    TemplateItem.objects.bulk_update(parented, ["parent"])
    through = TemplateItem.basis_articles.through
    through.objects.bulk_create(
        [
            through(templateitem_id=created[link.poweritem_id].pk, article_id=link.article_id)
            for link in PowerItem.basis_articles.through.objects.filter(
                poweritem_id__in=list(created)
            )
        ]
    )
    audit_record(
        actor=actor,
        verb="powers.catalogtemplate.derive",
        obj=template,
        after={"source_catalog": catalog.pk, "items": [r.code for r in rows]},
        unit=catalog.agency,
    )
    return template


@policy.requires("powers.add_powercatalog")
@transaction.atomic
def template_adopt(
    *,
    actor: Any,
    template: CatalogTemplate,
    agency: OrgUnit,
    lead_unit: OrgUnit,
    year: int | None = None,
) -> PowerCatalog:
    """Create a county's catalog from the general catalog (draft, for local changes)."""
    _assert_scope(actor, agency)
    if agency.kind != UnitKind.AGENCY or agency.level != AgencyLevel.COUNTY:
        raise DomainError(_("Only a county agency adopts the general catalog."), field="agency")
    if not agency.path.startswith(template.agency.path) or agency.pk == template.agency_id:
        raise DomainError(
            _("%(agency)s is not under %(issuer)s.")
            % {"agency": agency.name, "issuer": template.agency.name},
            field="agency",
        )
    if lead_unit.kind == UnitKind.AGENCY or lead_unit.agency().pk != agency.pk:
        raise DomainError(
            _("The lead unit must be an internal unit of %(agency)s.") % {"agency": agency.name},
            field="lead_unit",
        )
    year = year or template.year
    if PowerCatalog.objects.filter(agency=agency, year=year).exists():
        raise Conflict(
            _("%(agency)s already has a catalog for %(year)s.") % {"agency": agency, "year": year}
        )
    previous = PowerCatalog.objects.filter(agency=agency, year__lt=year).order_by("-year").first()
    catalog = PowerCatalog(agency=agency, year=year, template=template, previous=previous)
    catalog.full_clean()
    catalog.save()
    items = _copy_items(
        template.items.select_related("parent").order_by("code"),
        catalog,
        lead_unit=lead_unit,
        from_template=True,
    )
    audit_record(
        actor=actor,
        verb="powers.catalogtemplate.adopt",
        obj=catalog,
        after={
            **snapshot(catalog, CATALOG_FIELDS),
            "items": len(items),
            "lead_unit": lead_unit.pk,
        },
        unit=agency,
    )
    return catalog
