"""Clock engine: 10k deadlines over the seeded rules, against plain date arithmetic."""

from __future__ import annotations

import datetime
import random
from typing import Any

from bench.harness import Bench

SIZE = 10_000
SEED = 20260215


def rule_specs(size: int, rules: list[Any] | None = None) -> list[tuple[datetime.date, Any]]:
    """Return ``size`` (start date, rule) pairs; in-memory rules when none are given."""
    from fazhi.core.models import ClockRule

    if not rules:
        rules = [
            ClockRule(code="wd5", name="5 WD", length=5, unit="workday"),
            ClockRule(code="wd20", name="20 WD", length=20, unit="workday", pausable=True),
            ClockRule(code="cd15", name="15 days", length=15, unit="calendar"),
            ClockRule(code="cd90", name="90 days", length=90, unit="calendar"),
            ClockRule(code="m6", name="6 months", length=6, unit="month"),
        ]
    rng = random.Random(SEED)
    first = datetime.date(2021, 7, 15)
    span = (datetime.date(2026, 12, 31) - first).days
    return [
        (first + datetime.timedelta(days=rng.randrange(span)), rules[i % len(rules)])
        for i in range(size)
    ]


def compute_batch(specs: list[tuple[datetime.date, Any]], calendar: Any) -> list[datetime.date]:
    from fazhi.core.clocks import deadline_compute

    return [
        deadline_compute(start=start, rule=rule, calendar=calendar).due for start, rule in specs
    ]


def render_batch(specs: list[tuple[datetime.date, Any]], calendar: Any) -> list[dict[str, Any]]:
    """Compute and render every derivation step's text, as the API does."""
    from fazhi.core.clocks import deadline_compute

    return [
        deadline_compute(start=start, rule=rule, calendar=calendar).as_dict()
        for start, rule in specs
    ]


def plain_batch(specs: list[tuple[datetime.date, Any]]) -> list[datetime.date]:
    return [start + datetime.timedelta(days=rule.length) for start, rule in specs]


def run(bench: Bench) -> None:
    from fazhi.core.calendar import WorkCalendar
    from fazhi.core.clocks import deadline_compute
    from fazhi.core.models import CalendarDay, ClockRule

    rules = [r for r in ClockRule.objects.all() if r.unit != "year"]
    specs = rule_specs(SIZE, rules)
    size = f"{SIZE} deadlines, {len(rules)} rules"
    bench.measure("date + timedelta (baseline)", lambda: plain_batch(specs), size=size)
    calendar = WorkCalendar()
    calendar.kind(datetime.date(2025, 1, 1))  # load the overrides once, outside the timing
    bench.measure(
        "deadline_compute, shared calendar",
        lambda: compute_batch(specs, calendar),
        size=size,
        baseline="date + timedelta (baseline)",
        target="≤ 1 s",
    )
    bench.measure(
        "deadline_compute + derivation text",
        lambda: render_batch(specs, calendar),
        size=size,
        baseline="date + timedelta (baseline)",
        target="≤ 3 s",
    )
    few = specs[:1000]
    fields = ("date", "kind", "name", "source")
    bench.measure(
        "override query alone ×1000 (baseline)",
        lambda: [list(CalendarDay.objects.values_list(*fields)) for _ in few],
        size="1000 queries",
    )
    bench.measure(
        "deadline_compute, fresh calendar each (1 query)",
        lambda: [deadline_compute(start=s, rule=r).due for s, r in few],
        size="1000 deadlines",
        baseline="override query alone ×1000 (baseline)",
        target="≤ 1 ms each",
    )
