"""The pure draw (docs/draw-algorithm.md): determinism, statistics, receipts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.inspections import draw as d

ROOT = Path(__file__).resolve().parents[3]
VERIFIER = ROOT / "docs" / "verify_draw.py"


def ratios(default: int = 50_000, **cells: int) -> dict[str, int]:
    table = dict.fromkeys(d.STRATA, default)
    table.update({k.replace("_", "/"): v for k, v in cells.items()})
    return table


def params(**overrides: Any) -> d.DrawParams:
    values: dict[str, Any] = {
        "task": "T-2026-001",
        "reference_date": "2026-12-05",
        "ratios": ratios(),
        "floor_ppm": 10_000,
        "control_ppm": 0,
        "team": (("own", 2),),
        "seed_rule": "福彩3D 2026-12-08 开奖号码",
        "nonce_count": 2,
    }
    values.update(overrides)
    return d.DrawParams(**values)


def pool_rows(n: int, *, excluded_every: int = 0) -> list[tuple[int, str, str, str, str]]:
    credit = ("A", "B", "C", "D", "")
    risk = ("low", "moderate", "high", "major", "")
    rows = []
    for i in range(1, n + 1):
        exclusion = "recent" if excluded_every and i % excluded_every == 0 else ""
        rows.append((i * 3, f"9137080000{i:08d}", credit[i % 5], risk[(i // 5) % 5], exclusion))
    return rows


def officers(n: int, group: str = "own", start: int = 1) -> list[tuple[int, str, str]]:
    return [(start + i, f"鲁{start + i:08d}", group) for i in range(n)]


def make_receipt(
    *,
    pool: d.Pool,
    staff: d.Officers,
    pairs: d.Pairs,
    prm: d.DrawParams,
    events: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    params_bytes = prm.to_bytes()
    commitment = d.commitment_compute(
        pool=pool.data, officers=staff.data, pairs=pairs.data, params=params_bytes
    )
    nonces = ["4711", "老王的数字"][: prm.nonce_count]
    seed = d.seed_compute(commitment=commitment, announced="3 8 1", nonces=nonces)
    result = d.draw_compute(pool=pool, officers=staff, pairs=pairs, params=prm, seed=seed)
    initial = d.result_json(result)
    outcomes = [d.replacement_apply(result, e) for e in events or []]
    return d.receipt_build(
        pool=pool,
        officers=staff,
        pairs=pairs,
        params_bytes=params_bytes,
        commitment=commitment,
        announced="3 8 1",
        nonces=nonces,
        seed=seed,
        result=initial,
        replacements=outcomes,
        info={"task": prm.task},
    )


@pytest.fixture
def small() -> tuple[d.Pool, d.Officers, d.Pairs]:
    pool = d.pool_from_rows(pool_rows(600, excluded_every=7))
    staff = d.officers_from_rows(officers(12))
    pairs = d.pairs_from_rows([("conflict", 1, 3), ("previous", 2, 3), ("conflict", 5, 30)])
    return pool, staff, pairs


def standalone(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True, check=False
    )


# -- canonical texts and the commitment --------------------------------------


def test_pool_text_is_canonical_and_parsed_back() -> None:
    pool = d.pool_from_rows([(5, "X1", "A", "low", ""), (12, "X2", "", "", "recent")])
    assert pool.data == b"5\tX1\tA\tlow\t-\n12\tX2\t-\t-\trecent\n"
    assert pool.ids.tolist() == [5, 12]
    assert pool.strata.tolist() == [d.STRATUM_INDEX["A/low"], d.STRATUM_INDEX["-/-"]]
    assert pool.eligible.tolist() == [True, False]


@pytest.mark.parametrize(
    "data",
    [
        b"5\tX\tA\tlow\t-",  # no final newline
        b"5\tX\tA\tlow\t-\n3\tY\tA\tlow\t-\n",  # not ascending
        b"05\tX\tA\tlow\t-\n",  # leading zero
        b"5\tX\tE\tlow\t-\n",  # unknown credit class
        b"5\tX\tA\tlowish\t-\n",  # unknown risk level
        b"5\tX\tA\tlow\n",  # a field missing
        b"5\tX\tA\tlow\t-\t\n",  # a field too many
        b"5\t\tA\tlow\t-\n",  # empty uscc
        b"5x\tX\tA\tlow\t-\n",  # not a number
    ],
)
def test_non_canonical_pool_is_refused(data: bytes) -> None:
    with pytest.raises(d.DrawInputError) as info:
        d.pool_parse(data)
    assert info.value.code == "pool_not_canonical"


def test_every_change_to_the_pool_changes_the_commitment(small: Any) -> None:
    pool, staff, pairs = small
    prm = params().to_bytes()
    base = d.commitment_compute(pool=pool.data, officers=staff.data, pairs=pairs.data, params=prm)
    rows = pool_rows(600, excluded_every=7)
    variants = []
    for column, value in ((1, "9137080000X"), (2, "D"), (3, "major"), (4, "key_plan")):
        changed = [list(r) for r in rows]
        changed[10][column] = value
        variants.append(changed)
    variants.append([list(r) for r in rows[:-1]])  # one entity fewer
    variants.append([list(r) for r in rows] + [[5000, "9137089999", "A", "low", ""]])
    commitments = {base}
    for variant in variants:
        data = d.pool_from_rows(variant).data
        commitments.add(
            d.commitment_compute(pool=data, officers=staff.data, pairs=pairs.data, params=prm)
        )
    assert len(commitments) == len(variants) + 1
    other = d.commitment_compute(
        pool=pool.data, officers=staff.data, pairs=b"", params=params(floor_ppm=9_999).to_bytes()
    )
    assert other not in commitments


def test_seed_depends_on_commitment_announced_value_and_nonces() -> None:
    seeds = {
        d.seed_compute(commitment="a" * 64, announced="1", nonces=["x"]),
        d.seed_compute(commitment="b" * 64, announced="1", nonces=["x"]),
        d.seed_compute(commitment="a" * 64, announced="2", nonces=["x"]),
        d.seed_compute(commitment="a" * 64, announced="1", nonces=["y"]),
        d.seed_compute(commitment="a" * 64, announced="1", nonces=["x", "y"]),
    }
    assert len(seeds) == 5
    with pytest.raises(d.DrawInputError):
        d.seed_compute(commitment="a" * 64, announced="1\n", nonces=[])


def test_params_round_trip_and_refuse_an_incomplete_matrix() -> None:
    prm = params(team=(("own", 2), ("ext-7", 1)), control_ppm=20_000)
    assert d.params_parse(prm.to_bytes()) == params(
        team=(("ext-7", 1), ("own", 2)), control_ppm=20_000
    )
    table = ratios()
    del table["A/low"]
    with pytest.raises(d.DrawInputError) as info:
        params(ratios=table).to_bytes()
    assert info.value.code == "bad_ratios"


# -- selection -------------------------------------------------------------


def test_same_inputs_give_the_same_draw_and_another_seed_another(small: Any) -> None:
    pool, staff, pairs = small
    one = d.draw_compute(pool=pool, officers=staff, pairs=pairs, params=params(), seed="11" * 32)
    two = d.draw_compute(pool=pool, officers=staff, pairs=pairs, params=params(), seed="11" * 32)
    other = d.draw_compute(pool=pool, officers=staff, pairs=pairs, params=params(), seed="12" * 32)
    assert d.result_json(one) == d.result_json(two)
    assert one.selected != other.selected


def test_excluded_entities_are_never_selected(small: Any) -> None:
    pool, staff, pairs = small
    excluded = set(pool.ids[~pool.eligible].tolist())
    everyone = params(ratios=ratios(default=d.PPM))
    result = d.draw_compute(
        pool=pool, officers=staff, pairs=pairs, params=everyone, seed="00" * 32
    )
    assert not excluded & set(result.selected)
    assert len(result.selected) == int(pool.eligible.sum())


def test_frequencies_follow_the_ratios_and_the_floor() -> None:
    """Over many seeds, each entity's selection rate is its stratum's ratio.

    Stratum A/low has ratio 0 and is lifted to the floor (2%); B/high is 30%;
    C/moderate 10%. Every stratum's mean rate must be within 4 standard
    errors, and no single entity may be far from its stratum's rate.
    """
    rows = (
        [(i, f"U{i}", "A", "low", "") for i in range(1, 201)]
        + [(i, f"U{i}", "B", "high", "") for i in range(201, 261)]
        + [(i, f"U{i}", "C", "moderate", "") for i in range(261, 341)]
    )
    pool = d.pool_from_rows(rows)
    staff = d.officers_from_rows(officers(4))
    prm = params(
        ratios=ratios(default=0, A_low=0, B_high=300_000, C_moderate=100_000), floor_ppm=20_000
    )
    runs = 1500
    hits: Counter[int] = Counter()
    for run in range(runs):
        seed = d.sha256_hex(f"run {run}".encode())
        result = d.draw_compute(
            pool=pool, officers=staff, pairs=d.pairs_from_rows([]), params=prm, seed=seed
        )
        hits.update(result.selected)
    for low, high, p in ((1, 201, 0.02), (201, 261, 0.30), (261, 341, 0.10)):
        members = range(low, high)
        rate = sum(hits[e] for e in members) / (runs * len(members))
        assert abs(rate - p) < 4 * (p * (1 - p) / (runs * len(members))) ** 0.5, (p, rate)
        per_entity_se = (p * (1 - p) / runs) ** 0.5
        assert max(abs(hits[e] / runs - p) for e in members) < 5 * per_entity_se


def test_quotas_are_rounded_at_random_with_the_right_mean() -> None:
    rows = [(i, f"U{i}", "A", "low", "") for i in range(1, 11)]  # 10 × 25% = 2.5
    pool = d.pool_from_rows(rows)
    staff = d.officers_from_rows(officers(2))
    prm = params(ratios=ratios(default=0, A_low=250_000), floor_ppm=0)
    sizes = Counter(
        len(
            d.draw_compute(
                pool=pool,
                officers=staff,
                pairs=d.pairs_from_rows([]),
                params=prm,
                seed=d.sha256_hex(str(run).encode()),
            ).selected
        )
        for run in range(800)
    )
    assert set(sizes) == {2, 3}
    assert 0.42 < sizes[3] / 800 < 0.58


def test_control_sample_is_a_uniform_sample_of_the_eligible(small: Any) -> None:
    pool, staff, pairs = small
    prm = params(control_ppm=100_000, ratios=ratios(default=0), floor_ppm=0)
    result = d.draw_compute(pool=pool, officers=staff, pairs=pairs, params=prm, seed="ab" * 32)
    assert result.selected == []
    eligible = int(pool.eligible.sum())
    assert len(result.control) in (eligible // 10, eligible // 10 + 1)
    assert set(result.control) <= set(pool.ids[pool.eligible].tolist())
    assert list(result.teams) == result.control


def test_empty_pool_and_too_few_officers_are_refused(small: Any) -> None:
    pool, staff, pairs = small
    nobody = d.pool_from_rows([(1, "U1", "A", "low", "status")])
    with pytest.raises(d.DrawInputError) as info:
        d.draw_compute(pool=nobody, officers=staff, pairs=pairs, params=params(), seed="00" * 32)
    assert info.value.code == "empty_pool"
    one = d.officers_from_rows(officers(1))
    with pytest.raises(d.DrawInputError) as info:
        d.draw_compute(pool=pool, officers=one, pairs=pairs, params=params(), seed="00" * 32)
    assert info.value.code == "too_few_officers"
    assert info.value.detail == {"group": "own", "needed": 2, "found": 1}


def test_a_team_that_conflicts_cannot_form_is_refused() -> None:
    pool = d.pool_from_rows([(1, "U1", "A", "low", "")])
    staff = d.officers_from_rows(officers(3))
    pairs = d.pairs_from_rows([("conflict", 1, 1), ("previous", 2, 1)])
    everyone = params(ratios=ratios(default=d.PPM))
    with pytest.raises(d.DrawInputError) as info:
        d.draw_compute(pool=pool, officers=staff, pairs=pairs, params=everyone, seed="00" * 32)
    assert info.value.code == "team_impossible"


officer_counts = st.integers(min_value=2, max_value=9)


@settings(max_examples=60, deadline=None)
@given(
    n_officers=officer_counts,
    n_external=st.integers(min_value=0, max_value=4),
    barred=st.lists(
        st.tuples(st.integers(min_value=1, max_value=13), st.integers(min_value=1, max_value=40)),
        max_size=60,
    ),
    seed=st.binary(min_size=32, max_size=32),
)
def test_teams_never_hold_barred_officers_and_loads_stay_balanced(
    n_officers: int, n_external: int, barred: list[tuple[int, int]], seed: bytes
) -> None:
    rows = [(i, f"U{i}", "A", "low", "") for i in range(1, 41)]
    pool = d.pool_from_rows(rows)
    staff_rows = officers(n_officers) + officers(n_external, "ext-1", start=100)
    staff = d.officers_from_rows(staff_rows)
    team: tuple[tuple[str, int], ...] = (("own", 2),)
    if n_external:
        team = (("ext-1", 1), ("own", 2))
    pairs = d.pairs_from_rows([("conflict", o, e) for o, e in barred])
    prm = params(ratios=ratios(default=500_000), team=team)
    try:
        result = d.draw_compute(
            pool=pool, officers=staff, pairs=pairs, params=prm, seed=seed.hex()
        )
    except d.DrawInputError as exc:
        refused = exc.code
    else:
        refused = ""
    if refused:  # some barred pairs leave too few officers for an entity
        assert refused == "team_impossible"
        return
    pool_officers = {o for o, _, _ in staff_rows}
    for entity, members in result.teams.items():
        assert len(set(members)) == len(members) == sum(n for _, n in team)
        assert set(members) <= pool_officers
        assert not set(members) & pairs.by_entity.get(entity, frozenset())
        assert sum(1 for o in members if o >= 100) == (1 if n_external else 0)
    if not barred:
        loads = Counter(o for members in result.teams.values() for o in members)
        own = [loads[o] for o in range(1, n_officers + 1)]
        assert max(own) - min(own) <= 1


@settings(max_examples=80, deadline=None)
@given(
    n_officers=st.integers(min_value=2, max_value=12),
    n_external=st.integers(min_value=0, max_value=3),
    n_entities=st.integers(min_value=0, max_value=120),
    barred=st.lists(
        st.tuples(st.integers(min_value=1, max_value=14), st.integers(min_value=1, max_value=120)),
        max_size=150,
    ),
    seed=st.binary(min_size=32, max_size=32),
)
def test_teams_in_slices_equal_the_heap_one_entity_at_a_time(
    n_officers: int, n_external: int, n_entities: int, barred: list[tuple[int, int]], seed: bytes
) -> None:
    """``teams_assign`` (slices of load levels) picks what §7's heap picks, entity by entity."""
    staff = d.officers_from_rows(officers(n_officers) + officers(n_external, "ext-1", start=100))
    team: tuple[tuple[str, int], ...] = (("own", 2),)
    if n_external:
        team = (("ext-1", 1), ("own", 2))
    pairs = d.pairs_from_rows([("conflict", o if o <= 12 else 100 + o % 3, e) for o, e in barred])
    prm = params(team=team)
    order = list(range(1, n_entities + 1))
    heap = d.TeamAssigner(officers=staff, pairs=pairs, params=prm, seed=seed.hex())
    expected: list[tuple[int, ...]] = []
    refused = None
    for entity in order:
        try:
            expected.append(heap.assign(entity))
        except d.DrawInputError as exc:
            refused = exc.detail
            break
    if refused is not None:
        with pytest.raises(d.DrawInputError) as info:
            d.teams_assign(officers=staff, pairs=pairs, params=prm, seed=seed.hex(), order=order)
        assert info.value.detail == refused
        return
    rows, bulk = d.teams_assign(
        officers=staff, pairs=pairs, params=prm, seed=seed.hex(), order=order, every=7
    )
    assert [tuple(r) for r in rows.tolist()] == expected
    assert bulk.load == heap.load


