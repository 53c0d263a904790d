"""API: power catalogs (/powers/…).

No ``from __future__ import annotations`` here: ninja resolves the string
annotations of a ``@paginate``-wrapped view in the wrong module.
"""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from fazhi.core import policy
from fazhi.core.api_types import Id, Year
from fazhi.powers import selectors
from fazhi.powers.models import PowerCatalog, PowerItem

router = Router(tags=["powers"])


# --- schemas ------------------------------------------------------------------


class CatalogOut(Schema):
    id: int
    agency_id: int
    agency_name: str
    year: int
    status: str
    previous_id: int | None
    template_id: int | None
    published_at: datetime.datetime | None
    item_count: int

    @staticmethod
    def resolve_agency_name(obj: PowerCatalog) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_item_count(obj: PowerCatalog) -> int:
        return getattr(obj, "item_count", None) or obj.items.count()


class ArticleRef(Schema):
    id: int
    citation: str
    law_id: int
    url: str


class DutyOut(Schema):
    stage: str
    text: str


class ItemOut(Schema):
    id: int
    catalog_id: int
    code: str
    name: str
    power_type: str
    parent_id: int | None
    lead_unit_id: int
    lead_unit_name: str
    legal_subject: str
    exercise_levels: list[str]
    first_responsible_level: str
    basis_text: str
    basis_articles: list[ArticleRef]
    responsibilities: list[DutyOut]
    accountability_basis: str
    supervision_method: str
    shared_with_counties: bool
    remarks: str
    change_reason: str
    template_item_id: int | None

    @staticmethod
    def resolve_lead_unit_name(obj: PowerItem) -> str:
        return obj.lead_unit.name

    @staticmethod
    def resolve_basis_articles(obj: PowerItem) -> list[dict[str, Any]]:
        return [
            {"id": a.pk, "citation": str(a), "law_id": a.law_id, "url": a.get_absolute_url()}
            for a in obj.basis_articles.all()
        ]


class UsageOut(Schema):
    kind: str
    label: str
    url: str
    count: int | None


class ItemDetailOut(ItemOut):
    usages: list[UsageOut]

    @staticmethod
    def resolve_usages(obj: PowerItem) -> list[dict[str, Any]]:
        return [
            {"kind": str(u.kind), "label": str(u.label), "url": u.url, "count": u.count}
            for u in selectors.power_item_usages(item=obj)
        ]


class FieldChangeOut(Schema):
    field: str
    label: str
    before: str
    after: str


class ChangeOut(Schema):
    kind: str
    code: str
    name: str
    old_id: int | None
    new_id: int | None
    reason: str
    fields: list[FieldChangeOut]


class DiffOut(Schema):
    old_id: int
    new_id: int
    sentence: str
    lines: list[str]
    total: int
    added: list[ChangeOut]
    removed: list[ChangeOut]
    changed: list[ChangeOut]


class CatalogFilter(Schema):
    agency: Id | None = None
    year: Year | None = None
    status: Literal["", "draft", "published"] = ""
    q: str = ""


class ItemFilter(Schema):
    catalog: Id | None = None
    agency: Id | None = None
    year: Year | None = None
    q: str = ""
    power_type: str = ""
    lead_unit: Id | None = None
    shared: bool | None = None
    has_basis: bool | None = None
    article: Id | None = None


# --- catalog endpoints ----------------------------------------------------------


@router.get("/powers/catalogs", response=list[CatalogOut])
@paginate
def catalogs(request: HttpRequest, filters: Query[CatalogFilter]) -> Any:
    """Catalogs the caller sees: own scope, and published catalogs above it."""
    policy.require(request.user, "powers.view_powercatalog")
    return selectors.catalog_list(
        actor=request.user,
        agency=filters.agency,
        year=filters.year,
        status=filters.status,
        q=filters.q,
    )


@router.get("/powers/catalogs/{catalog_id}", response=CatalogOut)
def catalog(request: HttpRequest, catalog_id: Id) -> Any:
    policy.require(request.user, "powers.view_powercatalog")
    return selectors.catalog_list(actor=request.user).get(pk=catalog_id)


@router.get("/powers/catalogs/{catalog_id}/diff", response=DiffOut)
def catalog_diff(request: HttpRequest, catalog_id: Id, against: Id) -> Any:
    """Added, removed and changed items between two catalogs, and the report sentence."""
    policy.require(request.user, "powers.view_powercatalog")
    this = selectors.catalog_get(actor=request.user, pk=catalog_id)
    other = selectors.catalog_get(actor=request.user, pk=against)
    old, new = (other, this) if (other.year, other.pk) <= (this.year, this.pk) else (this, other)
    diff = selectors.catalog_diff(old=old, new=new)
    return {
        "old_id": old.pk,
        "new_id": new.pk,
        "sentence": diff.sentence(),
        "lines": diff.lines(),
        "total": diff.total,
        "added": [c.as_dict() for c in diff.added],
        "removed": [c.as_dict() for c in diff.removed],
        "changed": [c.as_dict() for c in diff.changed],
    }


@router.get("/powers/items", response=list[ItemOut])
@paginate
def items(request: HttpRequest, filters: Query[ItemFilter]) -> Any:
    """Power items, filtered by catalog, type, lead unit, 市县同权, basis or article."""
    policy.require(request.user, "powers.view_poweritem")
    return selectors.item_list(actor=request.user, **filters.dict())


@router.get("/powers/items/{item_id}", response=ItemDetailOut)
def item(request: HttpRequest, item_id: Id) -> Any:
    policy.require(request.user, "powers.view_poweritem")
    return selectors.item_get(actor=request.user, pk=item_id)
