"""Citations (引用): resolve strings such as 《安全生产法》第九十九条第（一）项.

Public functions for other apps (stable signatures):

- ``citation_resolve(text, *, on=None) -> Citation`` — the first citation in
  ``text``, resolved against the version in force on ``on`` (default today).
- ``citations_find(text, *, on=None) -> list[Citation]`` — every citation in a
  free text (e.g. a catalog's 实施依据 cell), carrying the last-named law
  forward for "第X条、第Y条" and for 本法 / 本条例.
- Both take ``lookups=Lookups()`` to share the library lookups over a batch
  of texts (an import resolves thousands of citations to a few articles).
- ``citation_format(article, *, paragraph=None, item=None) -> str`` — the
  citation string for an article (round-trips through ``citation_resolve``).

A ``Citation`` either carries ``law``, ``article``, ``paragraph``, ``item``,
the exact ``quote`` and the article's ``url``, or a ``reason`` saying why it
could not be resolved. Laws are named with or without 《》, by full or short
title; bare names are recognized only when the library knows them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.laws.models import Article, Law, LawWork, item_text
from fazhi.laws.numerals import NUMERAL_CHARS, article_label, cn_to_int, int_to_cn
from fazhi.laws.parser import NATIONAL_PREFIX, compact, work_key

_NUM = f"[{NUMERAL_CHARS}0-9]+"
_LAW_SUFFIX = r"(?:法|条例|规定|办法|细则|决定|规则|意见|通知|准则|解释|纲要)"
QUOTED_RE = rf"《[^《》\n]{{1,80}}?{_LAW_SUFFIX}(?:[（(][^）)]{{1,12}}[)）])?》"
SELF_RE = r"本(?:法|条例|规定|办法|细则|决定)"
ARTICLE_RE = rf"第(?P<num>{_NUM})条(?:之(?P<suf>{_NUM}))?"
PARAGRAPH_RE = rf"第(?P<para>{_NUM})款"
ITEM_RE = rf"第?[（(](?P<item>{_NUM})[)）]项|第(?P<item2>{_NUM})项"
# A name nobody registered, standing right before 第X条 after a boundary
# (刑法第一条): recognized so that it is reported, not mistaken for the last law.
BARE_RE = (
    rf"(?<![\u4e00-\u9fa5《])[\u4e00-\u9fa5]{{1,30}}?(?:法|条例|规定|办法|细则)"
    rf"(?=第{_NUM}条)"
)
LEAD_WORDS_RE = re.compile(r"^.*(?:依照|依据|根据|按照|违反|适用|参照|执行|对照|符合|或者|以及)")
SEPARATOR_RE = re.compile(r"^(?:[\s、，,;；和及与]|或者|以及|或)*$")


@dataclass
class Citation:
    """引用 — one citation, resolved to an article or with the reason it was not."""

    text: str
    start: int = 0
    end: int = 0
    law_name: str = ""
    article_label: str = ""
    paragraph: int | None = None
    item: int | None = None
    on: datetime.date | None = None
    law: Law | None = None
    article: Article | None = None
    quote: str = ""
    url: str = ""
    reason: str = ""
    _number: int = field(default=0, repr=False)
    _suffix: int = field(default=0, repr=False)

    @property
    def resolved(self) -> bool:
        return self.article is not None and not self.reason

    @property
    def paragraph_label(self) -> str:
        """第一款 — the 款 as a citation writes it (Chinese numerals), or ""."""
        return f"第{int_to_cn(self.paragraph)}款" if self.paragraph else ""

    @property
    def item_label(self) -> str:
        """第（一）项 — the 项 as a citation writes it, or ""."""
        return f"第（{int_to_cn(self.item)}）项" if self.item else ""

    @property
    def formatted(self) -> str:
        """The canonical citation string of what was resolved ("" if nothing was)."""
        if self.article is None:
            return ""
        return citation_format(self.article, paragraph=self.paragraph, item=self.item)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (the API returns this)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "resolved": self.resolved,
            "reason": self.reason,
            "on": self.on.isoformat() if self.on else None,
            "law_name": self.law_name,
            "law_id": self.law.pk if self.law else None,
            "law_title": self.law.title if self.law else "",
            "version_date": self.law.version_date.isoformat() if self.law else None,
            "article_id": self.article.pk if self.article else None,
            "article_label": self.article_label,
            "paragraph": self.paragraph,
            "item": self.item,
            "quote": self.quote,
            "url": self.url,
            "citation": self.formatted,
        }


def citation_format(
    article: Article, *, paragraph: int | None = None, item: int | None = None
) -> str:
    """Write the citation of an article, e.g. 《安全生产法》第九十九条第（一）项.

    The 款 is named when the article has more than one paragraph (or one is
    asked for explicitly on a multi-paragraph article); items are written 第（X）项.
    """
    law = article.law
    text = f"《{law.short_title or law.title}》{article.label}"
    if paragraph and len(article.paragraphs) > 1:
        text += f"第{int_to_cn(paragraph)}款"
    elif item and len(article.paragraphs) > 1:
        text += f"第{int_to_cn(_paragraph_with_items(article))}款"
    if item:
        text += f"第（{int_to_cn(item)}）项"
    return text


def _paragraph_with_items(article: Article) -> int:
    for index, paragraph in enumerate(article.paragraphs, start=1):
        if paragraph.get("items"):
            return index
    return 1


class Lookups:
    """The library lookups a batch of citations repeats, done once per batch.

    Pass one to ``citations_find`` / ``citation_resolve`` when resolving many
    texts together (a catalog import); keep it no longer than that batch, since
    the library may change between requests.
    """

    def __init__(self) -> None:
        self._scanner: tuple[re.Pattern[str], tuple[str, ...]] | None = None
        self._works: dict[str, LawWork | None] = {}
        self._laws: dict[tuple[int, datetime.date], Law | None] = {}
        self._articles: dict[tuple[int, int, int], Article | None] = {}

    def scanner(self) -> tuple[re.Pattern[str], tuple[str, ...]]:
        if self._scanner is None:
            self._scanner = _scanner()
        return self._scanner

    def work(self, name: str) -> LawWork | None:
        if name not in self._works:
            self._works[name] = _work_for(name)
        return self._works[name]

    def law(self, work: LawWork, on: datetime.date) -> Law | None:
        from fazhi.laws.versions import law_in_force

        key = (work.pk, on)
        if key not in self._laws:
            self._laws[key] = law_in_force(work=work, on=on)
        return self._laws[key]

    def article(self, law: Law, number: int, suffix: int) -> Article | None:
        key = (law.pk, number, suffix)
        if key not in self._articles:
            self._articles[key] = Article.objects.filter(
                law=law, number=number, suffix=suffix
            ).first()
        return self._articles[key]


# ---- recognizing law names -------------------------------------------------

_scanners: dict[frozenset[str], tuple[re.Pattern[str], tuple[str, ...]]] = {}


def _known_names() -> frozenset[str]:
    """Every title and short title the library knows (one small query)."""
    names: set[str] = set()
    for title, short in Law.objects.values_list("title", "short_title").distinct():
        for name in (title, short, title.removeprefix(NATIONAL_PREFIX)):
            if len(name) >= 3:
                names.add(name)
    return frozenset(names)


def _scanner() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The citation regex for the titles known now, and those titles longest first.

    Compiled once per set of titles.
    """
    names = _known_names()
    cached = _scanners.get(names)
    if cached is not None:
        return cached
    if len(_scanners) > 16:
        _scanners.clear()
    ordered = tuple(sorted(names, key=lambda n: (-len(n), n)))
    known = "|".join(re.escape(n) for n in ordered)
    known_part = f"|(?P<known>{known})" if known else ""
    pattern = re.compile(
        rf"(?P<law>{QUOTED_RE}|{SELF_RE}{known_part}|(?P<bare>{BARE_RE}))"
        rf"|(?P<art>{ARTICLE_RE}(?:{PARAGRAPH_RE})?(?:{ITEM_RE})?)"
        rf"|(?P<lonepara>第(?P<lp>{_NUM})款(?:第?[（(](?P<lpi>{_NUM})[)）]项)?)"
        rf"|(?P<loneitem>第?[（(](?P<li>{_NUM})[)）]项|第(?P<li2>{_NUM})项)"
    )
    _scanners[names] = (pattern, ordered)
    return _scanners[names]