def test_pool_lines_in_any_order_are_put_in_id_order() -> None:
    rows = pool_rows(50, excluded_every=4)
    lines = d.pool_from_rows(rows).data.splitlines(keepends=True)
    canonical = d.pool_parse(b"".join(lines))
    rotated = b"".join(lines[17:] + lines[:17])  # a scan that started mid-table
    shuffled = b"".join(lines[::-1][:10] + lines[:40])
    for data in (rotated, shuffled, b"".join(lines)):
        pool = d.pool_sort(data)
        assert pool.data == canonical.data
        assert pool.ids.tolist() == canonical.ids.tolist()
        assert pool.strata.tolist() == canonical.strata.tolist()
        assert pool.eligible.tolist() == canonical.eligible.tolist()
    with pytest.raises(d.DrawInputError):
        d.pool_sort(rotated + lines[3])  # an id twice


def test_teams_are_not_fixed_pairs() -> None:
    rows = [(i, f"U{i}", "A", "low", "") for i in range(1, 61)]
    pool = d.pool_from_rows(rows)
    staff = d.officers_from_rows(officers(6))
    prm = params(ratios=ratios(default=d.PPM))
    result = d.draw_compute(
        pool=pool, officers=staff, pairs=d.pairs_from_rows([]), params=prm, seed="cd" * 32
    )
    assert len({frozenset(t) for t in result.teams.values()}) > 3


