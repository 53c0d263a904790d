"""The legal section's vocabulary: terms (术语/别称) and article numbers as people type them.

- ``data/terms.tsv`` ships sourced defaults: each row maps a doctrine or
  procedure name (with aliases) to one article, paragraph or item, quoting the
  article's own words and naming the source of the mapping. ``terms_load_defaults``
  loads it (idempotent); the legal section edits terms with ``term_save`` and
  ``term_delete`` (audited).
- ``data/law-abbreviations.tsv``: short names (安法, 处罚法) of laws.
- ``parse_article_query`` reads 安全生产法第九十九条, 安全生产法 99条, 安法99,
  行政处罚法第33条 or 第九十九条第一款第（一）项.
"""

from __future__ import annotations

import csv
import datetime
import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.audit import audit_record
from fazhi.core.errors import DomainError
from fazhi.laws.choices import LawStatus, TermOrigin
from fazhi.laws.models import Article, Law, LawTerm, LawTermRef, LawWork
from fazhi.laws.numerals import NUMERAL_CHARS, cn_to_int
from fazhi.laws.parser import NATIONAL_PREFIX, compact, work_key

DATA = Path(__file__).resolve().parent / "data"
TERMS_FILE = DATA / "terms.tsv"
ABBREVIATIONS_FILE = DATA / "law-abbreviations.tsv"

_N = f"[{NUMERAL_CHARS}0-9]+"
REFERENCE_RE = re.compile(
    rf"^《?(?P<law>[^《》第]+?)》?第(?P<num>{_N})条(?:之(?P<suf>{_N}))?"
    rf"(?:第(?P<para>{_N})款)?(?:第?[（(]?(?P<item>{_N})[)）]?项)?$"
)
# A query that is an article number: [law] [第]N[条][之M][第P款][第（I）项].
NUMBER_QUERY_RE = re.compile(
    rf"^(?P<law>.*?)\s*第?\s*(?P<num>{_N})\s*(?P<tiao>条)?(?:之(?P<suf>{_N}))?"
    rf"(?:\s*第?\s*(?P<para>{_N})\s*款)?(?:\s*第?\s*[（(]?(?P<item>{_N})[)）]?\s*项)?$"
)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _split_aliases(text: str) -> list[str]:
    return [a for a in (compact(p) for p in re.split(r"[、,，;；\n]", text or "")) if a]


# ---- references ----------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """An article reference as written in the term table (行政处罚法第五条第二款)."""

    law: str
    number: int
    suffix: int = 0
    paragraph: int | None = None
    item: int | None = None


def parse_reference(text: str) -> Reference | None:
    match = REFERENCE_RE.match(compact(text))
    if not match:
        return None
    try:
        return Reference(
            law=match.group("law"),
            number=cn_to_int(match.group("num")),
            suffix=cn_to_int(match.group("suf")) if match.group("suf") else 0,
            paragraph=cn_to_int(match.group("para")) if match.group("para") else None,
            item=cn_to_int(match.group("item")) if match.group("item") else None,
        )
    except ValueError:
        return None


@functools.cache
def abbreviations() -> dict[str, str]:
    """Short names of laws (安法 → 安全生产法), from the shipped table."""
    return {row["abbreviation"]: row["law"] for row in _rows(ABBREVIATIONS_FILE)}


def work_for_name(name: str) -> LawWork | None:
    """The law a user names: its title, short title or short name (安法)."""
    name = compact(name).strip("《》")
    if not name:
        return None
    name = abbreviations().get(name, name)
    work = LawWork.objects.filter(key=work_key(name)).first()
    if work is not None:
        return work
    law = (
        Law.objects.filter(short_title=name).select_related("work").first()
        or Law.objects.filter(title=name).select_related("work").first()
    )
    return law.work if law is not None else None


def current_version(work: LawWork, on: datetime.date | None = None) -> Law | None:
    from fazhi.laws.versions import law_in_force

    return law_in_force(work=work, on=on) or (
        Law.objects.filter(work=work).order_by("-version_date").first()
    )


