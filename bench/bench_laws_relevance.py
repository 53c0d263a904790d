"""Law library: relevance of search on the relevance set, and its latency, at 100k articles.

``bench/laws_relevance.tsv`` holds queries as a legal section types them —
statute words (literal), doctrine and procedure names (doctrine), 章/节
headings (heading), article numbers (number) and several words meant to meet
in one article (ranking) — each with the articles it must find:
``A;B`` means both, ``A|B`` either. A query is a hit when what it must find
is in the top 5; MRR is the mean of 1/rank of its first expected article.
Ranks count distinct articles: the 100k corpus holds copies of each law.

The run imports the shipped laws and terms, grows the library to 100k
articles (as ``bench_laws`` does, reusing its corpus when present) and
reports hit@5, MRR and the p95 latency of the set's queries.
"""

from __future__ import annotations

import csv
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import Bench

RELEVANCE_FILE = Path(__file__).resolve().parent / "laws_relevance.tsv"
TOP = 5
HIT_TARGET = 0.95


@dataclass(frozen=True)
class Case:
    kind: str
    query: str
    expect: tuple[tuple[str, ...], ...]  # all of these groups; one article of each group


def load_cases(path: Path = RELEVANCE_FILE) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        Case(
            kind=row["kind"],
            query=row["query"],
            expect=tuple(tuple(alt.split("|")) for alt in row["expect"].split(";")),
        )
        for row in rows
    ]


def article_key(law_short_title: str, work_key: str, label: str) -> str:
    """行政处罚法第五条, whichever copy of the law (bench corpus copies carry #n)."""
    name = work_key.split("#", 1)[0] or law_short_title
    return re.sub(r"^中华人民共和国", "", name) + label


@dataclass
class Outcome:
    case: Case
    found: list[str]
    seconds: float

    @property
    def hit(self) -> bool:
        top = set(self.found[:TOP])
        return all(any(a in top for a in group) for group in self.case.expect)

    @property
    def reciprocal_rank(self) -> float:
        wanted = {a for group in self.case.expect for a in group}
        for rank, key in enumerate(self.found, start=1):
            if key in wanted:
                return 1 / rank
        return 0.0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def hit_rate(self) -> float:
        return sum(o.hit for o in self.outcomes) / len(self.outcomes)

    @property
    def mrr(self) -> float:
        return sum(o.reciprocal_rank for o in self.outcomes) / len(self.outcomes)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        kinds: dict[str, tuple[int, int]] = {}
        for o in self.outcomes:
            hits, total = kinds.get(o.case.kind, (0, 0))
            kinds[o.case.kind] = (hits + o.hit, total + 1)
        return kinds

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.hit]

    def p95(self) -> float:
        values = [o.seconds for o in self.outcomes]
        return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


class _System:
    pk = None
    is_authenticated = True
    is_superuser = True
    unit = None
    role = None

    def get_username(self) -> str:
        return "bench"


def evaluate(cases: list[Case], *, depth: int = 300) -> Report:
    """Search each query as the search page does (timed), then judge its ranking.

    The bench corpus repeats the real laws, so identical copies of one
    article are one article for judging: the ranking is read as the list of
    distinct articles in the order they first appear.
    """
    from fazhi.laws.models import Article
    from fazhi.laws.selectors import article_search

    report = Report()
    for case in cases:
        started = time.perf_counter()
        results = article_search(actor=_System(), q=case.query)
        results[0:20]
        results.count()
        elapsed = time.perf_counter() - started
        ids = results.ids[:depth]
        rows = {
            pk: article_key(short or title, key, label)
            for pk, short, title, key, label in Article.objects.filter(pk__in=ids).values_list(
                "pk", "law__short_title", "law__title", "law__work__key", "label"
            )
        }
        found = list(dict.fromkeys(rows[pk] for pk in ids if pk in rows))
        report.outcomes.append(Outcome(case, found, elapsed))
    return report


def prepare_library(target: int) -> int:
    """Shipped laws and terms in the library, grown to ``target`` articles."""
    from bench.bench_laws import build_corpus, import_real_laws
    from fazhi.laws.models import Article
    from fazhi.laws.terms import terms_load_defaults

    if not Article.objects.exists():
        import_real_laws()
    terms_load_defaults(actor=_System())
    return build_corpus(target) if Article.objects.count() < target else Article.objects.count()


def describe(report: Report) -> str:
    count = len(report.outcomes)
    lines = [f"hit@{TOP} {report.hit_rate:.1%}, MRR {report.mrr:.3f} over {count} queries"]
    for kind, (hits, total) in sorted(report.by_kind().items()):
        lines.append(f"  {kind}: {hits}/{total}")
    for miss in report.misses():
        lines.append(f"  MISS {miss.case.kind} {miss.case.query!r}: got {miss.found[:TOP]}")
    return "\n".join(lines)


def run(bench: Bench) -> None:
    from bench.bench_laws import TARGET_ARTICLES
    from fazhi.laws.search import parse_query

    started = time.perf_counter()
    total = prepare_library(TARGET_ARTICLES)
    bench.record(
        "laws relevance: library ready", time.perf_counter() - started, size=f"{total} articles"
    )
    cases = load_cases()
    parse_query("预热")
    evaluate(cases[:10])  # warm the index pages
    report = evaluate(cases)
    print(describe(report), flush=True)
    size = f"{total} articles, {len(cases)} queries"
    bench.record(
        f"laws relevance: hit@{TOP}",
        report.hit_rate * 100,
        size=size,
        unit="%",
        target=f"≥ {HIT_TARGET:.0%}",
    )
    bench.record("laws relevance: MRR", report.mrr, size=size, unit="")
    for kind, (hits, count) in sorted(report.by_kind().items()):
        bench.record(
            f"laws relevance: hit@{TOP} {kind}",
            hits / count * 100,
            size=f"{count} queries",
            unit="%",
        )
    bench.record("laws relevance: p95", report.p95(), size=size, target="≤ 30 ms")