# -- replacements ------------------------------------------------------------


def test_entity_replacement_takes_the_next_in_its_stratum_queue(small: Any) -> None:
    pool, staff, pairs = small
    result = d.draw_compute(
        pool=pool, officers=staff, pairs=pairs, params=params(), seed="ee" * 32
    )
    out = result.selected[0]
    position = int(pool.ids.searchsorted(out))
    queue = result.queue(int(pool.strata[position]))
    outcome = d.replacement_apply(
        result,
        {"type": "entity", "out": out, "reason": "已注销", "skipped": [[queue[0], "停产"]]},
    )
    assert outcome["in"] == queue[1]
    assert result.selected[0] == queue[1]
    assert out not in result.teams
    assert len(outcome["team"]) == 2
    with pytest.raises(d.DrawInputError) as info:
        d.replacement_apply(
            result,
            {"type": "entity", "out": result.selected[1], "reason": "x", "skipped": [[1, "y"]]},
        )
    assert info.value.code == "replacement_skip_out_of_order"


def test_officer_replacement_bars_the_pair(small: Any) -> None:
    pool, staff, pairs = small
    result = d.draw_compute(
        pool=pool, officers=staff, pairs=pairs, params=params(), seed="ef" * 32
    )
    entity = result.order[0]
    out = result.teams[entity][0]
    outcome = d.replacement_apply(
        result, {"type": "officer", "entity": entity, "out": out, "reason": "亲属关系"}
    )
    assert outcome["in"] not in (out, result.teams[entity][1])
    assert out not in result.teams[entity]


