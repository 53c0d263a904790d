"""Chinese full-text search over articles: jieba → SQLite FTS5 / PostgreSQL tsvector.

Articles are segmented at import (``segment``) into ``Article.search_text``.
SQLite indexes it in the FTS5 table ``laws_article_fts`` (external content,
kept in step by triggers); PostgreSQL in the generated column
``laws_article.search_vector`` (``to_tsvector('simple', search_text)``) with a
GIN index. Both are created by migration 0002, each only on its own database;
``connection.vendor`` picks the query here too.

A query is segmented the same way. Each word must match, either as itself or
(for long words that jieba may have split differently in the article) as all
of its dictionary sub-words, so a phrase copied from a law finds that law.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils.safestring import SafeString, mark_safe

FTS_TABLE = "laws_article_fts"
_WORD = re.compile(r"[\w]", re.UNICODE)
# Dropped from a query that has other words: function words, and words found
# in a third or more of all articles (应当, 规定 …), which narrow nothing but
# make the index walk long lists. The phrase boost still favours exact text.
_STOPWORDS = frozenset(
    {
        *("的", "了", "和", "与", "及", "或", "或者", "以及", "等", "之", "其", "在"),
        *("对", "由", "是", "为", "并", "向", "有", "本", "不", "应当", "规定", "有关"),
        *("以上", "以下", "依法", "依照", "按照", "进行", "其他", "可以", "下列", "不得"),
    }
)
PHRASE_WINDOW = 300  # how many of the best-scored matches the phrase boost reads
_lock = threading.Lock()
_ready = False

SQLITE_FTS_SQL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_text, content='laws_article', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS laws_article_fts_ai AFTER INSERT ON laws_article BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS laws_article_fts_ad AFTER DELETE ON laws_article BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    f"VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS laws_article_fts_au AFTER UPDATE OF search_text "
    f"ON laws_article BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    f"VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS laws_article_fts_ai",
    "DROP TRIGGER IF EXISTS laws_article_fts_ad",
    "DROP TRIGGER IF EXISTS laws_article_fts_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
POSTGRES_FTS_SQL = [
    "ALTER TABLE laws_article ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS laws_article_search_gin ON laws_article USING gin (search_vector)",
]
POSTGRES_FTS_DROP = [
    "DROP INDEX IF EXISTS laws_article_search_gin",
    "ALTER TABLE laws_article DROP COLUMN IF EXISTS search_vector",
]


def install_fts(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Create the full-text index for the database in use (migrations call this)."""
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FTS_SQL, "postgresql": POSTGRES_FTS_SQL}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def uninstall_fts(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FTS_DROP, "postgresql": POSTGRES_FTS_DROP}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def _jieba() -> Any:
    global _ready
    with warnings.catch_warnings():
        # jieba 0.42 has invalid escape sequences that Python 3.12 warns about.
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba


def _keep(token: str) -> bool:
    return bool(_WORD.search(token)) and not token.isspace()


def segment(text: str) -> str:
    """Return the text as space-separated words for the index (search-engine mode)."""
    jieba = _jieba()
    return " ".join(
        t.lower() for t in jieba.cut_for_search(text, HMM=False) if _keep(t) and t != "_"
    )


def _subwords(word: str) -> list[str]:
    """Dictionary sub-words of a long word, as jieba's search mode emits them."""
    jieba = _jieba()
    freq = jieba.dt.FREQ
    subs: list[str] = []
    for size in (2, 3):
        if len(word) > size:
            for i in range(len(word) - size + 1):
                gram = word[i : i + size]
                if freq.get(gram) and gram not in subs:
                    subs.append(gram)
    return subs


@dataclass(frozen=True)
class Group:
    """One query word: it matches itself, all its sub-words, or (last word) as a prefix."""

    word: str
    subwords: tuple[str, ...] = ()
    prefix: bool = False

    def fts5(self) -> str:
        alternatives = [_fts5_quote(self.word) + ("*" if self.prefix else "")]
        if self.subwords:
            alternatives.append("(" + " AND ".join(_fts5_quote(s) for s in self.subwords) + ")")
        return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"

    def tsquery(self) -> str:
        alternatives = [_ts_quote(self.word) + (":*" if self.prefix else "")]
        if self.subwords:
            alternatives.append("(" + " & ".join(_ts_quote(s) for s in self.subwords) + ")")
        return alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"


@dataclass(frozen=True)
class Query:
    """A parsed search query: every group must match."""

    text: str
    groups: tuple[Group, ...]

    @property
    def terms(self) -> list[str]:
        """Every word that may be highlighted, longest first."""
        words = {w for group in self.groups for w in (group.word, *group.subwords)}
        if len(self.groups) > 1:
            words.add(self.phrase.lower())
        longer = {w for w in words if len(w) > 1}
        # Marking every 法 or 的 in a text helps no one once longer words exist.
        return sorted(longer or words, key=lambda w: (-len(w), w))

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def phrase(self) -> str:
        """The query as typed, without blanks: articles containing it rank first."""
        return re.sub(r"\s+", "", self.text)

    def fts5(self) -> str:
        return " AND ".join(group.fts5() for group in self.groups)

    def tsquery(self) -> str:
        return " & ".join(group.tsquery() for group in self.groups)


