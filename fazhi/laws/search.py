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
import json
import logging
import re
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
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
logger = logging.getLogger(__name__)
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
GIN_INDEX = "laws_article_search_gin"
POSTGRES_FTS_SQL = [
    "ALTER TABLE laws_article ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS laws_article_search_gin ON laws_article USING gin (search_vector)",
]
POSTGRES_FTS_DROP = [
    "DROP INDEX IF EXISTS laws_article_search_gin",
    "ALTER TABLE laws_article DROP COLUMN IF EXISTS search_vector",
]


def merge_pending() -> None:
    """PostgreSQL: move the GIN index's pending list into the index proper.

    New vectors first go to an unsorted pending list (``fastupdate``: fast
    bulk inserts), which every search then reads whole (446 pages, ~7 ms a
    query after a 100k-article load) and which makes the planner shun the
    index. VACUUM or autoanalyze would merge it; with autovacuum off, as on
    some bureau servers, nothing does until it reaches 4 MB. Articles change
    only when laws are imported, so an import merges it when it commits.
    Needs to own the index; where it cannot, searches stay correct.
    """
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [GIN_INDEX])
    except DatabaseError as exc:
        logger.warning("could not merge the pending list of %s: %s", GIN_INDEX, exc)


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


def index_text(text: str, *headings: str) -> str:
    """Return what the index holds for an article: its 编/章/节 headings, then its text.

    Headings are indexed with every article under them, so a query naming a
    chapter or section (法律责任, 听证程序) finds its articles; ranking then
    weights a match in a heading above one in the body.
    """
    names = [h for h in headings if h]
    return segment("\n".join([*names, text]))


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

    def found_in(self, text: str) -> bool:
        """True if the (lower-cased) text holds the word, or all its sub-words."""
        if self.word in text:
            return True
        return bool(self.subwords) and all(sub in text for sub in self.subwords)


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
    def chunks(self) -> list[str]:
        """The parts of a query typed apart by blanks (two or more), lower-cased, at most 4."""
        parts = [p.lower() for p in self.text.split() if len(p) > 1]
        return parts[:4] if len(parts) > 1 else []

    @property
    def phrase(self) -> str:
        """The query as typed, without blanks: articles containing it rank first."""
        return re.sub(r"\s+", "", self.text)

    def fts5(self, *, any_word: bool = False) -> str:
        return (" OR " if any_word else " AND ").join(group.fts5() for group in self.groups)

    def tsquery(self, *, any_word: bool = False) -> str:
        return (" | " if any_word else " & ").join(group.tsquery() for group in self.groups)


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


def candidates(
    query: Query, filters: SearchFilters, *, window: int | None = None, any_word: bool = True
) -> Candidates:
    """Rank the newest ``window`` matches: the index's score, then ``rerank`` on the best.

    Every query word must match; if no article holds them all (and
    ``any_word``), articles holding any of them are ranked, more words first.
    """
    if not query:
        return Candidates([], False)
    window = window or RANK_WINDOW
    ids, capped = _matches(query, filters, window, any_word=False)
    fallback = any_word
    any_word = False
    if fallback and not ids and len(query.groups) > 1:
        ids, capped = _matches(query, filters, window, any_word=True)
        any_word = True
    if ids:
        ids = rerank(ids[:RERANK_WINDOW], query, any_word=any_word) + ids[RERANK_WINDOW:]
    return Candidates(ids, capped)