# -- receipts: both verifiers ------------------------------------------------


@pytest.fixture
def receipt_file(tmp_path: Path, small: Any) -> Path:
    pool, staff, pairs = small
    probe = make_receipt(pool=pool, staff=staff, pairs=pairs, prm=params(control_ppm=30_000))
    entity, team = probe["result"]["teams"][0]
    events = [
        {"type": "officer", "entity": entity, "out": team[0], "reason": "回避"},
        {"type": "entity", "out": probe["result"]["selected"][2], "reason": "已注销"},
        {"type": "entity", "out": probe["result"]["control"][-1], "reason": "停业"},
    ]
    receipt = make_receipt(
        pool=pool, staff=staff, pairs=pairs, prm=params(control_ppm=30_000), events=events
    )
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    return path


def test_both_verifiers_match_an_honest_receipt(receipt_file: Path) -> None:
    receipt = json.loads(receipt_file.read_text(encoding="utf-8"))
    assert len(receipt["replacements"]) == 3
    assert d.receipt_verify(receipt).ok
    out = StringIO()
    call_command("draw_verify", str(receipt_file), stdout=out)
    assert out.getvalue().startswith("MATCH")
    done = standalone(receipt_file)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("MATCH")


def _flip(path: Path, needle: bytes, offset: int = 0) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(needle) + offset
    data[at] = data[at] + 1 if data[at] != ord("9") else ord("8")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("needle", "offset", "expect"),
    [
        (b'"pool": "', 9, "commitment"),  # first digit of the first pool id
        (b"\\tC\\t", 2, "commitment"),  # a credit class changed in the pool text
        (b'"selected": [', 13, "result.selected"),
        (b'"teams": [[', 11, "result"),
        (b'"nonces": ["', 12, "seed"),
        (b'"in": ', 6, "replacements"),
    ],
)
def test_one_changed_byte_is_caught_by_both_verifiers(
    receipt_file: Path, needle: bytes, offset: int, expect: str
) -> None:
    _flip(receipt_file, needle, offset)
    with pytest.raises(CommandError) as info:
        call_command("draw_verify", str(receipt_file), stdout=StringIO())
    assert "DIFFERENCE" in str(info.value)
    assert expect in str(info.value)
    done = standalone(receipt_file)
    assert done.returncode == 1
    assert done.stdout.startswith("DIFFERENCE")
    assert expect.split(".")[0] in done.stdout


