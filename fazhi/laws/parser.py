"""Parse a law text (Markdown as in ``fazhi/laws/data/README.md``) without the database.

``parse_law(text, source_name)`` returns a ``ParsedLaw``: header facts (title,
level, issuer, dates, amendment history) and the articles with their 编/章/节
path, paragraphs (款), items (项) and sub-items (目). Anything the parser cannot
place is reported in ``errors`` with its line number — never dropped; doubtful
but usable input (a gap in article numbers, no stated effective date) goes to
``warnings``.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from fazhi.laws.choices import LawLevel
from fazhi.laws.numerals import NUMERAL_CHARS, article_label, cn_to_int, int_to_cn

INFO_END = "<!-- INFO END -->"
NATIONAL_PREFIX = "中华人民共和国"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_N = f"[{NUMERAL_CHARS}]+"

ARTICLE_RE = re.compile(rf"^第({_N}|\d+)条(?:之({_N}))?(?:[\s\u3000]+(.*)|$)")
HEADING_RE = re.compile(r"^(#{1,6})\s*(.*)$")
DIVISION_RE = re.compile(rf"^第({_N})([编章节])[\s\u3000]*(.*)$")
ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）][\s\u3000]*(.*)$")
SUBITEM_RE = re.compile(r"^(?:(\d+)[．.、]|[（(](\d+)[)）])[\s\u3000]*(.*)$")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
FILE_DATE_RE = re.compile(r"[（(](\d{4})-(\d{2})-(\d{2})[)）]")
EFFECTIVE_RE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[\s\u3000]*(?:起)?施行")
FROM_PUBLICATION_RE = re.compile(r"自(?:公布|发布)之日(?:起)?施行")
DOC_NUMBER_RE = re.compile(r"([\u4e00-\u9fa5]{2,20}令第\d+号)")


# A line of a body that reads like an unmarked chapter heading (监测与预警): a
# few Chinese characters, no punctuation, after an article that ended a sentence.
UNMARKED_HEADING_RE = re.compile(r"[\u4e00-\u9fa5]{2,16}")
SENTENCE_END = ("。", "；", "：", "！", "？")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    heading: str = ""  # the line's text when it looks like an unmarked heading

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"line": self.line, "message": self.message}
        if self.heading:
            data["heading"] = self.heading
        return data

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ParsedItem:
    label: str
    number: int
    text: str
    line: int
    subitems: list[ParsedItem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "number": self.number, "text": self.text}
        if self.subitems:
            data["subitems"] = [sub.as_json() for sub in self.subitems]
        return data


@dataclass
class ParsedParagraph:
    text: str
    line: int
    items: list[ParsedItem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "items": [item.as_json() for item in self.items]}


@dataclass
class ParsedArticle:
    number: int
    suffix: int
    line: int
    part: str = ""
    chapter: str = ""
    section: str = ""
    paragraphs: list[ParsedParagraph] = field(default_factory=list)

    @property
    def label(self) -> str:
        return article_label(self.number, self.suffix)

    @property
    def text(self) -> str:
        """The article's text without its label: paragraphs and items, one per line."""
        lines: list[str] = []
        for paragraph in self.paragraphs:
            if paragraph.text:
                lines.append(paragraph.text)
            for item in paragraph.items:
                lines.append(item.label + item.text)
                lines.extend(sub.label + sub.text for sub in item.subitems)
        return "\n".join(lines)


@dataclass
class ParsedLaw:
    source_name: str
    content_hash: str
    normalized_text: str
    title: str = ""
    short_title: str = ""
    level: str = LawLevel.NORMATIVE_DOCUMENT
    issuer: str = ""
    region: str = ""
    document_number: str = ""
    version_date: datetime.date | None = None
    effective_date: datetime.date | None = None
    effective_date_stated: bool = False
    history: list[str] = field(default_factory=list)
    articles: list[ParsedArticle] = field(default_factory=list)
    headings: tuple[str, ...] = ()
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def work_key(self) -> str:
        return work_key(self.title)


