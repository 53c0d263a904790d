"""双随机 draw, algorithm ``fazhi-draw/1``: a pure function of (pool, parameters, seed).

Nothing here touches the database or the clock. docs/draw-algorithm.md is the
specification; this module is one implementation of it (numpy for the keys and
the sort) and docs/verify_draw.py is a second, standard-library one. Every
decision that affects who is selected is integer arithmetic on 64-bit numbers
read from SHAKE256, so any language reproduces it bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from fazhi.inspections.draw_teams import TeamAssigner, teams_assign
from fazhi.inspections.draw_texts import (
    ALGORITHM,
    CONTROL_QUOTA_INDEX,
    CREDIT_CODES,
    NO_EXCLUSION,
    PAIR_KINDS,
    PPM,
    RECEIPT_FORMAT,
    RISK_CODES,
    STRATA,
    STRATUM_INDEX,
    DrawInputError,
    DrawParams,
    Officers,
    Pairs,
    Pool,
    _text,
    officers_from_rows,
    officers_parse,
    pairs_from_rows,
    pairs_parse,
    params_parse,
    pool_exclude,
    pool_from_rows,
    pool_line,
    pool_parse,
    pool_sort,
    sha256_hex,
    stream,
)

__all__ = [
    "ALGORITHM",
    "CREDIT_CODES",
    "NO_EXCLUSION",
    "PAIR_KINDS",
    "PPM",
    "RECEIPT_FORMAT",
    "RISK_CODES",
    "STRATA",
    "STRATUM_INDEX",
    "DrawInputError",
    "DrawParams",
    "DrawResult",
    "Officers",
    "Pairs",
    "Pool",
    "TeamAssigner",
    "commitment_compute",
    "commitment_of_digests",
    "draw_compute",
    "officers_from_rows",
    "officers_parse",
    "pairs_from_rows",
    "pairs_parse",
    "params_parse",
    "pool_exclude",
    "pool_from_rows",
    "pool_line",
    "pool_parse",
    "pool_sort",
    "receipt_build",
    "receipt_verify",
    "replacement_apply",
    "result_json",
    "seed_compute",
    "sha256_hex",
    "stream",
    "teams_assign",
]

# -- commitment, seed, random numbers ---------------------------------------


def commitment_compute(*, pool: bytes, officers: bytes, pairs: bytes, params: bytes) -> str:
    """The commitment: SHA-256 of the four parts' SHA-256 digests, labelled."""
    return commitment_of_digests(
        pool=sha256_hex(pool),
        officers=sha256_hex(officers),
        pairs=sha256_hex(pairs),
        params=sha256_hex(params),
    )


def commitment_of_digests(*, pool: str, officers: str, pairs: str, params: str) -> str:
    """The commitment from the four parts' SHA-256 digests (hex), already taken."""
    text = f"{ALGORITHM}\npool\t{pool}\nofficers\t{officers}\npairs\t{pairs}\nparams\t{params}\n"
    return sha256_hex(text.encode("utf-8"))


def seed_compute(*, commitment: str, announced: str, nonces: Sequence[str]) -> str:
    """The seed: SHA-256 over the commitment, the announced value and the nonces."""
    parts = [f"{ALGORITHM} seed\n", f"commitment\t{commitment}\n"]
    parts.append(f"announced\t{_text(announced, 'announced')}\n")
    parts += [f"nonce\t{_text(n, 'nonce')}\n" for n in nonces]
    return sha256_hex("".join(parts).encode("utf-8"))


def _round_random(total: int, ratio: int, u: int) -> int:
    """``total × ratio / PPM`` rounded up with probability equal to its fraction."""
    whole, remainder = divmod(total * ratio, PPM)
    return whole + (1 if (u * PPM) >> 64 < remainder else 0)


# -- the draw ---------------------------------------------------------------


@dataclass
class StratumCount:
    stratum: str
    eligible: int
    ratio_ppm: int
    quota: int


@dataclass
class _Ranking:
    """What the replacement queues are read from (§6.5), by pool position."""

    pool: Pool
    keys: npt.NDArray[np.uint64]
    chosen: npt.NDArray[np.bool_]
    control_keys: npt.NDArray[np.uint64] | None
    control_chosen: npt.NDArray[np.bool_] | None