def reference_article(ref: LawTermRef | Reference, work: LawWork | None = None) -> Article | None:
    """The article a reference points to, in the version in force today."""
    if work is None:
        work = ref.work if isinstance(ref, LawTermRef) else work_for_name(ref.law)
    if work is None:
        return None
    law = current_version(work)
    if law is None:
        return None
    return Article.objects.filter(law=law, number=ref.number, suffix=ref.suffix).first()


def fragment_text(article: Article, paragraph: int | None, item: int | None) -> str | None:
    """The paragraph's or item's text, or None if the article has no such part."""
    paragraphs = article.paragraphs
    if paragraph is None and item is None:
        return article.text
    index = paragraph or next((i for i, p in enumerate(paragraphs, start=1) if p.get("items")), 1)
    if not 1 <= index <= len(paragraphs):
        return None
    if item is None:
        return article.paragraph_text(index)
    chosen = next((i for i in paragraphs[index - 1].get("items", []) if i["number"] == item), None)
    if chosen is None:
        return None
    return chosen["label"] + chosen["text"]


def fragment_anchor(article: Article, paragraph: int | None, item: int | None) -> str:
    if paragraph is None and item is None:
        return ""
    index = paragraph or next(
        (i for i, p in enumerate(article.paragraphs, start=1) if p.get("items")), 1
    )
    return f"#p{index}" + (f"-i{item}" if item else "")


# ---- the shipped defaults -------------------------------------------------------


@dataclass
class DefaultRef:
    citation: str
    quote: str
    source: str
    line: int


@dataclass
class DefaultTerm:
    term: str
    aliases: list[str] = field(default_factory=list)
    refs: list[DefaultRef] = field(default_factory=list)


def default_terms() -> list[DefaultTerm]:
    """The shipped term table, grouped by term (rows of one term may repeat its aliases)."""
    terms: dict[str, DefaultTerm] = {}
    for line, row in enumerate(_rows(TERMS_FILE), start=2):
        term = terms.setdefault(row["term"], DefaultTerm(row["term"]))
        for alias in _split_aliases(row["aliases"]):
            if alias not in term.aliases and alias != term.term:
                term.aliases.append(alias)
        term.refs.append(DefaultRef(row["citation"], row["quote"], row["source"], line))
    return list(terms.values())


def _source_text(ref: DefaultRef) -> str:
    return f"{ref.source}。原文：“{ref.quote}”"


@policy.requires("laws.add_lawterm")
def terms_load_defaults(*, actor: Any) -> list[LawTerm]:
    """Load the shipped term table; return the terms created or completed.

    A term the legal section wrote or changed is left as it is. A shipped
    term gains the references whose law has arrived in the library since it
    was loaded (references to laws not in the library are skipped).
    """
    changed = []
    existing = {t.term: t for t in LawTerm.objects.prefetch_related("refs")}
    for default in default_terms():
        term = existing.get(default.term)
        if term is not None and term.origin != TermOrigin.SHIPPED:
            continue
        have = (
            {(r.work_id, r.number, r.suffix, r.paragraph, r.item) for r in term.refs.all()}
            if term is not None
            else set()
        )
        refs = []
        for ref in default.refs:
            parsed = parse_reference(ref.citation)
            work = work_for_name(parsed.law) if parsed else None
            if parsed is None or work is None:
                continue
            key = (work.pk, parsed.number, parsed.suffix, parsed.paragraph, parsed.item)
            if key not in have:
                refs.append((work, parsed, _source_text(ref)))
        if not refs:
            continue
        with transaction.atomic():
            before = None
            if term is None:
                term = LawTerm.objects.create(
                    term=default.term, aliases=default.aliases, origin=TermOrigin.SHIPPED
                )
            else:
                before = _state(term)
            start = term.refs.count()
            _store_refs(term, refs, start=start)
            audit_record(
                actor=_user(actor),
                verb="laws.lawterm.create" if before is None else "laws.lawterm.update",
                obj=term,
                before=before,
                after=_state(term),
            )
        changed.append(term)
    return changed