def _fts5_quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _ts_quote(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"


def parse_query(text: str) -> Query:
    """Segment a user's query (precise mode) into groups.

    Punctuation and stop words are dropped. A phrase copied from a law often
    starts or ends inside a word: a lone leading character is dropped and the
    last word also matches as a prefix (隐 finds 隐患).
    """
    text = (text or "").strip()[:200]
    if not text:
        return Query(text, ())
    jieba = _jieba()
    words: list[str] = []
    for token in jieba.cut(text, HMM=False):
        token = token.strip().lower()
        if _keep(token) and token != "_" and token not in words:
            words.append(token)
    meaningful = [w for w in words if w not in _STOPWORDS]
    words = (meaningful or words)[:12]
    if len(words) > 1 and len(words[0]) == 1:
        words = words[1:]
    groups = [Group(w, tuple(_subwords(w)) if len(w) > 2 else ()) for w in words]
    if groups and (len(words) > 1 or len(words[0]) == 1):
        last = groups[-1]
        groups[-1] = Group(last.word, last.subwords, prefix=True)
    return Query(text, tuple(groups))


def highlight(text: str, terms: Iterable[str], *, width: int = 0) -> SafeString:
    """Escape ``text`` and wrap each term in <mark>; optionally cut a snippet around the first."""
    terms = [t for t in terms if t]
    if not terms:
        snippet = text[:width] + ("…" if width and len(text) > width else "") if width else text
        return mark_safe(html.escape(snippet))
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    if width:
        # Centre the snippet on the longest term present (the phrase, if any).
        lowered = text.lower()
        first = next((p for p in (lowered.find(t.lower()) for t in terms) if p >= 0), 0)
        start = max(0, first - width // 4)
        end = min(len(text), start + width)
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
        text = text[start:end]
    else:
        prefix = suffix = ""
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append("<mark>" + html.escape(match.group(0)) + "</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return mark_safe(prefix + "".join(out) + suffix)


@dataclass
class SearchFilters:
    law_id: int | None = None
    level: str = ""
    status: str = ""

    def __bool__(self) -> bool:
        return bool(self.law_id or self.level or self.status)


# How many matches are ranked. A query such as 安全生产 matches a large part
# of the library; scoring every match costs time in proportion, so the newest
# RANK_WINDOW matches are scored and the count shows "1000+".
RANK_WINDOW = 1000


@dataclass
class Candidates:
    """The ranked article ids of one search (at most RANK_WINDOW)."""

    ids: list[int]
    capped: bool


def _filter_sql(filters: SearchFilters) -> tuple[str, list[Any]]:
    """Return the conditions (on ``a`` = article, ``l`` = law) and their params."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.law_id:
        clauses.append("a.law_id = %s")
        params.append(filters.law_id)
    if filters.level:
        clauses.append("l.level = %s")
        params.append(filters.level)
    if filters.status:
        clauses.append("l.status = %s")
        params.append(filters.status)
    return "".join(" AND " + c for c in clauses), params


def _law_id_range(law_id: int) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM laws_article WHERE law_id = %s", [law_id])
        low, high = cursor.fetchone()
    return (low or 0), (high or 0)


def candidates(query: Query, filters: SearchFilters, *, window: int | None = None) -> Candidates:
    """Score the newest ``window`` matches; articles containing the phrase come first."""
    if not query:
        return Candidates([], False)
    window = window or RANK_WINDOW
    where, params = _filter_sql(filters)
    join_law = " JOIN laws_law l ON l.id = a.law_id" if filters.level or filters.status else ""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT m.id, ts_rank(m.search_vector, q) AS score FROM ("
            "SELECT a.id, a.search_vector FROM laws_article a" + join_law + " "
            "WHERE a.search_vector @@ to_tsquery('simple', %s)" + where + " "
            "ORDER BY a.id DESC LIMIT %s) m, to_tsquery('simple', %s) q "
            "ORDER BY score DESC, m.id DESC"
        )
        args: list[Any] = [query.tsquery(), *params, window + 1, query.tsquery()]
    else:
        join = " JOIN laws_article a ON a.id = f.rowid" + join_law if filters else ""
        if filters.law_id:
            # Articles of a law are stored together: let FTS5 skip the others.
            low, high = _law_id_range(filters.law_id)
            where = f" AND f.rowid BETWEEN {int(low)} AND {int(high)}" + where
        sql = (
            f"SELECT id, score FROM (SELECT f.rowid AS id, bm25({FTS_TABLE}) AS score "
            f"FROM {FTS_TABLE} f{join} WHERE {FTS_TABLE} MATCH %s{where} "
            "ORDER BY f.rowid DESC LIMIT %s) ORDER BY score, id DESC"
        )
        args = [query.fts5(), *params, window + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    capped = len(rows) > window
    ids = [row[0] for row in rows[:window]]
    if len(query.groups) > 1 and ids:
        ids = _phrase_first(ids[:PHRASE_WINDOW], query.phrase) + ids[PHRASE_WINDOW:]
    return Candidates(ids, capped)


def _phrase_first(ids: list[int], phrase: str) -> list[int]:
    """Reorder ids so that articles containing ``phrase`` verbatim come first."""
    function = "strpos(text, %s)" if connection.vendor == "postgresql" else "instr(text, %s)"
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM laws_article WHERE id IN ({placeholders}) AND {function} > 0",
            [*ids, phrase],
        )
        exact = {row[0] for row in cursor.fetchall()}
    return [i for i in ids if i in exact] + [i for i in ids if i not in exact]
