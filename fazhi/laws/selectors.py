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
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.selectors import scope_q
from fazhi.laws.choices import LawLevel, LawStatus
from fazhi.laws.citations import citation_format
from fazhi.laws.models import Article, Compilation, Law, LawTerm, LawWork
from fazhi.laws.numerals import parse_anchor
from fazhi.laws.search import Candidates, SearchFilters, candidates, highlight, parse_query
from fazhi.laws.terms import (
    ArticleQuery,
    current_version,
    fragment_anchor,
    fragment_text,
    parse_article_query,
    terms_in,
    work_for_name,
)

LEVEL_ORDER = list(LawLevel.values)
VIEW_PERMISSION = "laws.view_law"


def can_read(actor: Any) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    return policy.allowed(actor, VIEW_PERMISSION)


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
    via: str = ""  # why the hit is there, if not by its words (term, article number)
    url: str = ""

    def __post_init__(self) -> None:
        self.url = self.url or self.article.get_absolute_url()


@dataclass(frozen=True)
class DirectHit:
    """An article the query names (by number or through a term), ahead of the word matches."""

    article_id: int
    via: str
    fragment: str  # #p1-i1 for a paragraph or item, else ""
    text: str  # what to show: the paragraph or item named, else the article


class SearchResults:
    """Ranked hits, sliceable and countable so Django's Paginator pages them.

    First the articles the query names — an article number (安法99,
    第九十九条第一款) or a term of the term table (过罚相当) — each saying so
    in ``notes``; then the full-text matches (see ``search.candidates``).
    Slicing fetches only the articles of the page asked for.
    """

    def __init__(self, query_text: str, filters: SearchFilters) -> None:
        self.text = (query_text or "").strip()
        self.query = parse_query(self.text)
        self.filters = filters
        self._candidates: Candidates | None = None
        self._direct: list[DirectHit] | None = None
        self._ids: list[int] | None = None
        self._notes: list[str] = []

    @property
    def terms(self) -> list[str]:
        return self.query.terms

    @property
    def notes(self) -> list[str]:
        """What the search did besides matching words: 按术语“…”匹配到…, 按条号…直达…"""
        _ = self.direct
        return self._notes

    @property
    def direct(self) -> list[DirectHit]:
        if self._direct is None:
            self._direct = self._find_direct() if self.text else []
        return self._direct

    def _allowed(self, law: Law) -> bool:
        filters = self.filters
        if filters.law_id and law.pk != filters.law_id:
            return False
        if filters.level and law.level != filters.level:
            return False
        return not (filters.status and law.status != filters.status)

    def _find_direct(self) -> list[DirectHit]:
        hits: list[DirectHit] = []
        seen: set[int] = set()

        def add(article: Article, via: str, paragraph: int | None, item: int | None) -> None:
            text = fragment_text(article, paragraph, item)
            if article.pk in seen or text is None or not self._allowed(article.law):
                return
            seen.add(article.pk)
            fragment = fragment_anchor(article, paragraph, item)
            hits.append(DirectHit(article.pk, via, fragment, text))
            self._notes.append(via)

        number = parse_article_query(self.text)
        if number is not None:
            for article in self._numbered(number):
                citation = citation_format(article, paragraph=number.paragraph, item=number.item)
                via = _("Article number “%(query)s”: %(citation)s") % {
                    "query": self.text,
                    "citation": citation,
                }
                add(article, via, number.paragraph, number.item)
        for match in terms_in(self.text):
            for article, ref in match.hits:
                via = _("By term “%(term)s”: %(citation)s") % {
                    "term": match.name,
                    "citation": citation_format(article, paragraph=ref.paragraph, item=ref.item),
                }
                add(article, via, ref.paragraph, ref.item)
        return hits

    def _numbered(self, number: ArticleQuery) -> list[Article]:
        articles = Article.objects.select_related("law").filter(
            number=number.number, suffix=number.suffix
        )
        if number.law_name:
            work = work_for_name(number.law_name)
            if work is None:
                return []
            chosen = None
            if self.filters.law_id:
                chosen = Law.objects.filter(pk=self.filters.law_id, work=work).first()
            chosen = chosen or current_version(work)
            return list(articles.filter(law=chosen)) if chosen else []
        if self.filters.law_id:
            return list(articles.filter(law_id=self.filters.law_id))
        rows = articles.filter(law__status=LawStatus.IN_FORCE).values_list(
            "pk", "law__level", "law__work__key"
        )
        rank = {level: i for i, level in enumerate(LEVEL_ORDER)}
        ordered = sorted(rows, key=lambda r: (rank.get(r[1], len(rank)), r[2]))[:50]
        found = articles.in_bulk([r[0] for r in ordered])
        return [found[r[0]] for r in ordered if r[0] in found]

    @property
    def ranked(self) -> Candidates:
        if self._candidates is None:
            # Articles named by number or term answer the query: words that
            # never meet in one article are then not searched one by one.
            self._candidates = candidates(self.query, self.filters, any_word=not self.direct)
        return self._candidates

    @property
    def ids(self) -> list[int]:
        if self._ids is None:
            first = [hit.article_id for hit in self.direct]
            named = set(first)
            self._ids = first + [pk for pk in self.ranked.ids if pk not in named]
        return self._ids

    @property
    def capped(self) -> bool:
        """True when more articles match than were ranked (show "N+")."""
        return self.ranked.capped

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[SearchHit]:
        if not isinstance(index, slice):
            raise TypeError("SearchResults supports slices only")
        ids = self.ids[index]
        articles = (
            Article.objects.select_related("law")
            .defer("search_text", "law__source_text", "law__history")
            .in_bulk(ids)
        )
        direct = {hit.article_id: hit for hit in self.direct}
        terms = self.terms
        hits = []
        for pk in ids:
            if pk not in articles:
                continue
            article = articles[pk]
            named = direct.get(pk)
            if named is not None:
                hits.append(
                    SearchHit(
                        article=article,
                        law=article.law,
                        snippet=highlight(named.text, terms, width=160),
                        via=named.via,
                        url=article.get_absolute_url() + named.fragment,
                    )
                )
            else:
                hits.append(
                    SearchHit(
                        article=article,
                        law=article.law,
                        snippet=highlight(article.text, terms, width=160),
                    )
                )
        return hits


def article_search(
    *,
    actor: Any,
    q: str,
    law_id: int | None = None,
    level: str = "",
    status: str = "",
) -> SearchResults:
    """Search all articles the actor may read: named articles first, then best word matches."""
    if not can_read(actor):
        q = ""
    return SearchResults(q, SearchFilters(law_id=law_id, level=level, status=status))


def term_list(*, actor: Any, q: str = "") -> QuerySet[LawTerm]:
    """The term table, for staff who may read it; ``q`` matches a term or an alias."""
    if not can_read(actor) or not policy.allowed(actor, "laws.view_lawterm"):
        return LawTerm.objects.none()
    items = LawTerm.objects.prefetch_related("refs__work")
    q = (q or "").strip()
    if q:
        matching = [t.pk for t in items if any(q in name for name in t.names)]
        items = items.filter(pk__in=matching)
    return items.order_by("term")


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