# ---- editing ----------------------------------------------------------------------


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _state(term: LawTerm) -> dict[str, Any]:
    return {
        "term": term.term,
        "aliases": list(term.aliases),
        "note": term.note,
        "origin": term.origin,
        "refs": [{"citation": r.citation, "source": r.source} for r in term.refs.all()],
    }


def _store_refs(
    term: LawTerm, refs: Sequence[tuple[LawWork, Reference, str]], *, start: int = 0
) -> None:
    LawTermRef.objects.bulk_create(
        LawTermRef(
            term=term,
            work=work,
            number=ref.number,
            suffix=ref.suffix,
            paragraph=ref.paragraph,
            item=ref.item,
            source=source,
            position=position,
        )
        for position, (work, ref, source) in enumerate(refs, start=start)
    )


def parse_reference_lines(text: str) -> list[tuple[str, str]]:
    """Read the edit form's references: one per line, ``citation ｜ source``."""
    lines = []
    for raw in (text or "").splitlines():
        if not raw.strip():
            continue
        parts = re.split(r"\s*[|｜]\s*", raw.strip(), maxsplit=1)
        citation = parts[0]
        source = parts[1] if len(parts) > 1 else ""
        lines.append((citation.strip(), source.strip()))
    return lines


def _check_refs(refs: Iterable[tuple[str, str]]) -> list[tuple[LawWork, Reference, str]]:
    checked = []
    problems = []
    for citation, source in refs:
        parsed = parse_reference(citation)
        if parsed is None:
            problems.append(
                _("“%(c)s” is not an article reference (e.g. 行政处罚法第五条第二款).")
                % {"c": citation}
            )
            continue
        work = work_for_name(parsed.law)
        if work is None:
            problems.append(_("The law library has no “%(name)s”.") % {"name": parsed.law})
            continue
        article = reference_article(parsed, work)
        if article is None or fragment_text(article, parsed.paragraph, parsed.item) is None:
            problems.append(_("“%(c)s” does not exist in the version in force.") % {"c": citation})
            continue
        if not source:
            problems.append(_("Give the source of the mapping for “%(c)s”.") % {"c": citation})
            continue
        checked.append((work, parsed, source))
    if problems:
        raise DomainError(" ".join(problems), field="refs")
    if not checked:
        raise DomainError(_("Give at least one article reference."), field="refs")
    return checked


@policy.requires_any("laws.add_lawterm", "laws.change_lawterm")
@transaction.atomic
def term_save(
    *,
    actor: Any,
    term: LawTerm | None = None,
    name: str,
    aliases: Sequence[str] = (),
    note: str = "",
    refs: Sequence[tuple[str, str]],
) -> LawTerm:
    """Create or change a term with its references (citation, source); audited."""
    policy.require(actor, "laws.change_lawterm" if term is not None else "laws.add_lawterm")
    name = compact(name)
    if not name:
        raise DomainError(_("Give the term."), field="term")
    clean_aliases = [a for a in dict.fromkeys(compact(a) for a in aliases) if a and a != name]
    checked = _check_refs(refs)
    clash = LawTerm.objects.filter(term=name)
    if term is not None:
        clash = clash.exclude(pk=term.pk)
    if clash.exists():
        raise DomainError(_("The term “%(t)s” exists already.") % {"t": name}, field="term")
    before = None
    if term is None:
        term = LawTerm(term=name)
    else:
        term = LawTerm.objects.select_for_update().get(pk=term.pk)
        before = _state(term)
    term.term = name
    term.aliases = clean_aliases
    term.note = (note or "").strip()
    term.origin = TermOrigin.EDITED
    term.updated_by = _user(actor)
    try:
        term.full_clean()
    except ValidationError as exc:
        raise DomainError("; ".join(exc.messages)) from exc
    term.save()
    term.refs.all().delete()
    _store_refs(term, checked)
    audit_record(
        actor=_user(actor),
        verb="laws.lawterm.update" if before is not None else "laws.lawterm.create",
        obj=term,
        before=before,
        after=_state(term),
    )
    return term


