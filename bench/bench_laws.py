"""Law library: full-text search latency on a 100k-article corpus.

The corpus repeats the 50 real law texts (imported once, through the real
importer) until it holds ``TARGET_ARTICLES`` articles; the copies are
bulk-inserted with the already segmented text, so the index holds realistic
words. Each query does what the search page does: segment the query, count
the matches, fetch the best 20 and cut highlighted snippets.

Baselines in the same run: a primary-key fetch of one article (the floor of
any query) and a ``LIKE '%phrase%'`` scan for the same phrases (what search
costs without the index).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from bench.harness import Bench

TARGET_ARTICLES = 100_000
QUERIES = 200
COMMON_QUERIES = [
    "重大事故隐患",
    "安全生产",
    "罚款",
    "行政处罚",
    "应急预案",
    "危险化学品",
    "责令停产停业整顿",
    "法律责任",
    "生产经营单位的主要负责人",
    "特种设备",
    "烟花爆竹",
    "听证",
    "行政复议",
    "森林防火",
    "事故调查",
    "吊销安全生产许可证",
]
DATA = Path(__file__).resolve().parent.parent / "fazhi" / "laws" / "data" / "laws"


class _System:
    pk = None
    is_authenticated = True
    is_superuser = True
    unit = None
    role = None

    def get_username(self) -> str:
        return "bench"


def import_real_laws() -> int:
    """Import the shipped texts; return the number of articles."""
    from fazhi.laws.models import Article
    from fazhi.laws.services import law_import_paths

    law_import_paths(actor=_System(), paths=[DATA])
    return Article.objects.count()


def build_corpus(target: int, *, batch: int = 5000) -> int:
    """Copy the imported laws until the library holds ``target`` articles."""
    from fazhi.laws.models import Article, Law, LawWork

    originals = [law for law in Law.objects.select_related("work") if "#" not in law.work.key]
    articles_by_law: dict[int, list[Article]] = {}
    for article in Article.objects.filter(law__in=originals).order_by("law_id", "seq"):
        articles_by_law.setdefault(article.law_id, []).append(article)
    total = Article.objects.count()
    copy = 0
    while total < target:
        copy += 1
        with transaction.atomic():
            for law in originals:
                if total >= target:
                    break
                # Versions of one work (突发事件应对法 2007 and 2024) share the copy's work.
                work, _created = LawWork.objects.get_or_create(
                    key=f"{law.work.key}#{copy}",
                    defaults={"title": law.title, "short_title": law.short_title},
                )
                clone = Law.objects.create(
                    work=work,
                    title=law.title,
                    short_title=law.short_title,
                    level=law.level,
                    issuer=law.issuer,
                    region=law.region,
                    version_date=law.version_date,
                    effective_date=law.effective_date,
                    status=law.status,
                    history=law.history,
                    source_name=law.source_name,
                    content_hash=f"{law.content_hash[:56]}{copy:08d}",
                    article_count=law.article_count,
                )
                rows = [
                    Article(
                        law=clone,
                        seq=a.seq,
                        number=a.number,
                        suffix=a.suffix,
                        label=a.label,
                        part=a.part,
                        chapter=a.chapter,
                        section=a.section,
                        paragraphs=a.paragraphs,
                        text=a.text,
                        search_text=a.search_text,
                        line=a.line,
                    )
                    for a in articles_by_law[law.pk][: target - total]
                ]
                Article.objects.bulk_create(rows, batch_size=batch)
                total += len(rows)
    _settle()
    return total


def _settle() -> None:
    """Bring the index to its steady state, as autovacuum / FTS5 automerge would."""
    from django.db import connection

    from fazhi.laws.search import FTS_TABLE, merge_pending

    merge_pending()  # as each law import does when it commits
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE laws_article")
            cursor.execute("ANALYZE laws_law")
        else:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            cursor.execute("ANALYZE")


def sample_queries(count: int, seed: int = 9704) -> list[str]:
    """Common searches plus phrases cut from random articles (deterministic)."""
    from fazhi.laws.models import Article

    rng = random.Random(seed)
    texts = list(
        Article.objects.exclude(law__work__key__contains="#").values_list("text", flat=True)
    )
    queries = list(COMMON_QUERIES)
    while len(queries) < count:
        text = rng.choice(texts).replace("\n", "")
        if len(text) < 16:
            continue
        start = rng.randrange(0, len(text) - 12)
        queries.append(text[start : start + rng.randint(4, 10)])
    return queries[:count]


def _search_once(query: str) -> int:
    from fazhi.laws.selectors import article_search

    results = article_search(actor=_System(), q=query)
    hits = results[0:20]
    return results.count() + len(hits)


def _like_once(query: str) -> int:
    from fazhi.laws.models import Article

    matches = Article.objects.filter(text__contains=query)
    return matches.count() + len(list(matches.order_by("id")[:20]))


def _latencies(fn: Callable[[str], object], queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        times.append(time.perf_counter() - started)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def run(bench: Bench) -> None:
    from fazhi.laws.models import Article
    from fazhi.laws.search import parse_query

    started = time.perf_counter()
    real = import_real_laws()
    bench.record(
        "laws: import the real texts",
        time.perf_counter() - started,
        size=f"{real} articles",
        target="a few s",
    )

    started = time.perf_counter()
    total = build_corpus(TARGET_ARTICLES)
    bench.record(
        "laws: bulk-insert corpus", time.perf_counter() - started, size=f"{total} articles"
    )

    queries = sample_queries(QUERIES)
    parse_query("预热")  # load jieba's dictionary outside the timings
    ids = list(Article.objects.values_list("id", flat=True))
    rng = random.Random(1)

    def fetch_one() -> None:
        Article.objects.get(pk=rng.choice(ids))

    pk_times = _latencies(lambda _q: fetch_one(), queries)
    bench.record("laws: pk fetch p95", p95(pk_times), size=f"{total} articles")

    _latencies(_search_once, queries[:20])  # warm the index pages
    search_times = _latencies(_search_once, queries)
    size = f"{total} articles, {len(queries)} queries"
    bench.record(
        "laws: search p50",
        statistics.median(search_times),
        size=size,
        baseline="laws: LIKE scan p95",
    )
    bench.record(
        "laws: search p95",
        p95(search_times),
        size=size,
        baseline="laws: LIKE scan p95",
        target="≤ 30 ms",
    )
    like_queries = queries[:40]
    like_times = _latencies(_like_once, like_queries)
    bench.record(
        "laws: LIKE scan p95",
        p95(like_times),
        size=f"{total} articles, {len(like_queries)} queries",
    )
