"""API of the law library: laws, articles, search, citations, the term table.

Any staff user holding ``laws.view_law`` may read; others get 403. Search
goes straight to an article named by number (安法99, 行政处罚法第33条) and
expands terms of the term table (过罚相当), saying so in ``notes`` and in each
hit's ``via``. The legal section keeps the term table (``laws.*_lawterm``).
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from fazhi.core import policy
from fazhi.core.api_types import DictOut, Id
from fazhi.core.read_cache import cached_read
from fazhi.laws import selectors, services, terms
from fazhi.laws.choices import LawLevel, LawStatus
from fazhi.laws.citations import citation_resolve
from fazhi.laws.models import LawTerm

router = Router(tags=["laws"])

_LEVELS = "^(" + "|".join(LawLevel.values) + ")?$"
_STATUSES = "^(" + "|".join(LawStatus.values) + ")?$"


def _require_read(request: HttpRequest) -> None:
    if not selectors.can_read(request.user):
        raise PermissionDenied


def _require(request: HttpRequest, permission: str) -> None:
    _require_read(request)
    if not policy.allowed(request.user, permission):
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
    effective_date_confidence: str
    effective_date_note: str
    status: str
    repealed_on: datetime.date | None
    repealed_by: int | None = Field(None, alias="repealed_by_id")
    article_count: int
    superseded_by: int | None = Field(None, alias="superseded_by_id")
    work: str = Field(..., alias="work.key")
    url: str = Field(..., alias="get_absolute_url")


class LawDetailOut(LawOut):
    history: list[str]
    versions: list[int]
    import_warnings: list[dict[str, Any]]
    heading_corrections: list[str]
    repealed_by_citation: str = ""
    repealed_by_url: str = ""

    @staticmethod
    def resolve_repealed_by_citation(obj: Any) -> str:
        from fazhi.laws.citations import citation_format

        return citation_format(obj.repealed_by) if obj.repealed_by_id else ""

    @staticmethod
    def resolve_repealed_by_url(obj: Any) -> str:
        return obj.repealed_by.get_absolute_url() if obj.repealed_by_id else ""

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


class HitOut(DictOut):
    article_id: int
    law_id: int
    law_title: str
    version_date: datetime.date
    status: str
    label: str
    url: str
    snippet: str
    via: str


class SearchOut(DictOut):
    query: str
    notes: list[str]
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
@cached_read(check=_require_read)
@paginate
def laws(request: HttpRequest, filters: Query[LawFilter]) -> Any:
    """Law versions, filtered by title/issuer text, level and status."""
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
@cached_read(check=_require_read)
def articles_search(request: HttpRequest, filters: Query[SearchFilter]) -> Any:
    """Search: articles named by number or term first, then full-text matches.

    Each hit carries an HTML snippet with <mark>ed terms, and ``via`` when it
    was found by number or term (its ``url`` then points to the paragraph or
    item named).
    """
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
        "notes": results.notes,
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
                "url": hit.url,
                "snippet": str(hit.snippet),
                "via": hit.via,
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


class HeadingsIn(Schema):
    headings: list[str] = Field(..., max_length=50)


@router.post("/laws/{law_id}/headings", response=LawDetailOut)
def law_headings(request: HttpRequest, law_id: Id, payload: HeadingsIn) -> Any:
    """Mark lines the importer warned about as chapter headings (re-reads the text)."""
    _require(request, "laws.change_law")
    law = selectors.law_get(actor=request.user, pk=law_id)
    services.law_headings_correct(actor=request.user, law=law, headings=payload.headings)
    return selectors.law_get(actor=request.user, pk=law_id)


class TermRefOut(Schema):
    citation: str
    law: str = Field(..., alias="work.key")
    number: int
    suffix: int
    paragraph: int | None
    item: int | None
    source: str


class TermOut(Schema):
    id: int
    term: str
    aliases: list[str]
    note: str
    origin: str
    updated_at: datetime.datetime
    refs: list[TermRefOut]

    @staticmethod
    def resolve_refs(obj: Any) -> list[Any]:
        return list(obj.refs.select_related("work"))


class TermRefIn(Schema):
    citation: str = Field(..., min_length=3, max_length=120)
    source: str = Field(..., min_length=1, max_length=2000)


class TermIn(Schema):
    term: str = Field(..., min_length=1, max_length=60)
    aliases: list[str] = Field(default_factory=list, max_length=30)
    note: str = Field("", max_length=2000)
    refs: list[TermRefIn] = Field(..., min_length=1, max_length=30)


class TermFilter(Schema):
    q: str = Field("", max_length=60)


@router.get("/law-terms", response=list[TermOut])
@paginate
def term_list(request: HttpRequest, filters: Query[TermFilter]) -> Any:
    """The term table (术语/别称 → articles, with the source of each mapping)."""
    _require(request, "laws.view_lawterm")
    return selectors.term_list(actor=request.user, q=filters.q)


@router.get("/law-terms/{term_id}", response=TermOut)
def term_detail(request: HttpRequest, term_id: Id) -> Any:
    _require(request, "laws.view_lawterm")
    return selectors.term_list(actor=request.user).get(pk=term_id)


def _term_fields(payload: TermIn) -> dict[str, Any]:
    return {
        "name": payload.term,
        "aliases": payload.aliases,
        "note": payload.note,
        "refs": [(ref.citation, ref.source) for ref in payload.refs],
    }


@router.post("/law-terms", response={201: TermOut})
def term_create(request: HttpRequest, payload: TermIn) -> Any:
    """Add a term; each reference must exist in the version in force and name its source."""
    _require(request, "laws.add_lawterm")
    term = terms.term_save(actor=request.user, **_term_fields(payload))
    return Status(201, term)


@router.put("/law-terms/{term_id}", response=TermOut)
def term_update(request: HttpRequest, term_id: Id, payload: TermIn) -> Any:
    _require(request, "laws.change_lawterm")
    term = selectors.term_list(actor=request.user).get(pk=term_id)
    return terms.term_save(actor=request.user, term=term, **_term_fields(payload))


@router.delete("/law-terms/{term_id}", response={204: None})
def term_delete(request: HttpRequest, term_id: Id) -> Any:
    _require(request, "laws.delete_lawterm")
    term: LawTerm = selectors.term_list(actor=request.user).get(pk=term_id)
    terms.term_delete(actor=request.user, term=term)
    return Status(204, None)