def normalize_text(raw: str) -> str:
    """Unify line ends, drop invisible characters and trailing blanks."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    return "\n".join(line.rstrip(" \t\u3000") for line in text.split("\n")).strip("\n") + "\n"


def content_hash(normalized: str) -> str:
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def compact(text: str) -> str:
    """Remove all whitespace (ASCII and full-width)."""
    return re.sub(r"[\s\u3000]+", "", text)


def work_key(title: str) -> str:
    """Return the identity shared by all versions: the title without spaces,
    brackets or the 中华人民共和国 prefix (``安全生产法``)."""
    key = compact(title)
    key = re.sub(r"[《》〈〉<>]", "", key)
    return key.removeprefix(NATIONAL_PREFIX)


def _date(match: re.Match[str]) -> datetime.date | None:
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _division_title(label_char: str, number_text: str, name: str) -> str:
    name = compact(name)
    label = f"第{number_text}{label_char}"
    return f"{label} {name}" if name else label


def infer_issuer(history: list[str]) -> str:
    """Return the body that adopted or published the text, from the header lines."""
    patterns: list[tuple[re.Pattern[str], str]] = [
        (
            re.compile(
                r"([\u4e00-\u9fa5]{2,8}?(?:省|自治区|市|自治州))第[一二三四五六七八九十]+届"
                r"人民代表大会常务委员会"
            ),
            r"\1人民代表大会常务委员会",
        ),
        (
            re.compile(
                r"([\u4e00-\u9fa5]{2,8}?(?:省|自治区|市|自治州))第[一二三四五六七八九十]+届"
                r"人民代表大会第"
            ),
            r"\1人民代表大会",
        ),
        (re.compile(r"全国人民代表大会常务委员会"), "全国人民代表大会常务委员会"),
        (re.compile(r"全国人民代表大会第"), "全国人民代表大会"),
        (re.compile(r"中共中央、国务院"), "中共中央、国务院"),
        (re.compile(r"([\u4e00-\u9fa5]{2,8}?(?:省|自治区|市))人民政府令"), r"\1人民政府"),
        (re.compile(r"国务院"), "国务院"),
        (re.compile(r"([\u4e00-\u9fa5]{1,12}?(?:部|委员会|总局|局|署))令"), r"\1"),
    ]
    for line in history:
        for pattern, replacement in patterns:
            match = pattern.search(line)
            if match:
                return match.expand(replacement)
    return ""


PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
    "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
    "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
)  # fmt: skip
CITY_RE = re.compile(r"^([\u4e00-\u9fa5]{2,6}?(?:自治州|市|盟|地区))")


def infer_region(title: str, issuer: str) -> str:
    """Return the province or city of local legislation ("" for national texts)."""
    title = compact(title)
    for text in (issuer, title):
        for province in PROVINCES:
            if text.startswith(province):
                return province
    city = CITY_RE.match(issuer)
    if city and issuer[city.end() :].startswith(("人民代表大会", "人民政府")):
        return city.group(1)
    city = CITY_RE.match(title)
    if city and (not issuer or issuer.startswith(city.group(1))):
        return city.group(1)
    return ""


def infer_level(title: str, issuer: str, region: str) -> str:
    """Infer the 效力层级 from title and issuer; an administrator may correct it."""
    title = compact(title)
    if "全国人民代表大会" in issuer or (
        not region and not issuer and title.startswith(NATIONAL_PREFIX) and title.endswith("法")
    ):
        return LawLevel.LAW
    if region:
        if "人民代表大会" in issuer or title.endswith("条例"):
            return LawLevel.LOCAL_REGULATION
        if "人民政府" in issuer or re.search(r"(办法|规定|细则|规则)$", title):
            return LawLevel.LOCAL_GOVERNMENT_RULE
        return LawLevel.NORMATIVE_DOCUMENT
    if re.search(r"(意见|通知|决定|指引|标准|公告)$", title):
        return LawLevel.NORMATIVE_DOCUMENT
    if (
        "国务院" in issuer
        or title.endswith("条例")
        or (title.startswith("国务院") and title.endswith("规定"))
    ):
        return LawLevel.ADMINISTRATIVE_REGULATION
    if issuer or re.search(r"(办法|规定|细则|规则)$", title):
        return LawLevel.DEPARTMENTAL_RULE
    if title.endswith("法"):
        return LawLevel.LAW
    return LawLevel.NORMATIVE_DOCUMENT


def _read_header(parsed: ParsedLaw, lines: list[str]) -> int:
    """Read title and header lines; return the index of the first body line."""
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines):
        parsed.errors.append(Problem(1, _("The file is empty.")))
        return len(lines)
    first = lines[index]
    if not first.startswith("# "):
        parsed.errors.append(
            Problem(index + 1, _("The first line must be the title, written as “# title”."))
        )
        return len(lines)
    parsed.title = compact(first[2:])
    index += 1
    has_marker = INFO_END in (line.strip() for line in lines)
    while index < len(lines):
        line = lines[index].strip()
        if line == INFO_END:
            return index + 1
        if not has_marker and (line.startswith("#") or ARTICLE_RE.match(line)):
            return index
        if line:
            parsed.history.append(re.sub(r"[\s\u3000]+", " ", line).strip(" ）)"))
        index += 1
    return index


def _read_dates(parsed: ParsedLaw) -> None:
    file_match = FILE_DATE_RE.search(parsed.source_name)
    header_dates: list[datetime.date] = []
    for line in parsed.history:
        match = DATE_RE.search(line)
        day = _date(match) if match else None
        if day is None:
            continue
        if EFFECTIVE_RE.match(line):
            parsed.effective_date = day
            parsed.effective_date_stated = True
            continue
        header_dates.append(day)
        if FROM_PUBLICATION_RE.search(line):
            parsed.effective_date = day
            parsed.effective_date_stated = True
    if file_match:
        parsed.version_date = _date(file_match)
    if parsed.version_date is None and header_dates:
        parsed.version_date = max(header_dates)
    if parsed.version_date is None:
        parsed.errors.append(
            Problem(
                1,
                _(
                    "No version date: put it in the file name, e.g. “安全生产法(2021-06-10).md”, "
                    "or in a header line."
                ),
            )
        )
        return
    if parsed.effective_date is None:
        parsed.warnings.append(
            Problem(1, _("No effective date in the header; the version date is used."))
        )
        parsed.effective_date = parsed.version_date
        parsed.effective_date_stated = False
    elif parsed.effective_date < parsed.version_date:
        parsed.warnings.append(
            Problem(
                1,
                _(
                    "The stated effective date precedes the version date; "
                    "the version date is used."
                ),
            )
        )
        parsed.effective_date = parsed.version_date
        parsed.effective_date_stated = False


def _short_title(parsed: ParsedLaw) -> str:
    name = parsed.source_name.rsplit("/", 1)[-1]
    stem = FILE_DATE_RE.split(name)[0] if FILE_DATE_RE.search(name) else ""
    stem = compact(stem)
    if stem and stem in parsed.title:
        return stem
    return parsed.title.removeprefix(NATIONAL_PREFIX)


class _BodyReader:
    """Walk the body lines, keeping the current 编/章/节 and article."""

    def __init__(self, parsed: ParsedLaw, headings: frozenset[str] = frozenset()) -> None:
        self.parsed = parsed
        self.headings = headings
        self.chapter_number = 0
        self.part = ""
        self.chapter = ""
        self.section = ""
        self.article: ParsedArticle | None = None
        self.labels: set[tuple[int, int]] = set()
        self.last_key: tuple[int, int] = (0, 0)

    def error(self, line_no: int, message: str) -> None:
        self.parsed.errors.append(Problem(line_no, message))

    def warn(self, line_no: int, message: str) -> None:
        self.parsed.warnings.append(Problem(line_no, message))

    def read(self, lines: list[str], start: int) -> None:
        for index in range(start, len(lines)):
            line = lines[index].strip(" \t\u3000")
            if line:
                self.line(index + 1, line)

    def line(self, line_no: int, line: str) -> None:
        heading = HEADING_RE.match(line)
        if heading:
            self.heading(line_no, heading.group(2).strip())
            return
        article = ARTICLE_RE.match(line)
        if article:
            self.start_article(line_no, article)
            return
        if self.article is None:
            if compact(line) == self.parsed.title:
                return  # the title repeated above the body
            self.error(
                line_no,
                _("Text outside any article: “%(text)s”.") % {"text": line[:40]},
            )
            return
        if self.unmarked_heading(line_no, line):
            return
        item = ITEM_RE.match(line)
        if item:
            self.add_item(line_no, item.group(1), item.group(2))
            return
        subitem = SUBITEM_RE.match(line)
        last_item = self.last_item()
        if subitem and last_item is not None:
            number = subitem.group(1) or subitem.group(2)
            label = line[: subitem.start(3)].strip()
            last_item.subitems.append(
                ParsedItem(label, int(number), subitem.group(3).strip(), line_no)
            )
            return
        paragraphs = self.article.paragraphs
        if paragraphs and not paragraphs[-1].text and not paragraphs[-1].items:
            paragraphs[-1].text = line
            paragraphs[-1].line = line_no
        else:
            paragraphs.append(ParsedParagraph(line, line_no))

    def unmarked_heading(self, line_no: int, line: str) -> bool:
        """Handle a line that looks like a chapter heading without 第X章.

        If an administrator marked it as a heading, it opens the next chapter
        (return True); otherwise it stays article text, with a warning.
        """
        assert self.article is not None
        text = compact(line)
        if not UNMARKED_HEADING_RE.fullmatch(text):
            return False
        last = self.article.text.rstrip()
        if not last.endswith(SENTENCE_END):
            return False
        if text in self.headings:
            self.finish_article()
            self.chapter_number += 1
            self.chapter = _division_title("章", int_to_cn(self.chapter_number), text)
            self.section = ""
            return True
        self.parsed.warnings.append(
            Problem(
                line_no,
                _(
                    "“%(text)s” looks like a chapter heading without “第X章”; it was kept as "
                    "text of %(label)s. An administrator can mark it as a heading."
                )
                % {"text": text, "label": self.article.label},
                heading=text,
            )
        )
        return False

    def last_item(self) -> ParsedItem | None:
        if self.article is None or not self.article.paragraphs:
            return None
        last = self.article.paragraphs[-1]
        return last.items[-1] if last.items else None

    def heading(self, line_no: int, text: str) -> None:
        self.finish_article()
        match = DIVISION_RE.match(text)
        if not match:
            if compact(text) == self.parsed.title:
                return
            self.error(line_no, _("Unrecognized heading: “%(text)s”.") % {"text": text[:40]})
            return
        title = _division_title(match.group(2), match.group(1), match.group(3))
        kind = match.group(2)
        if kind == "章":
            try:
                self.chapter_number = cn_to_int(match.group(1))
            except ValueError:
                self.chapter_number += 1
        if kind == "编":
            self.part, self.chapter, self.section = title, "", ""
        elif kind == "章":
            self.chapter, self.section = title, ""
        else:
            if not self.chapter:
                self.warn(
                    line_no, _("A section outside any chapter: “%(text)s”.") % {"text": text}
                )
            self.section = title

    def start_article(self, line_no: int, match: re.Match[str]) -> None:
        self.finish_article()
        try:
            number = cn_to_int(match.group(1))
            suffix = cn_to_int(match.group(2)) if match.group(2) else 0
        except ValueError:
            self.error(line_no, _("Unreadable article number."))
            return
        key = (number, suffix)
        label = article_label(number, suffix)
        if key in self.labels:
            self.error(line_no, _("%(label)s appears twice.") % {"label": label})
            return
        if key < self.last_key:
            self.error(
                line_no,
                _("%(label)s comes after %(previous)s: articles out of order.")
                % {"label": label, "previous": article_label(*self.last_key)},
            )
            return
        if suffix == 0 and number > self.last_key[0] + 1:
            self.warn(
                line_no,
                _("Articles missing before %(label)s (the previous one is %(previous)s).")
                % {
                    "label": label,
                    "previous": article_label(*self.last_key) if self.last_key[0] else "—",
                },
            )
        self.labels.add(key)
        self.last_key = key
        self.article = ParsedArticle(
            number=number,
            suffix=suffix,
            line=line_no,
            part=self.part,
            chapter=self.chapter,
            section=self.section,
            paragraphs=[ParsedParagraph((match.group(3) or "").strip(), line_no)],
        )

    def add_item(self, line_no: int, numeral: str, text: str) -> None:
        assert self.article is not None
        paragraphs = self.article.paragraphs
        number = cn_to_int(numeral)
        current = paragraphs[-1]
        expected = len(current.items) + 1
        if number != expected:
            self.warn(
                line_no,
                _("Item （%(found)s） where （%(expected)s） was expected.")
                % {"found": numeral, "expected": expected},
            )
        current.items.append(ParsedItem(f"（{numeral}）", number, text.strip(), line_no))

    def finish_article(self) -> None:
        if self.article is None:
            return
        if not any(p.text or p.items for p in self.article.paragraphs):
            self.error(
                self.article.line, _("%(label)s has no text.") % {"label": self.article.label}
            )
        else:
            self.parsed.articles.append(self.article)
        self.article = None


def parse_law(raw: str, source_name: str = "", *, headings: Iterable[str] = ()) -> ParsedLaw:
    """Parse one law text; ``source_name`` is its file name (it may carry the date).

    ``headings`` are lines an administrator confirmed as unmarked chapter
    headings: each opens the next chapter instead of staying article text.
    """
    normalized = normalize_text(raw)
    parsed = ParsedLaw(
        source_name=source_name,
        content_hash=content_hash(normalized),
        normalized_text=normalized,
    )
    lines = normalized.split("\n")
    body_start = _read_header(parsed, lines)
    if not parsed.title:
        return parsed
    parsed.short_title = _short_title(parsed)
    _read_dates(parsed)
    parsed.issuer = infer_issuer(parsed.history)
    parsed.region = infer_region(parsed.title, parsed.issuer)
    if not parsed.issuer:
        parsed.issuer = _issuer_from_title(parsed.title, parsed.region)
    parsed.level = infer_level(parsed.title, parsed.issuer, parsed.region)
    for line in parsed.history:
        number = DOC_NUMBER_RE.search(line)
        if number:
            parsed.document_number = number.group(1).removeprefix(NATIONAL_PREFIX)
    parsed.headings = tuple(compact(h) for h in headings)
    reader = _BodyReader(parsed, frozenset(parsed.headings))
    reader.read(lines, body_start)
    reader.finish_article()
    if not parsed.articles and not parsed.errors:
        parsed.errors.append(Problem(body_start + 1, _("No articles (第X条) found.")))
    return parsed


def _issuer_from_title(title: str, region: str) -> str:
    if region:
        return ""
    if title.startswith(NATIONAL_PREFIX) and title.endswith("法"):
        return "全国人民代表大会常务委员会"
    if title.endswith("条例") or title.startswith("国务院"):
        return "国务院"
    return ""