def _matches(
    query: Query, filters: SearchFilters, window: int, *, any_word: bool
) -> tuple[list[int], bool]:
    if connection.vendor == "postgresql":
        return _pg_matches(query.tsquery(any_word=any_word), filters, window)
    where, params = _filter_sql(filters)
    join_law = " JOIN laws_law l ON l.id = a.law_id" if filters.level or filters.status else ""
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
    args = [query.fts5(any_word=any_word), *params, window + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    return [row[0] for row in rows[:window]], len(rows) > window


# PostgreSQL: how the newest ``window`` matches are found. Walking the
# primary key newest first tests each article's vector on the way: it reads
# about window × articles / matches rows, cheap for a common word and 20–30k
# rows for a word in one article of twenty. Taking the matches from the GIN
# index reads every match from the table and sorts them: cheap for a rare
# word. Reading a row through the index costs about twice testing one on the
# walk, so the walk is chosen when matches² ≥ WALK_FACTOR × window ×
# articles (≈ 7,000 matches at 100k articles), from the planner's row
# estimates (one EXPLAIN). The planner's own costs choose the walk far too
# often: they do not count reading each vector. ``a.id + 0`` orders as
# ``a.id`` does but not from the primary key, which leaves the GIN index.
WALK_FACTOR = 0.5


def walk_newest(matches: float, articles: float, window: int) -> bool:
    """True if walking the primary key costs less than sorting every match."""
    return matches * matches >= WALK_FACTOR * (window + 1) * articles


def _pg_matches(tsquery: str, filters: SearchFilters, window: int) -> tuple[list[int], bool]:
    where, params = _filter_sql(filters)
    join_law = " JOIN laws_law l ON l.id = a.law_id" if filters.level or filters.status else ""
    matching = (
        "FROM laws_article a" + join_law + " "
        "WHERE a.search_vector @@ to_tsquery('simple', %s)" + where
    )
    walk = True  # one law's articles: the planner finds them through law_id
    if not filters.law_id:
        with connection.cursor() as cursor:
            # Both estimates in one round trip: a UNION ALL plans each side.
            cursor.execute(
                "EXPLAIN (FORMAT JSON) SELECT a.id " + matching + " "
                "UNION ALL SELECT a.id FROM laws_article a",
                [tsquery, *params],
            )
            explained = cursor.fetchone()[0]
        if isinstance(explained, str):
            explained = json.loads(explained)
        sides = explained[0]["Plan"]["Plans"]
        walk = walk_newest(sides[0]["Plan Rows"], sides[1]["Plan Rows"], window)
    rows = _pg_ranked(matching, [tsquery, *params], window, walk=walk)
    return [row[0] for row in rows[:window]], len(rows) > window


def _pg_ranked(matching: str, params: list[Any], window: int, *, walk: bool) -> list[Any]:
    """The newest ``window`` + 1 matches, best ``ts_rank`` first."""
    newest = "a.id" if walk else "a.id + 0"
    sql = (
        "SELECT m.id, ts_rank(m.search_vector, q) AS score FROM ("
        "SELECT a.id, a.search_vector " + matching + " "
        "ORDER BY " + newest + " DESC LIMIT %s) m, to_tsquery('simple', %s) q "
        "ORDER BY score DESC, m.id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, window + 1, params[0]])
        return cursor.fetchall()


# How many of the index's best matches ``rerank`` reads, and its weights.
RERANK_WINDOW = 200
WEIGHT_PHRASE = 9.0  # the query as typed occurs in the text: it outweighs the rest
WEIGHT_HEADING = 3.0  # share of the query words found in the 编/章/节 headings
WEIGHT_LEAD = 3.0  # share of the query words found in the first sentence
WEIGHT_LEAD_ALL = 2.0  # every query word in the first sentence
WEIGHT_CHUNKS = 3.0  # share of the parts typed apart (强制执行决定 书面) found as typed
WEIGHT_COVERAGE = 6.0  # share of the query words the article holds (any-word search)
WEIGHT_INDEX = 1.0  # the index's own order, from 1 (best) to 0
LEAD_CHARS = 160  # how much of an article's beginning is read for its first sentence
_LEAD_END = re.compile(r"[。：:；\n]")


def first_sentence(text: str) -> str:
    """The article's first sentence (up to 。：； or the end of its first line)."""
    match = _LEAD_END.search(text)
    return text[: match.start()] if match else text


def rerank(ids: list[int], query: Query, *, any_word: bool = False) -> list[int]:
    """Reorder the index's best matches by where the query words stand.

    A word in a heading or in the first sentence says what the article is
    about, more than one deep in its body; an article holding the whole query
    as typed, or (any-word search) more of its words, ranks above the others.
    """
    if not ids:
        return ids
    placeholders = ", ".join(["%s"] * len(ids))
    phrase = query.phrase.lower()
    chunks = query.chunks
    # The beginning of the text holds the first sentence; the whole text is
    # read only to count words (any-word search). Phrase and chunks: in SQL.
    body = "text" if any_word else f"substr(text, 1, {LEAD_CHARS})"
    if connection.vendor == "postgresql":
        find = "(strpos(lower(text), %s) > 0)::int"
    else:
        find = "(instr(lower(text), %s) > 0)"
    chunk_sql = " + ".join([find] * len(chunks)) if chunks else "0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, part, chapter, section, {body}, {find}, {chunk_sql} FROM laws_article "
            f"WHERE id IN ({placeholders})",
            [phrase, *chunks, *ids],
        )
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    groups = query.groups
    count = len(groups)
    scores: dict[int, float] = {}
    for position, pk in enumerate(ids):
        if pk not in rows:
            continue
        part, chapter, section, text, has_phrase, chunks_held = rows[pk]
        body = text.lower()
        headings = f"{part} {chapter} {section}".lower()
        lead = first_sentence(body)
        in_heading = sum(1 for g in groups if g.found_in(headings))
        in_lead = sum(1 for g in groups if g.found_in(lead))
        score = WEIGHT_INDEX * (1 - position / len(ids))
        score += WEIGHT_HEADING * in_heading / count
        score += WEIGHT_LEAD * in_lead / count
        if count > 1 and in_lead == count:
            score += WEIGHT_LEAD_ALL
        if count > 1 and has_phrase:
            score += WEIGHT_PHRASE
        if chunks:
            score += WEIGHT_CHUNKS * chunks_held / len(chunks)
        if any_word:
            held = sum(1 for g in groups if g.found_in(body) or g.found_in(headings))
            score += WEIGHT_COVERAGE * held / count
        scores[pk] = score
    return sorted((pk for pk in ids if pk in scores), key=lambda pk: -scores[pk])