@policy.requires("laws.delete_lawterm")
@transaction.atomic
def term_delete(*, actor: Any, term: LawTerm) -> None:
    term = LawTerm.objects.select_for_update().get(pk=term.pk)
    before = _state(term)
    audit_record(actor=_user(actor), verb="laws.lawterm.delete", obj=term, before=before)
    term.delete()


# ---- reading queries ------------------------------------------------------------------


@dataclass
class TermMatch:
    """A term found in a query, and the articles it means (in the versions in force)."""

    term: LawTerm
    name: str  # the name as it occurs in the query (the term or an alias)
    hits: list[tuple[Article, LawTermRef]]


def terms_in(query: str) -> list[TermMatch]:
    """Terms whose name or alias occurs in ``query``, longest name first."""
    text = compact(query).lower()
    if len(text) < 2:
        return []
    matched: dict[int, str] = {}
    # Every search reads the table: plain SQL, without building a queryset.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, term, aliases FROM {LawTerm._meta.db_table}")
        rows = cursor.fetchall()
    for pk, term_name, aliases in rows:
        if isinstance(aliases, str):
            aliases = json.loads(aliases)
        names = sorted([term_name, *(aliases or [])], key=len, reverse=True)
        name = next((n for n in names if len(n) >= 2 and n.lower() in text), None)
        if name is not None:
            matched[pk] = name
    if not matched:
        return []
    found = [(term, matched[term.pk]) for term in LawTerm.objects.filter(pk__in=matched)]
    found.sort(key=lambda pair: -len(pair[1]))
    refs = list(LawTermRef.objects.filter(term__in=[t for t, _n in found]).select_related("work"))
    works = {ref.work_id for ref in refs}
    versions = {
        law.work_id: law
        for law in Law.objects.filter(work_id__in=works, status=LawStatus.IN_FORCE)
    }
    for ref in refs:
        if ref.work_id not in versions:
            law = current_version(ref.work)
            if law is not None:
                versions[ref.work_id] = law
    articles = {
        (a.law_id, a.number, a.suffix): a
        for a in Article.objects.filter(
            law__in=list(versions.values()), number__in={r.number for r in refs}
        ).select_related("law")
    }
    matches = []
    for term, name in found:
        hits = []
        for ref in sorted((r for r in refs if r.term_id == term.pk), key=lambda r: r.position):
            law = versions.get(ref.work_id)
            article = articles.get((law.pk, ref.number, ref.suffix)) if law else None
            if article is not None:
                hits.append((article, ref))
        matches.append(TermMatch(term, name, hits))
    return matches


@dataclass(frozen=True)
class ArticleQuery:
    """A query that names an article: law (optional), number, paragraph, item."""

    law_name: str
    number: int
    suffix: int = 0
    paragraph: int | None = None
    item: int | None = None

    @property
    def label(self) -> str:
        from fazhi.laws.numerals import article_label, int_to_cn

        text = article_label(self.number, self.suffix)
        if self.paragraph:
            text += f"第{int_to_cn(self.paragraph)}款"
        if self.item:
            text += f"第（{int_to_cn(self.item)}）项"
        return text


def parse_article_query(query: str) -> ArticleQuery | None:
    """Read a query that is an article number, with or without a law's name.

    Without 条 (安法99) a law must be named; a bare number is no article query.
    """
    text = re.sub(r"\s+", " ", (query or "").strip())
    match = NUMBER_QUERY_RE.match(text)
    if not match:
        return None
    law_name = compact(match.group("law")).strip("《》")
    if not match.group("tiao") and not law_name:
        return None
    if law_name:
        law_name = law_name.removeprefix(NATIONAL_PREFIX)
        if re.search(r"[0-9]", law_name):
            return None
    try:
        number = cn_to_int(match.group("num"))
        suffix = cn_to_int(match.group("suf")) if match.group("suf") else 0
        paragraph = cn_to_int(match.group("para")) if match.group("para") else None
        item = cn_to_int(match.group("item")) if match.group("item") else None
    except ValueError:
        return None
    if number <= 0 or number > 2000:
        return None
    return ArticleQuery(law_name, number, suffix, paragraph, item)