@dataclass
class DrawResult:
    """The outcome of a draw: who, in which order, with whom, and what comes next."""

    selected: list[int]
    control: list[int]
    order: list[int]  # the inspected entities in team-assignment order
    strata: list[StratumCount]
    pool: Pool
    assigner: TeamAssigner
    ranking: _Ranking
    # As drawn, before any replacement: the pool positions of ``order`` and
    # their teams, one row each (what the selection rows are written from).
    drawn: npt.NDArray[np.intp]
    team_rows: npt.NDArray[np.int64]
    replacements: list[dict[str, Any]] = field(default_factory=list)
    _teams: dict[int, tuple[int, ...]] | None = field(default=None, repr=False)

    @property
    def teams(self) -> dict[int, tuple[int, ...]]:
        """Each inspected entity's team (made when first asked: the rows are written without)."""
        if self._teams is None:
            entities = self.pool.ids[self.drawn].tolist()
            self._teams = dict(zip(entities, map(tuple, self.team_rows.tolist()), strict=True))
        return self._teams

    def queue(self, stratum: int) -> list[int]:
        """A stratum's replacement queue: its eligible entities not selected, by (key, id)."""
        r = self.ranking
        rest = np.flatnonzero((r.pool.strata == stratum) & r.pool.eligible & ~r.chosen)
        return r.pool.ids[rest[np.argsort(r.keys[rest], kind="stable")]].tolist()

    def control_queue(self) -> list[int]:
        """The control sample's replacement queue, by (control key, id)."""
        r = self.ranking
        if r.control_keys is None or r.control_chosen is None:
            return []
        rest = np.flatnonzero(r.pool.eligible & ~r.control_chosen)
        return r.pool.ids[rest[np.argsort(r.control_keys[rest], kind="stable")]].tolist()


PROGRESS_EVERY = 5_000  # teams between two progress reports
_KEY_MAX = (1 << 64) - 1


def _smallest(
    keys: npt.NDArray[np.uint64], members: npt.NDArray[np.intp], k: int
) -> npt.NDArray[np.intp]:
    """The ``k`` of ``members`` (ascending positions) with the smallest (key, position)."""
    if k >= len(members):
        return members
    if k <= 0:
        return members[:0]
    mine = keys[members]
    kth = np.partition(mine, k - 1)[k - 1]
    below = members[mine < kth]
    tied = members[mine == kth]  # in position order: the smaller ids first
    return np.concatenate((below, tied[: k - len(below)]))


