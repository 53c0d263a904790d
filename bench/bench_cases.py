"""Penalty cases at city scale: the case list and the deadline board at 100k cases.

- ``FAZHI_BENCH_CASES`` (100,000) cases spread over a city bureau and its
  counties, in every state; the open ones carry their running 90-day clock.
- p95 of the case list page (``/cases/``, with search and filters) and of
  the deadline board (``/cases/deadlines/``) through the Django test client,
  for a city reviewer (whole city) and a county officer (one county),
  against one plain indexed query (baseline).

Targets (issue 11): list p95 ≤ 150 ms, board ≤ 300 ms on PostgreSQL.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time
from typing import Any

from bench.bench_registry import setup_org
from bench.harness import Bench

SEED = 20261205
CASES = int(os.environ.get("FAZHI_BENCH_CASES", "100000"))
REQUESTS = int(os.environ.get("FAZHI_BENCH_CASE_REQUESTS", "40"))
OPEN_STATES = (
    "investigating",
    "review",
    "notified",
    "hearing",
    "pending_decision",
    "legal_review",
)
CLOSED_STATES = ("closed", "archived", "served", "executed")
LIST_QUERIES = ("", "state=investigating", "q=化工", "procedure=ordinary&state=closed", "page=3")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def load_cases(org: dict[str, Any], size: int) -> None:
    """Insert ``size`` cases with bulk_create, and a running clock for each open one."""
    from django.contrib.contenttypes.models import ContentType

    from fazhi.cases.models import Case
    from fazhi.core.models import ClockRule, ObjectClock, OrgUnit

    if Case.objects.count() >= size:
        return
    rng = random.Random(SEED)
    units = list(OrgUnit.objects.filter(path__startswith=org["city"].path, kind="agency"))
    today = datetime.date(2026, 12, 5)
    rule = ClockRule.objects.filter(code="penalty_decision").order_by("-effective_from").first()
    assert rule is not None
    case_type = ContentType.objects.get_for_model(Case)
    batch = 5000
    for start in range(0, size, batch):
        rows = []
        for i in range(start, min(start + batch, size)):
            state = rng.choice(OPEN_STATES) if rng.random() < 0.3 else rng.choice(CLOSED_STATES)
            filed = today - datetime.timedelta(days=rng.randrange(1, 700))
            rows.append(
                Case(
                    unit=units[i % len(units)],
                    procedure="ordinary",
                    state=state,
                    number=f"基应急罚〔{filed.year}〕{i + 1}号",
                    title=rng.choice(
                        ("未设置安全警示标志", "未如实记录安全生产教育培训", "化工装置未定期检测")
                    ),
                    source="inspection",
                    party_kind="organisation",
                    party_name=f"基准{rng.choice(('化工', '机械', '仓储'))}有限公司{i}",
                    act_ended_on=filed - datetime.timedelta(days=3),
                    discovered_on=filed - datetime.timedelta(days=1),
                    filed_on=filed,
                )
            )
        created = Case.objects.bulk_create(rows)
        clocks = [
            ObjectClock(
                content_type=case_type,
                object_id=c.pk,
                unit=c.unit,
                rule=rule,
                rule_code=rule.code,
                state="running",
                started_on=c.filed_on or today,
                due_on=(c.filed_on or today) + datetime.timedelta(days=90),
                derivation={},
            )
            for c in created
            if c.state in OPEN_STATES
        ]
        ObjectClock.objects.bulk_create(clocks)


def latencies(user: Any, path: str, queries: tuple[str, ...], requests: int) -> list[float]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get(path)  # warm up
    times = []
    for i in range(requests):
        started = time.perf_counter()
        response = client.get(f"{path}?{queries[i % len(queries)]}")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return times


def run(bench: Bench) -> None:
    from django.db import connection

    from fazhi.cases.models import Case
    from fazhi.core.models import Role, User

    org = setup_org()
    city_user = User.objects.get(username="bench_city")
    county_user = User.objects.get(username="bench_county")
    for user, role in ((city_user, "legal_reviewer"), (county_user, "officer")):
        user.role = Role.objects.get(code=role)
        user.save(update_fields=["role"])
    started = time.perf_counter()
    load_cases(org, CASES)
    bench.record("load cases (bulk_create)", time.perf_counter() - started, size=f"{CASES} cases")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    size = f"{CASES} cases"
    bench.measure(
        "plain indexed query, 50 newest (baseline)",
        lambda: list(Case.objects.order_by("-created_at", "-pk")[:50]),
        size=size,
    )
    for label, user in (("city", city_user), ("county", county_user)):
        listed = latencies(user, "/cases/", LIST_QUERIES, REQUESTS)
        bench.record(
            f"case list p95 ({label}, filters)",
            p95(listed),
            size=size,
            baseline="plain indexed query, 50 newest (baseline)",
            target="≤ 0.150 s (PostgreSQL)",
        )
        bench.record(f"case list median ({label}, filters)", statistics.median(listed), size=size)
        board = latencies(user, "/cases/deadlines/", ("",), max(REQUESTS // 4, 5))
        bench.record(
            f"deadline board p95 ({label})",
            p95(board),
            size=size,
            baseline="plain indexed query, 50 newest (baseline)",
            target="≤ 0.300 s (PostgreSQL)",
        )
        bench.record(f"deadline board median ({label})", statistics.median(board), size=size)