def test_verifiers_refuse_a_receipt_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(b'{"format": "fazhi-draw-receipt/1", "pool": ')
    with pytest.raises(CommandError):
        call_command("draw_verify", str(path), stdout=StringIO())
    assert standalone(path).returncode == 1


def test_a_big_pool_parsed_in_pieces_equals_the_pool_parsed_at_once(monkeypatch: Any) -> None:
    from fazhi.inspections import draw_texts

    data = d.pool_from_rows(pool_rows(300, excluded_every=5)).data
    whole = d.pool_parse(data)
    monkeypatch.setattr(draw_texts, "_CHUNK", 257)  # a few lines per piece
    pieces = d.pool_parse(data)
    assert pieces.ids.tolist() == whole.ids.tolist()
    assert pieces.strata.tolist() == whole.strata.tolist()
    assert pieces.eligible.tolist() == whole.eligible.tolist()
    lines = data.splitlines(keepends=True)
    lines[200] = lines[200].replace(b"\tA\t", b"\tE\t").replace(b"\tB\t", b"\tE\t")
    lines[200] = lines[200].replace(b"\tC\t", b"\tE\t").replace(b"\tD\t", b"\tE\t")
    lines[200] = lines[200].replace(b"\t-\t", b"\tE\t", 1)
    with pytest.raises(d.DrawInputError) as info:
        d.pool_parse(b"".join(lines))
    assert info.value.detail["line"] == 201  # counted across the pieces