def _bound(k: int, members: int) -> int:
    """A key below which ``k`` of ``members`` uniform 64-bit keys all but surely lie.

    The count of keys below it has mean ``k + 6·√k + 16``: short of ``k``
    about once in a billion draws. Only speed depends on it (``draw_compute``
    reads the whole stratum when the bound leaves fewer than ``k``).
    """
    if k <= 0 or members <= 0:
        return 0
    return min(_KEY_MAX, ((k + 6 * math.isqrt(k) + 16) << 64) // members)


def _by_key(keys: npt.NDArray[np.uint64], positions: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """``positions`` sorted by (key, position)."""
    positions = np.sort(positions)
    return positions[np.argsort(keys[positions], kind="stable")]


def draw_compute(
    *,
    pool: Pool,
    officers: Officers,
    pairs: Pairs,
    params: DrawParams,
    seed: str,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> DrawResult:
    """Run algorithm fazhi-draw/1 (docs/draw-algorithm.md §5–§7).

    ``on_progress(stage, done, total)`` hears how far the teams have come.

    Only the selected entities are sorted: each stratum's quota is cut with
    a partition (linear), and the replacement queues are sorted when a
    replacement asks for one.
    """
    params.check()
    n = len(pool)
    eligible = pool.eligible
    counts = np.bincount(pool.strata[eligible], minlength=len(STRATA))
    if not counts.any():
        raise DrawInputError("empty_pool")
    for group, count in params.team:
        available = len(officers.of_group(group))
        if available < count:
            raise DrawInputError("too_few_officers", group=group, needed=count, found=available)

    keys = stream(seed, "select", n)
    quota_u = stream(seed, "quota", len(STRATA) + 1)
    quotas = [
        _round_random(int(counts[s]), params.ratio(s), int(quota_u[s])) for s in range(len(STRATA))
    ]
    # Only keys below a stratum's bound can be among its smallest: the bound
    # leaves a wide margin, and a stratum it would cut short is read whole.
    bounds = np.array([_bound(q, int(c)) for q, c in zip(quotas, counts, strict=True)], np.uint64)
    below = np.flatnonzero((keys <= bounds[pool.strata]) & eligible)
    below_strata = pool.strata[below]
    strata: list[StratumCount] = []
    picked = []
    for s, quota in enumerate(quotas):
        if counts[s]:
            strata.append(StratumCount(STRATA[s], int(counts[s]), params.ratio(s), quota))
            members = below[below_strata == s]
            if len(members) < quota:
                members = np.flatnonzero((pool.strata == s) & eligible)
            picked.append(_smallest(keys, members, quota))
    chosen_pos = _by_key(keys, np.concatenate(picked))
    chosen = np.zeros(n, np.bool_)
    chosen[chosen_pos] = True
    drawn = chosen_pos

    control: list[int] = []
    c_keys = c_chosen = None
    if params.control_ppm:
        c_keys = stream(seed, "control", n)
        total = int(counts.sum())
        m = _round_random(total, params.control_ppm, int(quota_u[CONTROL_QUOTA_INDEX]))
        members = np.flatnonzero((c_keys <= _bound(m, total)) & eligible)
        if len(members) < m:
            members = np.flatnonzero(eligible)
        c_pos = _by_key(c_keys, _smallest(c_keys, members, m))
        c_chosen = np.zeros(n, np.bool_)
        c_chosen[c_pos] = True
        control = pool.ids[c_pos].tolist()
        drawn = np.concatenate((chosen_pos, c_pos[~chosen[c_pos]]))  # each entity once

    order = pool.ids[drawn]
    team_rows, assigner = teams_assign(
        officers=officers,
        pairs=pairs,
        params=params,
        seed=seed,
        order=order,
        on_progress=on_progress,
        every=PROGRESS_EVERY,
    )
    return DrawResult(
        selected=order[: len(chosen_pos)].tolist(),
        control=control,
        order=order.tolist(),
        strata=strata,
        pool=pool,
        assigner=assigner,
        ranking=_Ranking(pool, keys, chosen, c_keys, c_chosen),
        drawn=drawn,
        team_rows=team_rows,
    )


# -- replacements after the draw (§8) ---------------------------------------


def replacement_apply(result: DrawResult, event: Mapping[str, Any]) -> dict[str, Any]:
    """Apply one recorded replacement and return it with its computed outcome.

    An entity replacement takes the next entity of the same queue (its
    stratum's, or the control queue), skipping entities already inspected and
    those the event lists as ``skipped`` (each with a reason), in queue order.
    An officer replacement takes the group's next officer by the team rule.
    """
    kind = event.get("type")
    reason = _text(str(event.get("reason", "")), "reason")
    if not reason:
        raise DrawInputError("replacement_without_reason")
    if kind == "entity":
        out = int(event["out"])
        if out not in result.teams:
            raise DrawInputError("replacement_not_inspected", entity=out)
        in_main = out in result.selected
        if in_main:
            position = int(np.searchsorted(result.pool.ids, out))
            queue = result.queue(int(result.pool.strata[position]))
        else:
            queue = result.control_queue()
        used = {int(r["in"]) for r in result.replacements if r.get("type") == "entity" and r["in"]}
        used |= {int(s[0]) for r in result.replacements for s in r.get("skipped", [])}
        used |= {int(r["out"]) for r in result.replacements if r.get("type") == "entity"}
        skipped = [(int(s[0]), _text(str(s[1]), "reason")) for s in event.get("skipped", [])]
        candidates = [e for e in queue if e not in result.teams and e not in used and e != out]
        for position, (entity, why) in enumerate(skipped):
            if position >= len(candidates) or candidates[position] != entity or not why:
                raise DrawInputError("replacement_skip_out_of_order", entity=entity)
        rest = candidates[len(skipped) :]
        incoming = rest[0] if rest else None
        team = result.teams.pop(out)
        result.assigner.release(team)
        result.order.remove(out)
        if in_main and out in result.control:
            result.control.remove(out)
        if in_main and incoming is not None:
            result.selected[result.selected.index(out)] = incoming
        elif in_main:
            result.selected.remove(out)
        else:
            result.control.remove(out)
        new_team: tuple[int, ...] = ()
        if incoming is not None:
            if not in_main:
                result.control.append(incoming)
            new_team = result.assigner.assign(incoming)
            result.teams[incoming] = new_team
            result.order.append(incoming)
        outcome = {
            "type": "entity",
            "out": out,
            "reason": reason,
            "skipped": [[e, why] for e, why in skipped],
            "in": incoming,
            "team": list(new_team),
        }
    elif kind == "officer":
        entity = int(event["entity"])
        out = int(event["out"])
        current = result.teams.get(entity)
        if current is None or out not in current:
            raise DrawInputError("replacement_not_in_team", entity=entity, officer=out)
        team = current
        group = result.assigner.group_of[out]
        result.assigner.release([out])
        result.assigner.bar(entity, out)
        incoming = result.assigner.pick_one(entity, group, exclude=team)
        if incoming is None:
            raise DrawInputError("team_impossible", entity=entity, group=group, needed=1, found=0)
        result.teams[entity] = tuple(incoming if o == out else o for o in team)
        outcome = {"type": "officer", "entity": entity, "out": out, "reason": reason}
        outcome["in"] = incoming
    else:
        raise DrawInputError("replacement_unknown_type", type=kind)
    result.replacements.append(outcome)
    return outcome


# -- receipts ---------------------------------------------------------------


def result_json(result: DrawResult) -> dict[str, Any]:
    """The result part of a receipt (before any replacement)."""
    return {
        "strata": [
            {
                "stratum": s.stratum,
                "eligible": s.eligible,
                "ratio_ppm": s.ratio_ppm,
                "quota": s.quota,
            }
            for s in result.strata
        ],
        "selected": list(result.selected),
        "control": list(result.control),
        "teams": [[e, list(result.teams[e])] for e in result.order],
    }


def receipt_build(
    *,
    pool: Pool,
    officers: Officers,
    pairs: Pairs,
    params_bytes: bytes,
    commitment: str,
    announced: str,
    nonces: Sequence[str],
    seed: str,
    result: Mapping[str, Any],
    replacements: Sequence[Mapping[str, Any]] = (),
    info: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything needed to recompute the draw, as one JSON-ready dict."""
    return {
        "format": RECEIPT_FORMAT,
        "algorithm": ALGORITHM,
        "info": dict(info or {}),
        "pool": pool.data.decode("utf-8"),
        "officers": officers.data.decode("utf-8"),
        "pairs": pairs.data.decode("utf-8"),
        "params": params_bytes.decode("utf-8"),
        "commitment": commitment,
        "seed": {"announced": announced, "nonces": list(nonces), "value": seed},
        "result": dict(result),
        "replacements": [dict(r) for r in replacements],
    }


@dataclass
class Verification:
    ok: bool
    difference: str = ""
    selected: int = 0
    teams: int = 0


def _first_difference(what: str, expected: Any, found: Any) -> str | None:
    if expected == found:
        return None
    if isinstance(expected, list) and isinstance(found, list):
        for i, (a, b) in enumerate(zip(expected, found, strict=False)):
            if a != b:
                return f"{what}[{i}]: recomputed {a!r}, receipt has {b!r}"
        return f"{what}: recomputed {len(expected)} items, receipt has {len(found)}"
    return f"{what}: recomputed {expected!r}, receipt has {found!r}"


def receipt_verify(receipt: Mapping[str, Any]) -> Verification:
    """Recompute a receipt from its own inputs; report MATCH or the first difference."""
    try:
        return _receipt_verify(receipt)
    except DrawInputError as exc:
        return Verification(False, f"the receipt's inputs are not valid: {exc}")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return Verification(False, f"the receipt is malformed: {exc!r}")


def _receipt_verify(receipt: Mapping[str, Any]) -> Verification:
    if receipt.get("format") != RECEIPT_FORMAT or receipt.get("algorithm") != ALGORITHM:
        return Verification(False, "unknown receipt format or algorithm")
    parts = {
        name: str(receipt[name]).encode("utf-8")
        for name in ("pool", "officers", "pairs", "params")
    }
    commitment = commitment_compute(**parts)
    if commitment != receipt["commitment"]:
        return Verification(
            False,
            f"commitment: recomputed {commitment}, receipt has {receipt['commitment']}",
        )
    params = params_parse(parts["params"])
    seed_info = receipt["seed"]
    nonces = [str(n) for n in seed_info["nonces"]]
    if len(nonces) != params.nonce_count:
        return Verification(
            False, f"seed: {len(nonces)} nonces, the commitment announced {params.nonce_count}"
        )
    seed = seed_compute(
        commitment=commitment, announced=str(seed_info["announced"]), nonces=nonces
    )
    if seed != seed_info["value"]:
        return Verification(False, f"seed: recomputed {seed}, receipt has {seed_info['value']}")
    result = draw_compute(
        pool=pool_parse(parts["pool"]),
        officers=officers_parse(parts["officers"]),
        pairs=pairs_parse(parts["pairs"]),
        params=params,
        seed=seed,
    )
    expected = result_json(result)
    found = receipt["result"]
    for name in ("strata", "selected", "control", "teams"):
        problem = _first_difference(f"result.{name}", expected[name], found.get(name))
        if problem:
            return Verification(False, problem)
    recorded = list(receipt.get("replacements", []))
    for i, event in enumerate(recorded):
        outcome = replacement_apply(result, event)
        problem = _first_difference(f"replacements[{i}]", outcome, dict(event))
        if problem:
            return Verification(False, problem)
    return Verification(True, selected=len(result.selected), teams=len(result.teams))
