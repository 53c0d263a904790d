"""双随机 draw, algorithm ``fazhi-draw/1``: a pure function of (pool, parameters, seed).

Nothing here touches the database or the clock. docs/draw-algorithm.md is the
specification; this module is one implementation of it (numpy for the keys and
the sort) and docs/verify_draw.py is a second, standard-library one. Every
decision that affects who is selected is integer arithmetic on 64-bit numbers
read from SHAKE256, so any language reproduces it bit for bit.
"""

from __future__ import annotations

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
    text = (
        f"{ALGORITHM}\n"
        f"pool\t{sha256_hex(pool)}\n"
        f"officers\t{sha256_hex(officers)}\n"
        f"pairs\t{sha256_hex(pairs)}\n"
        f"params\t{sha256_hex(params)}\n"
    )
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
    """What the replacement queues are read from (§6.5): built only when needed."""

    ids: npt.NDArray[np.int64]  # eligible entities, ascending id
    strata: npt.NDArray[np.int8]
    keys: npt.NDArray[np.uint64]
    chosen: npt.NDArray[np.bool_]
    control_keys: npt.NDArray[np.uint64] | None
    control_chosen: npt.NDArray[np.bool_] | None


@dataclass
class DrawResult:
    """The outcome of a draw: who, in which order, with whom, and what comes next."""

    selected: list[int]
    control: list[int]
    teams: dict[int, tuple[int, ...]]
    order: list[int]  # the inspected entities in team-assignment order
    strata: list[StratumCount]
    pool: Pool
    assigner: TeamAssigner
    ranking: _Ranking
    team_rows: npt.NDArray[np.int64]  # the first teams, one row per entity of ``order``
    replacements: list[dict[str, Any]] = field(default_factory=list)

    def queue(self, stratum: int) -> list[int]:
        """A stratum's replacement queue: its eligible entities not selected, by (key, id)."""
        r = self.ranking
        rest = np.flatnonzero((r.strata == stratum) & ~r.chosen)
        return r.ids[rest[np.argsort(r.keys[rest], kind="stable")]].tolist()

    def control_queue(self) -> list[int]:
        """The control sample's replacement queue, by (control key, id)."""
        r = self.ranking
        if r.control_keys is None or r.control_chosen is None:
            return []
        rest = np.flatnonzero(~r.control_chosen)
        return r.ids[rest[np.argsort(r.control_keys[rest], kind="stable")]].tolist()


PROGRESS_EVERY = 5_000  # teams between two progress reports


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
    eligible_idx = np.flatnonzero(pool.eligible)
    if len(eligible_idx) == 0:
        raise DrawInputError("empty_pool")
    for group, count in params.team:
        available = len(officers.of_group(group))
        if available < count:
            raise DrawInputError("too_few_officers", group=group, needed=count, found=available)

    keys = stream(seed, "select", n)
    quota_u = stream(seed, "quota", len(STRATA) + 1)

    e_ids = pool.ids[eligible_idx]
    e_strata = pool.strata[eligible_idx]
    e_keys = keys[eligible_idx]
    # Eligible positions grouped by stratum, each group in ascending position
    # (= ascending id): a stable sort of small integers.
    by_stratum = np.argsort(e_strata, kind="stable")
    counts = np.bincount(e_strata, minlength=len(STRATA))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    strata: list[StratumCount] = []
    picked = []
    for s in range(len(STRATA)):
        quota = _round_random(int(counts[s]), params.ratio(s), int(quota_u[s]))
        if counts[s]:
            strata.append(StratumCount(STRATA[s], int(counts[s]), params.ratio(s), quota))
            members = by_stratum[starts[s] : starts[s] + counts[s]]
            picked.append(_smallest(e_keys, members, quota))
    chosen_pos = _by_key(e_keys, np.concatenate(picked))
    chosen = np.zeros(len(e_ids), np.bool_)
    chosen[chosen_pos] = True
    selected = e_ids[chosen_pos].tolist()

    control: list[int] = []
    c_keys = c_chosen = None
    if params.control_ppm:
        c_keys = stream(seed, "control", n)[eligible_idx]
        m = _round_random(len(eligible_idx), params.control_ppm, int(quota_u[CONTROL_QUOTA_INDEX]))
        c_pos = _by_key(c_keys, _smallest(c_keys, np.arange(len(e_ids)), m))
        c_chosen = np.zeros(len(e_ids), np.bool_)
        c_chosen[c_pos] = True
        control = e_ids[c_pos].tolist()

    selected_set = set(selected)
    assignment_order = selected + [e for e in control if e not in selected_set]
    team_rows, assigner = teams_assign(
        officers=officers,
        pairs=pairs,
        params=params,
        seed=seed,
        order=assignment_order,
        on_progress=on_progress,
        every=PROGRESS_EVERY,
    )
    teams = dict(zip(assignment_order, map(tuple, team_rows.tolist()), strict=True))
    return DrawResult(
        selected=selected,
        control=control,
        teams=teams,
        order=assignment_order,
        strata=strata,
        pool=pool,
        assigner=assigner,
        ranking=_Ranking(e_ids, e_strata, e_keys, chosen, c_keys, c_chosen),
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
