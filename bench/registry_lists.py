"""Registry cases of issue 15, run by bench_registry after its 1M-row import.

- Every list filter combination (the common ones and the rare,
  contradictory and empty ones), through the API and the HTML page, as the
  city and as a county: the pooled p95 of each list and user, against the
  plain indexed query measured in the same run.
- The duplicates page at that size.
- A worker's cold start: importing the URLconf in a fresh interpreter,
  against ``django.setup()`` alone.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import Bench

ROOT = Path(__file__).resolve().parent.parent
# {region}: a county of the user's scope; {own}: its agency; {other}: the
# agency of another county.
RARE_QUERIES = (
    "status=cancelled",
    "region={region}&agency={other}",
    "region={region}&status=cancelled",
    "risk_level=major&credit_class=D&key_supervision=yes&category=non_coal_mine"
    "&industry_division=26",
    "kind=individual_business&scale=large&risk_level=major&credit_class=D",
    "industry_division=99",
    "category=fireworks&region={region}",
    "q=有限公司99999",
    # common values that seldom or never meet
    "credit_class=D&kind=individual_business",
    "category=dust_explosion&credit_class=C&scale=large",
    "industry_section=B&industry_division=26",
    "region={region}&agency={own}&status=revoked",
    "agency={own}&risk_level=major&standardization_level=level_3&credit_class=D",
)
REPEAT = 7
SHOW_SLOWEST = 5
# Name searches: rare, absent (the whole index or table is read), common,
# and two characters (no trigram: LIKE on both databases).
NAME_QUERIES = (
    "有限公司99999",
    "华鑫化工有限公司12345",
    "不存在的单位名称",
    "运河物流",
    "公司12",
    "华鑫",
    "兖矿",
)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def combinations() -> tuple[str, ...]:
    """Every combination the bench lists, once: the common ones
    (``bench_registry``) and the rare, contradictory and empty ones."""
    from bench.bench_registry import LIST_QUERIES

    return tuple(dict.fromkeys((*LIST_QUERIES, *RARE_QUERIES)))


def every_filter(bench: Bench, org: dict[str, Any], size: str) -> dict[str, float]:
    """Each combination ``REPEAT`` times through the API and the page, as the
    city and as a county; one pooled p95 per list and user (issue 15's
    "every list and filter combination"). Return the p95s by record name."""
    from django.test import Client

    from fazhi.core.models import OrgUnit

    other = OrgUnit.objects.get(name="基准县370826应急管理局").pk
    own = OrgUnit.objects.get(name="基准县370811应急管理局").pk
    pooled: dict[tuple[str, str], list[float]] = {}
    medians: dict[str, list[tuple[float, str]]] = {"api": [], "html": []}
    for who, region in (("bench_city", "370811"), ("bench_county", "370811")):
        client = Client()
        client.force_login(org[who])
        for kind, base in (("api", "/api/v1/entities?"), ("html", "/registry/entities/?")):
            client.get(base)
            times_of = pooled.setdefault((kind, who), [])
            for template in combinations():
                url = base + template.format(region=region, other=other, own=own)
                times = []
                for _ in range(REPEAT):
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 200, (url, response.status_code)
                times_of += times
                medians[kind].append((statistics.median(times), f"{who} {template}"))
    results = {}
    for (kind, who), times in pooled.items():
        name = f"entity list {kind} p95 ({who.removeprefix('bench_')}, every filter)"
        results[name] = _p95(times)
        bench.record(
            name,
            results[name],
            size=size,
            baseline="plain indexed query (25 rows)",
            target="≤ 50 ms PostgreSQL, ≤ 150 ms SQLite",
        )
    for kind in ("api", "html"):
        # the combinations that make the p95, slowest first
        for median, query in sorted(medians[kind], reverse=True)[:SHOW_SLOWEST]:
            print(f"    slowest {kind}: {query} ({median * 1000:.1f} ms median)")
    return results


def name_search(bench: Bench, org: dict[str, Any], size: str) -> None:
    """The entity list searched by name (issue 15), against a plain LIKE scan.

    The baseline is what the page's query was before the trigram index on
    SQLite: the newest 26 rows whose name contains the query, and the capped
    count, through ``LIKE '%…%'`` alone.
    """
    from django.test import Client

    from fazhi.registry.keyset import count_capped
    from fazhi.registry.selectors import EntityFilters, entity_list, entity_scope

    client = Client()
    client.force_login(org["bench_city"])
    client.get("/registry/entities/")
    scope = entity_scope(org["bench_city"]).filter(merged_into__isnull=True)

    def query(matches: Any) -> None:
        list(matches.order_by("-id")[:26])
        count_capped(matches)

    pooled: dict[str, list[float]] = {"page": [], "query": [], "like": []}
    for q in NAME_QUERIES:
        times: dict[str, list[float]] = {"page": [], "query": [], "like": []}
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.get("/registry/entities/", {"q": q})
            times["page"].append(time.perf_counter() - started)
            assert response.status_code == 200, (q, response.status_code)
            started = time.perf_counter()
            query(entity_list(actor=org["bench_city"], filters=EntityFilters(q=q)))
            times["query"].append(time.perf_counter() - started)
            started = time.perf_counter()
            query(scope.filter(name__contains=q))
            times["like"].append(time.perf_counter() - started)
        for kind in pooled:
            pooled[kind] += times[kind]
        medians = ", ".join(f"{k} {statistics.median(v) * 1000:.1f} ms" for k, v in times.items())
        print(f"    name q={q}: {medians} (medians)")
    bench.record("entity name search: LIKE scan p95", _p95(pooled["like"]), size=size)
    bench.record(
        "entity name search: query p95",
        _p95(pooled["query"]),
        size=size,
        baseline="entity name search: LIKE scan p95",
    )
    bench.record(
        "entity name search: list page p95",
        _p95(pooled["page"]),
        size=size,
        baseline="entity name search: LIKE scan p95",
        target="≤ 50 ms PostgreSQL, ≤ 150 ms SQLite",
    )


def duplicates_page(bench: Bench, org: dict[str, Any], size: str) -> None:
    from django.test import Client

    from fazhi.registry import services
    from fazhi.registry.models import Entity

    for entity in Entity.objects.order_by("id")[:5]:
        if Entity.objects.filter(uscc=_free_uscc(entity.uscc)).exists():
            continue  # a registry kept from an earlier run has its twin
        services.entity_create(
            actor=org["bench_city"],
            uscc=_free_uscc(entity.uscc),
            name=entity.name,
            kind=entity.kind,
            region_code=entity.region_code,
            address=entity.address,
            supervising_agency=entity.supervising_agency,
            allow_duplicate=True,
        )
    client = Client()
    client.force_login(org["bench_city"])
    client.get("/registry/entities/duplicates/")

    def view() -> None:
        response = client.get("/registry/entities/duplicates/")
        assert response.status_code == 200

    def group_by() -> None:
        """Baseline: the page's former query, grouping the whole table by key."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT dedupe_key FROM registry_entity WHERE merged_into_id IS NULL "
                "GROUP BY dedupe_key HAVING COUNT(*) > 1"
            )
            cursor.fetchall()

    bench.measure("duplicate keys by GROUP BY (former query)", group_by, size=size, repeat=3)
    bench.measure(
        "duplicates page",
        view,
        size=size,
        repeat=7,
        baseline="duplicate keys by GROUP BY (former query)",
        target="≤ 200 ms",
    )


def _free_uscc(uscc: str) -> str:
    from fazhi.core.codes import uscc_check_char

    first17 = uscc[:8] + "NA" + uscc[10:17]
    return first17 + uscc_check_char(first17)


def cold_start(bench: Bench) -> None:
    setup = "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); "
    setup += "import django; django.setup()"
    urls = setup + "; from django.urls import get_resolver; get_resolver().url_patterns"

    def run(code: str) -> None:
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)

    bench.measure("django.setup() (fresh interpreter)", lambda: run(setup), repeat=3)
    bench.measure(
        "URLconf loaded (fresh interpreter)",
        lambda: run(urls),
        repeat=3,
        baseline="django.setup() (fresh interpreter)",
    )