def _bare_name(name: str, known: tuple[str, ...]) -> str:
    """Cut a bare name found after a boundary down to the law it names.

    "向不具有安全生产法" names 安全生产法; "向不具有本条例" is 本条例; "依照刑法"
    names 刑法 (unknown to the library, and reported as such).
    """
    for title in known:
        if name.endswith(title):
            return title
    self_reference = re.search(f"(?:{SELF_RE})$", name)
    if self_reference:
        return self_reference.group(0)
    return LEAD_WORDS_RE.sub("", name)


def _number(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return cn_to_int(text)
    except ValueError:
        return None


def _find_raw(text: str, lookups: Lookups) -> list[Citation]:
    """Find citations without resolving them (law named as written)."""
    scanner, known = lookups.scanner()
    found: list[Citation] = []
    current_law = ""
    law_start = law_end = -1
    for match in scanner.finditer(text):
        if match.group("law"):
            name = match.group("law")
            law_start, law_end = match.start(), match.end()
            if match.group("bare"):
                stripped = _bare_name(name, known)
                law_start += len(name) - len(stripped)
                name = stripped
            if name and not re.fullmatch(SELF_RE, name):
                current_law = name.strip("《》")
            # 本法 / 本条例 keeps the law named before.
            continue
        gap = text[(found[-1].end if found else 0) : match.start()]
        chained = bool(found) and SEPARATOR_RE.match(gap) is not None
        if match.group("art"):
            number = _number(match.group("num"))
            suffix = _number(match.group("suf")) or 0
            if number is None:
                continue
            start = match.start()
            if law_end >= 0 and re.fullmatch(r"[\s的]*", text[law_end:start]):
                start = law_start
            found.append(
                Citation(
                    text="",
                    start=start,
                    end=match.end(),
                    law_name=current_law,
                    article_label=article_label(number, suffix),
                    paragraph=_number(match.group("para")),
                    item=_number(match.group("item") or match.group("item2")),
                    _number=number,
                    _suffix=suffix,
                )
            )
        elif match.group("lonepara") and chained:
            previous = found[-1]
            found.append(
                Citation(
                    text="",
                    start=match.start(),
                    end=match.end(),
                    law_name=previous.law_name,
                    article_label=previous.article_label,
                    paragraph=_number(match.group("lp")),
                    item=_number(match.group("lpi")),
                    _number=previous._number,
                    _suffix=previous._suffix,
                )
            )
        elif match.group("loneitem") and chained:
            previous = found[-1]
            found.append(
                Citation(
                    text="",
                    start=match.start(),
                    end=match.end(),
                    law_name=previous.law_name,
                    article_label=previous.article_label,
                    paragraph=previous.paragraph,
                    item=_number(match.group("li") or match.group("li2")),
                    _number=previous._number,
                    _suffix=previous._suffix,
                )
            )
    for citation in found:
        citation.text = text[citation.start : citation.end]
    return found


# ---- resolving ---------------------------------------------------------------


def _work_for(name: str) -> LawWork | None:
    key = work_key(re.sub(r"[（(][^）)]*[)）]$", "", compact(name)))
    work = LawWork.objects.filter(key=key).first()
    if work is not None:
        return work
    law = (
        Law.objects.filter(short_title=compact(name)).select_related("work").first()
        or Law.objects.filter(title=compact(name)).select_related("work").first()
    )
    return law.work if law is not None else None


def _resolve(citation: Citation, on: datetime.date, lookups: Lookups) -> Citation:
    citation.on = on
    if not citation.law_name:
        citation.reason = _("No law is named before %(article)s.") % {
            "article": citation.article_label
        }
        return citation
    work = lookups.work(citation.law_name)
    if work is None:
        citation.reason = _("The law library has no “%(name)s”.") % {"name": citation.law_name}
        return citation
    law = lookups.law(work, on)
    if law is None:
        citation.reason = _("No version of %(title)s was in force on %(date)s.") % {
            "title": work.title,
            "date": on.isoformat(),
        }
        return citation
    citation.law = law
    article = lookups.article(law, citation._number, citation._suffix)
    if article is None:
        citation.reason = _("%(title)s (version %(date)s) has no %(article)s.") % {
            "title": law.title,
            "date": law.version_date.isoformat(),
            "article": citation.article_label,
        }
        return citation
    article.law = law
    citation.article = article
    citation.url = article.get_absolute_url()
    paragraphs = article.paragraphs
    if citation.paragraph is not None and not 1 <= citation.paragraph <= len(paragraphs):
        citation.reason = _("%(article)s has %(count)s paragraph(s), not %(n)s.") % {
            "article": article.label,
            "count": len(paragraphs),
            "n": citation.paragraph_label,
        }
        return citation
    if citation.item is None:
        if citation.paragraph is None:
            citation.quote = f"{article.label} {article.text}"
        else:
            citation.quote = article.paragraph_text(citation.paragraph)
            citation.url += f"#p{citation.paragraph}"
        return citation
    index = citation.paragraph or _paragraph_with_items(article)
    items = paragraphs[index - 1].get("items", [])
    chosen = next((i for i in items if i.get("number") == citation.item), None)
    if chosen is None:
        citation.reason = _("Paragraph %(p)s of %(article)s has no item (%(n)s).") % {
            "p": f"第{int_to_cn(index)}款",
            "article": article.label,
            "n": citation.item_label,
        }
        return citation
    citation.quote = item_text(chosen)
    citation.url += f"#p{index}-i{citation.item}"
    return citation


def _day(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def citations_find(
    text: str, *, on: datetime.date | None = None, lookups: Lookups | None = None
) -> list[Citation]:
    """Find and resolve every citation in ``text``, in order of appearance."""
    day = _day(on)
    lookups = lookups or Lookups()
    return [_resolve(citation, day, lookups) for citation in _find_raw(text or "", lookups)]


def citation_resolve(
    text: str, *, on: datetime.date | None = None, lookups: Lookups | None = None
) -> Citation:
    """Resolve one citation string (the first one in ``text``)."""
    day = _day(on)
    lookups = lookups or Lookups()
    found = _find_raw(text or "", lookups)
    if not found:
        citation = Citation(text=text or "", on=day)
        citation.reason = _("No article reference (第X条) found in the text.")
        return citation
    return _resolve(found[0], day, lookups)
