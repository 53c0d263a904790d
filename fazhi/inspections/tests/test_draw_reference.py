"""The numpy draw against the specification read literally (docs/draw-algorithm.md §6).

``draw_compute`` reads only the keys below a bound per stratum, and reads a
stratum whole when the bound leaves too few; both paths must give what
sorting every eligible entity by (key, id) gives.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from fazhi.inspections import draw as d
from fazhi.inspections.tests.test_draw import officers, params, ratios


def _reference(pool: d.Pool, prm: d.DrawParams, seed: str) -> dict[str, Any]:
    """Selection, control sample and queues by sorting everything, as §6 says."""
    keys = d.stream(seed, "select", len(pool)).tolist()
    quota_u = d.stream(seed, "quota", len(d.STRATA) + 1).tolist()
    ids = pool.ids.tolist()
    eligible = [i for i in range(len(pool)) if pool.eligible[i]]
    selected: list[tuple[int, int]] = []
    strata = []
    queues = {}
    for s in range(len(d.STRATA)):
        members = sorted((keys[i], ids[i]) for i in eligible if pool.strata[i] == s)
        if not members:
            continue
        quota = d._round_random(len(members), prm.ratio(s), quota_u[s])
        strata.append((d.STRATA[s], len(members), prm.ratio(s), quota))
        selected += members[:quota]
        queues[s] = [e for _key, e in members[quota:]]
    control: list[int] = []
    control_queue: list[int] = []
    if prm.control_ppm:
        ckeys = d.stream(seed, "control", len(pool)).tolist()
        ranked = sorted((ckeys[i], ids[i]) for i in eligible)
        m = d._round_random(len(ranked), prm.control_ppm, quota_u[d.CONTROL_QUOTA_INDEX])
        control = [e for _key, e in ranked[:m]]
        control_queue = [e for _key, e in ranked[m:]]
    return {
        "selected": [e for _key, e in sorted(selected)],
        "control": control,
        "strata": strata,
        "queues": queues,
        "control_queue": control_queue,
    }


def _pool(rng: random.Random, n: int) -> d.Pool:
    rows: list[tuple[int, str, str, str, str]] = []
    pk = 0
    for _ in range(n):
        pk += rng.choice((1, 1, 1, 2, 7, 1000))
        credit = rng.choice(("A", "A", "A", "B", "C", "D", ""))
        risk = rng.choice(("low", "low", "moderate", "high", "major", ""))
        exclusion = rng.choice(("", "", "", "", "", "", "recent", "status")) if rows else ""
        rows.append((pk, f"9137{pk:014d}", credit, risk, exclusion))
    return d.pool_from_rows(rows)


def _check(pool: d.Pool, prm: d.DrawParams, seed: str) -> None:
    staff = d.officers_from_rows(officers(40))
    got = d.draw_compute(
        pool=pool, officers=staff, pairs=d.pairs_from_rows([]), params=prm, seed=seed
    )
    want = _reference(pool, prm, seed)
    assert got.selected == want["selected"]
    assert got.control == want["control"]
    assert [(s.stratum, s.eligible, s.ratio_ppm, s.quota) for s in got.strata] == want["strata"]
    for s, queue in want["queues"].items():
        assert got.queue(s) == queue
    assert got.control_queue() == want["control_queue"]
    in_order = got.selected + [e for e in got.control if e not in set(got.selected)]
    assert got.order == in_order
    assert list(got.teams) == in_order


@pytest.mark.parametrize("case", range(6))
def test_the_draw_equals_sorting_every_eligible_entity(case: int) -> None:
    rng = random.Random(case)
    cells = {
        "D_major": 1_000_000,  # a whole stratum
        "A_low": 0,  # none but the floor
        "B_high": rng.choice((300_000, 999_999)),
    }
    prm = params(
        ratios=ratios(rng.choice((20_000, 50_000, 400_000)), **cells),
        floor_ppm=rng.choice((0, 10_000)),
        control_ppm=rng.choice((0, 30_000, 1_000_000)),
    )
    _check(_pool(rng, rng.choice((1, 30, 700, 4000))), prm, f"{case:02x}" * 32)


@pytest.mark.parametrize("bound", ["none", "half", "tight"])
def test_strata_the_bound_cuts_short_are_read_whole(
    bound: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bound that leaves too few keys (never in practice) changes nothing but the speed."""
    original = d._bound

    def short(k: int, members: int) -> int:
        if bound == "none":
            return 0
        if bound == "half":
            return original(k // 2, members)
        return original(k, members) if k % 2 else original(max(k - 3, 0), members) // 2

    monkeypatch.setattr(d, "_bound", short)
    rng = random.Random(99)
    prm = params(ratios=ratios(60_000, D_major=1_000_000), control_ppm=50_000)
    _check(_pool(rng, 3000), prm, "5a" * 32)
