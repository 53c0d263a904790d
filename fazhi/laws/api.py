"""API of the law library: laws, articles, full-text search, citation resolution.

Any staff user holding ``laws.view_law`` may read; others get 403.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fazhi.core.api_types import Id
from fazhi.laws import selectors
from fazhi.laws.choices import LawLevel, LawStatus
from fazhi.laws.citations import citation_resolve

router = Router(tags=["laws"])

_LEVELS = "^(" + "|".join(LawLevel.values) + ")?$"
_STATUSES = "^(" + "|".join(LawStatus.values) + ")?$"


def _require_read(request: HttpRequest) -> None:
    if not selectors.can_read(request.user):
        raise PermissionDenied


class LawOut(Schema):
    id: int
    title: str
    short_title: str
    level: str
    issuer: str
    region: str
    document_number: str
    version_date: datetime.date
    effective_date: datetime.date
    effective_date_stated: bool
    status: str
    repealed_on: datetime.date | None
    article_count: int
    superseded_by: int | None = Field(None, alias="superseded_by_id")
    work: str = Field(..., alias="work.key")
    url: str = Field(..., alias="get_absolute_url")


class LawDetailOut(LawOut):
    history: list[str]
    versions: list[int]

    @staticmethod
    def resolve_versions(obj: Any) -> list[int]:
        return list(obj.work.versions.order_by("-version_date").values_list("id", flat=True))


class ArticleOut(Schema):
    id: int
    seq: int
    number: int
    suffix: int
    label: str
    anchor: str
    part: str
    chapter: str
    section: str
    text: str
    paragraphs: list[dict[str, Any]]
    url: str = Field(..., alias="get_absolute_url")


class LawFilter(Schema):
    q: str = Field("", max_length=100)
    level: str = Field("", pattern=_LEVELS)
    status: str = Field("", pattern=_STATUSES)


class SearchFilter(Schema):
    q: str = Field(..., min_length=1, max_length=200)
    law: Id | None = None
    level: str = Field("", pattern=_LEVELS)
    status: str = Field("", pattern=_STATUSES)
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class HitOut(Schema):
    article_id: int
    law_id: int
    law_title: str
    version_date: datetime.date
    status: str
    label: str
    url: str
    snippet: str


class SearchOut(Schema):
    query: str
    terms: list[str]
    count: int
    capped: bool
    page: int
    per_page: int
    results: list[HitOut]


class CitationOut(Schema):
    text: str
    resolved: bool
    reason: str
    on: datetime.date | None
    law_name: str
    law_id: int | None
    law_title: str
    version_date: datetime.date | None
    article_id: int | None
    article_label: str
    paragraph: int | None
    item: int | None
    quote: str
    url: str
    citation: str


@router.get("/laws", response=list[LawOut])
@paginate
def laws(request: HttpRequest, filters: Query[LawFilter]) -> Any:
    """Law versions, filtered by title/issuer text, level and status."""
    _require_read(request)
    return selectors.law_list(
        actor=request.user, q=filters.q, level=filters.level, status=filters.status
    )


@router.get("/laws/{law_id}", response=LawDetailOut)
def law(request: HttpRequest, law_id: Id) -> Any:
    _require_read(request)
    return selectors.law_get(actor=request.user, pk=law_id)


@router.get("/laws/{law_id}/articles", response=list[ArticleOut])
@paginate
def law_articles(request: HttpRequest, law_id: Id) -> Any:
    _require_read(request)
    law = selectors.law_get(actor=request.user, pk=law_id)
    return selectors.article_list(actor=request.user, law=law)


@router.get("/articles/search", response=SearchOut)
def articles_search(request: HttpRequest, filters: Query[SearchFilter]) -> Any:
    """Full-text search; each hit carries an HTML snippet with <mark>ed terms."""
    _require_read(request)
    results = selectors.article_search(
        actor=request.user,
        q=filters.q,
        law_id=filters.law,
        level=filters.level,
        status=filters.status,
    )
    start = (filters.page - 1) * filters.per_page
    hits = results[start : start + filters.per_page]
    return {
        "query": filters.q,
        "terms": results.terms,
        "count": results.count(),
        "capped": results.capped,
        "page": filters.page,
        "per_page": filters.per_page,
        "results": [
            {
                "article_id": hit.article.pk,
                "law_id": hit.law.pk,
                "law_title": hit.law.title,
                "version_date": hit.law.version_date,
                "status": hit.law.status,
                "label": hit.article.label,
                "url": hit.article.get_absolute_url(),
                "snippet": str(hit.snippet),
            }
            for hit in hits
        ],
    }


@router.get("/citations/resolve", response=CitationOut)
def citations_resolve(
    request: HttpRequest,
    text: str = Query(..., min_length=1, max_length=2000),
    on: datetime.date | None = None,
) -> Any:
    """Resolve a citation such as 《安全生产法》第九十九条第（一）项 on a date (default today)."""
    _require_read(request)
    return citation_resolve(text, on=on).as_dict()
