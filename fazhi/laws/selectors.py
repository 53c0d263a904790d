"""Reads for the law library.

Law texts are reference data: every staff user holding ``laws.view_law``
reads all of them; an actor without it gets nothing. Compilations belong to
the creator's unit and are scoped like other records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString

from fazhi.core.selectors import scope_q
from fazhi.laws.choices import LawLevel, LawStatus
from fazhi.laws.models import Article, Compilation, Law, LawWork
from fazhi.laws.numerals import parse_anchor
from fazhi.laws.search import Candidates, SearchFilters, candidates, highlight, parse_query

LEVEL_ORDER = list(LawLevel.values)
VIEW_PERMISSION = "laws.view_law"


def can_read(actor: Any) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    return bool(actor.has_perm(VIEW_PERMISSION))


def today() -> datetime.date:
    return timezone.localdate()


def _level_rank() -> Case:
    return Case(
        *[When(level=level, then=Value(i)) for i, level in enumerate(LEVEL_ORDER)],
        default=Value(len(LEVEL_ORDER)),
        output_field=IntegerField(),
    )


def law_list(
    *,
    actor: Any,
    q: str = "",
    level: str = "",
    status: str = "",
    work_id: int | None = None,
) -> QuerySet[Law]:
    """Law versions the actor may read, filtered; current versions of higher rank first."""
    if not can_read(actor):
        return Law.objects.none()
    laws = Law.objects.select_related("work", "superseded_by").defer(
        "source_text", "superseded_by__source_text"
    )
    if q:
        q = q.strip()
        laws = laws.filter(
            Q(title__icontains=q)
            | Q(short_title__icontains=q)
            | Q(issuer__icontains=q)
            | Q(document_number__icontains=q)
        )
    if level:
        laws = laws.filter(level=level)
    if status:
        laws = laws.filter(status=status)
    if work_id:
        laws = laws.filter(work_id=work_id)
    return laws.annotate(level_rank=_level_rank()).order_by(
        "level_rank", "work__key", "-version_date"
    )


def law_get(*, actor: Any, pk: int) -> Law:
    """Return one version; raise Law.DoesNotExist if unknown or not readable."""
    return law_list(actor=actor).get(pk=pk)


def law_versions(*, actor: Any, law: Law) -> QuerySet[Law]:
    """All versions of the law's work, newest first."""
    return law_list(actor=actor, work_id=law.work_id).order_by("-version_date")


def work_get(*, actor: Any, key: str) -> LawWork:
    if not can_read(actor):
        raise LawWork.DoesNotExist
    return LawWork.objects.get(key=key)


def law_in_force(*, work: LawWork, on: datetime.date | None = None) -> Law | None:
    """Return the version of ``work`` in force on ``on`` (default today), if any."""
    on = on or today()
    return (
        Law.objects.filter(work=work, effective_date__lte=on)
        .filter(Q(repealed_on__isnull=True) | Q(repealed_on__gt=on))
        .order_by("-effective_date", "-version_date")
        .first()
    )


def article_list(*, actor: Any, law: Law) -> QuerySet[Article]:
    if not can_read(actor):
        return Article.objects.none()
    return Article.objects.filter(law=law).order_by("seq")


def article_get(*, actor: Any, law: Law, anchor: str) -> Article:
    """Return the article by URL key (``99``, ``10-1``) or label (``第十条之一``)."""
    key = parse_anchor(anchor)
    if key is None:
        raise Article.DoesNotExist
    return (
        article_list(actor=actor, law=law).select_related("law").get(number=key[0], suffix=key[1])
    )


@dataclass(frozen=True)
class TocEntry:
    """One 编/章/节 heading of a law and the first article under it."""

    kind: str  # part | chapter | section
    title: str
    depth: int
    anchor: str
    first_label: str


def law_toc(articles: list[Article]) -> list[TocEntry]:
    """Build the table of contents from the articles' 编/章/节 paths."""
    toc: list[TocEntry] = []
    current = ("", "", "")
    for article in articles:
        path = (article.part, article.chapter, article.section)
        for depth, kind in enumerate(("part", "chapter", "section")):
            if path[depth] and (path[: depth + 1] != current[: depth + 1]):
                toc.append(TocEntry(kind, path[depth], depth, article.anchor, article.label))
        current = path
    present = {entry.depth for entry in toc}
    if present and 0 not in present:
        shift = min(present)
        toc = [TocEntry(e.kind, e.title, e.depth - shift, e.anchor, e.first_label) for e in toc]
    return toc


@dataclass
class SearchHit:
    article: Article
    law: Law
    snippet: SafeString


class SearchResults:
    """Ranked full-text hits, sliceable and countable so Django's Paginator pages them.

    One query scores the matches (see ``search.candidates``); slicing fetches
    only the articles of the page asked for.
    """

    def __init__(self, query_text: str, filters: SearchFilters) -> None:
        self.query = parse_query(query_text)
        self.filters = filters
        self._candidates: Candidates | None = None

    @property
    def terms(self) -> list[str]:
        return self.query.terms

    @property
    def ranked(self) -> Candidates:
        if self._candidates is None:
            self._candidates = candidates(self.query, self.filters)
        return self._candidates

    @property
    def capped(self) -> bool:
        """True when more articles match than were ranked (show "N+")."""
        return self.ranked.capped

    def count(self) -> int:
        return len(self.ranked.ids)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[SearchHit]:
        if not isinstance(index, slice):
            raise TypeError("SearchResults supports slices only")
        ids = self.ranked.ids[index]
        articles = (
            Article.objects.select_related("law")
            .defer("search_text", "paragraphs", "law__source_text", "law__history")
            .in_bulk(ids)
        )
        terms = self.terms
        return [
            SearchHit(
                article=articles[pk],
                law=articles[pk].law,
                snippet=highlight(articles[pk].text, terms, width=160),
            )
            for pk in ids
            if pk in articles
        ]


def article_search(
    *,
    actor: Any,
    q: str,
    law_id: int | None = None,
    level: str = "",
    status: str = "",
) -> SearchResults:
    """Full-text search over all articles the actor may read, best match first."""
    if not can_read(actor):
        q = ""
    return SearchResults(q, SearchFilters(law_id=law_id, level=level, status=status))


def compilation_list(*, actor: Any, q: str = "") -> QuerySet[Compilation]:
    """Compilations made in the actor's part of the org tree."""
    if not can_read(actor):
        return Compilation.objects.none()
    items = Compilation.objects.filter(scope_q(actor, "unit__path")).select_related(
        "created_by", "unit"
    )
    if q:
        items = items.filter(title__icontains=q.strip())
    return items


def compilation_get(*, actor: Any, pk: int) -> Compilation:
    return compilation_list(actor=actor).get(pk=pk)


def status_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in LawStatus.choices]
