"""双随机 draw, algorithm ``fazhi-draw/1``: a pure function of (pool, parameters, seed).

Nothing here touches the database or the clock. docs/draw-algorithm.md is the
specification; this module is one implementation of it (numpy for the keys and
the sort) and docs/verify_draw.py is a second, standard-library one. Every
decision that affects who is selected is integer arithmetic on 64-bit numbers
read from SHAKE256, so any language reproduces it bit for bit.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

ALGORITHM = "fazhi-draw/1"
RECEIPT_FORMAT = "fazhi-draw-receipt/1"
PPM = 1_000_000
CREDIT_CODES = ("A", "B", "C", "D", "-")
RISK_CODES = ("major", "high", "moderate", "low", "-")
STRATA = tuple(f"{c}/{r}" for c in CREDIT_CODES for r in RISK_CODES)
STRATUM_INDEX = {s: i for i, s in enumerate(STRATA)}
NO_EXCLUSION = "-"
PAIR_KINDS = ("conflict", "previous")
CONTROL_QUOTA_INDEX = len(STRATA)  # index 25 of the "quota" stream

_TOKEN = re.compile(r"^[A-Za-z0-9_.:/-]+$")
_FORBIDDEN = re.compile(r"[\t\n\r]")


class DrawInputError(ValueError):
    """The inputs cannot be drawn; ``code`` names the problem, ``detail`` the data."""

    def __init__(self, code: str, **detail: Any) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def _text(value: str, what: str) -> str:
    if _FORBIDDEN.search(value):
        raise DrawInputError("bad_text", field=what, value=value)
    return value


def _token(value: str, what: str) -> str:
    if not _TOKEN.match(value):
        raise DrawInputError("bad_token", field=what, value=value)
    return value


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the pool ---------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """The entity pool in canonical order (ascending id), with its bytes."""

    ids: npt.NDArray[np.int64]
    strata: npt.NDArray[np.int8]
    eligible: npt.NDArray[np.bool_]
    data: bytes

    def __len__(self) -> int:
        return len(self.ids)


def pool_line(entity_id: int, uscc: str, credit: str, risk: str, exclusion: str) -> str:
    """One canonical pool line (blank codes are written as ``-``)."""
    return f"{entity_id}\t{uscc}\t{credit or '-'}\t{risk or '-'}\t{exclusion or '-'}\n"


def pool_from_rows(rows: Iterable[Sequence[Any]]) -> Pool:
    """Build the pool from rows (id, uscc, credit, risk, exclusion) sorted by id."""
    lines = [pool_line(*row) for row in rows]
    return pool_parse("".join(lines).encode("utf-8"))


def _fail(code: str, rows: npt.NDArray[np.bool_]) -> None:
    bad = np.flatnonzero(rows)
    if len(bad):
        raise DrawInputError(code, line=int(bad[0]) + 1)


def pool_parse(data: bytes) -> Pool:
    """Parse canonical pool bytes, refusing anything not in canonical form.

    Vectorised over the bytes (a million lines in a fraction of a second):
    the positions of the tabs and newlines give each field's span.
    """
    empty = Pool(np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0, np.bool_), data)
    if not data:
        return empty
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise DrawInputError("pool_not_canonical", line=0) from None
    if not data.endswith(b"\n"):
        raise DrawInputError("pool_not_canonical", line=data.count(b"\n") + 1)
    raw = np.frombuffer(data, np.uint8)
    newlines = np.flatnonzero(raw == 10)
    n = len(newlines)
    starts = np.concatenate(([0], newlines[:-1] + 1))
    tab_positions = np.flatnonzero(raw == 9)
    if len(tab_positions) != 4 * n:
        raise DrawInputError("pool_not_canonical", line=0)
    tabs = tab_positions.reshape(n, 4)
    t0, t1, t2, t3 = tabs[:, 0], tabs[:, 1], tabs[:, 2], tabs[:, 3]
    # With 4n tabs in all, each line has exactly four when none starts
    # before its line or ends after it.
    _fail("pool_not_canonical", (t0 < starts) | (t3 > newlines))

    # id: 1–18 decimal digits, no leading zero, strictly increasing.
    id_len = t0 - starts
    _fail("pool_not_canonical", (id_len < 1) | (id_len > 18))
    ids = np.zeros(n, np.int64)
    for k in range(int(id_len.max())):
        has = id_len > k
        digit = raw[np.where(has, starts + k, 0)].astype(np.int64) - 48
        _fail("pool_not_canonical", has & ((digit < 0) | (digit > 9)))
        ids = np.where(has, ids * 10 + digit, ids)
    _fail("pool_not_canonical", (id_len > 1) & (raw[starts] == 48))
    if n > 1:
        _fail("pool_not_canonical", np.concatenate(([False], np.diff(ids) <= 0)))

    # uscc and exclusion: non-empty; eligible when the exclusion is "-".
    _fail("pool_not_canonical", (t1 - t0) < 2)
    excl_len = newlines - t3 - 1
    _fail("pool_not_canonical", excl_len < 1)
    eligible = (excl_len == 1) & (raw[t3 + 1] == ord("-"))

    # credit/risk: each must be one of the codes, byte for byte.
    credit = np.full(n, -1, np.int16)
    for ci, code in enumerate(CREDIT_CODES):
        credit[((t2 - t1) == 2) & (raw[t1 + 1] == ord(code))] = ci
    risk = np.full(n, -1, np.int16)
    risk_len = t3 - t2 - 1
    for ri, code in enumerate(RISK_CODES):
        match = risk_len == len(code)
        for k, char in enumerate(code.encode()):
            match &= raw[np.where(match, t2 + 1 + k, 0)] == char
        risk[match] = ri
    _fail("pool_not_canonical", (credit < 0) | (risk < 0))
    strata = (credit * len(RISK_CODES) + risk).astype(np.int8)
    return Pool(ids, strata, eligible, data)


# -- officers and pairs -----------------------------------------------------


@dataclass(frozen=True)
class Officers:
    """Eligible officers in canonical order (ascending id), grouped."""

    ids: tuple[int, ...]
    groups: tuple[str, ...]
    data: bytes

    def of_group(self, group: str) -> list[int]:
        return [i for i, g in zip(self.ids, self.groups, strict=True) if g == group]


def officers_from_rows(rows: Iterable[Sequence[Any]]) -> Officers:
    """Build the officer pool from rows (id, certificate number, group) sorted by id."""
    lines = []
    for officer_id, cert, group in rows:
        lines.append(f"{int(officer_id)}\t{_text(cert, 'cert')}\t{_token(group, 'group')}\n")
    return officers_parse("".join(lines).encode("utf-8"))


def officers_parse(data: bytes) -> Officers:
    ids: list[int] = []
    groups: list[str] = []
    if data and not data.endswith(b"\n"):
        raise DrawInputError("officers_not_canonical", line=data.count(b"\n") + 1)
    for i, line in enumerate(data.decode("utf-8").split("\n")[:-1]):
        parts = line.split("\t")
        if len(parts) != 3 or not parts[1] or not _TOKEN.match(parts[2]):
            raise DrawInputError("officers_not_canonical", line=i + 1)
        officer_id = int(parts[0])
        if str(officer_id) != parts[0] or (ids and officer_id <= ids[-1]):
            raise DrawInputError("officers_not_canonical", line=i + 1)
        ids.append(officer_id)
        groups.append(parts[2])
    return Officers(tuple(ids), tuple(groups), data)


@dataclass(frozen=True)
class Pairs:
    """Officer–entity pairs that may not be teamed: conflicts and last teams."""

    by_entity: Mapping[int, frozenset[int]]
    data: bytes


def pairs_from_rows(rows: Iterable[tuple[str, int, int]]) -> Pairs:
    """Build the pairs from (kind, officer id, entity id), any order, duplicates dropped."""
    unique = sorted({(kind, int(o), int(e)) for kind, o, e in rows})
    return pairs_parse("".join(f"{k}\t{o}\t{e}\n" for k, o, e in unique).encode("utf-8"))


def pairs_parse(data: bytes) -> Pairs:
    by_entity: dict[int, set[int]] = {}
    if data and not data.endswith(b"\n"):
        raise DrawInputError("pairs_not_canonical", line=data.count(b"\n") + 1)
    previous: tuple[str, int, int] | None = None
    for i, line in enumerate(data.decode("utf-8").split("\n")[:-1]):
        parts = line.split("\t")
        if len(parts) != 3 or parts[0] not in PAIR_KINDS:
            raise DrawInputError("pairs_not_canonical", line=i + 1)
        key = (parts[0], int(parts[1]), int(parts[2]))
        if f"{key[1]}" != parts[1] or f"{key[2]}" != parts[2]:
            raise DrawInputError("pairs_not_canonical", line=i + 1)
        if previous is not None and key <= previous:
            raise DrawInputError("pairs_not_canonical", line=i + 1)
        previous = key
        by_entity.setdefault(key[2], set()).add(key[1])
    return Pairs({e: frozenset(o) for e, o in by_entity.items()}, data)


# -- parameters -------------------------------------------------------------


@dataclass(frozen=True)
class DrawParams:
    """Everything besides the pools that decides the draw.

    ``ratios`` maps each of the 25 strata ("A/low", "-/-" …) to a sampling
    ratio in parts per million; ``team`` is ((group, officers), …).
    """

    task: str
    reference_date: str
    ratios: Mapping[str, int]
    floor_ppm: int
    control_ppm: int
    team: tuple[tuple[str, int], ...]
    seed_rule: str
    nonce_count: int

    def ratio(self, stratum: int) -> int:
        """The effective ratio of a stratum: the matrix value raised to the floor."""
        return min(PPM, max(self.ratios[STRATA[stratum]], self.floor_ppm))

    def check(self) -> None:
        missing = [s for s in STRATA if s not in self.ratios]
        extra = [s for s in self.ratios if s not in STRATUM_INDEX]
        if missing or extra:
            raise DrawInputError("bad_ratios", missing=missing, extra=extra)
        for value in (*self.ratios.values(), self.floor_ppm, self.control_ppm):
            if not 0 <= value <= PPM:
                raise DrawInputError("bad_ratio_value", value=value)
        if not self.team or any(count < 1 for _, count in self.team):
            raise DrawInputError("bad_team")
        if len({g for g, _ in self.team}) != len(self.team):
            raise DrawInputError("bad_team")
        if self.nonce_count < 0:
            raise DrawInputError("bad_nonce_count")
        _text(self.task, "task")
        _token(self.reference_date, "reference_date")
        _text(self.seed_rule, "seed_rule")
        for group, _ in self.team:
            _token(group, "group")

    def lines(self) -> list[str]:
        lines = [
            f"algorithm\t{ALGORITHM}",
            f"control_ppm\t{self.control_ppm}",
            f"floor_ppm\t{self.floor_ppm}",
            f"nonce_count\t{self.nonce_count}",
            f"reference_date\t{self.reference_date}",
            f"seed_rule\t{self.seed_rule}",
            f"task\t{self.task}",
        ]
        lines += [f"ratio\t{s}\t{self.ratios[s]}" for s in STRATA]
        lines += [f"team\t{g}\t{n}" for g, n in self.team]
        return sorted(lines)

    def to_bytes(self) -> bytes:
        self.check()
        return "".join(line + "\n" for line in self.lines()).encode("utf-8")

    @property
    def team_size(self) -> int:
        return sum(n for _, n in self.team)


def params_parse(data: bytes) -> DrawParams:
    """Parse canonical parameter bytes (and check they are canonical)."""
    values: dict[str, str] = {}
    ratios: dict[str, int] = {}
    team: list[tuple[str, int]] = []
    for line in data.decode("utf-8").split("\n")[:-1]:
        name, _, rest = line.partition("\t")
        if name == "ratio":
            stratum, _, value = rest.partition("\t")
            ratios[stratum] = int(value)
        elif name == "team":
            group, _, value = rest.partition("\t")
            team.append((group, int(value)))
        elif name in values:
            raise DrawInputError("params_not_canonical", name=name)
        else:
            values[name] = rest
    try:
        if values.pop("algorithm") != ALGORITHM:
            raise DrawInputError("unknown_algorithm")
        params = DrawParams(
            task=values.pop("task"),
            reference_date=values.pop("reference_date"),
            ratios=ratios,
            floor_ppm=int(values.pop("floor_ppm")),
            control_ppm=int(values.pop("control_ppm")),
            team=tuple(sorted(team)),
            seed_rule=values.pop("seed_rule"),
            nonce_count=int(values.pop("nonce_count")),
        )
    except KeyError as missing:
        raise DrawInputError("params_not_canonical", missing=str(missing)) from None
    if values or params.to_bytes() != data:
        raise DrawInputError("params_not_canonical", extra=sorted(values))
    return params


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


def stream(seed: str, label: str, count: int) -> npt.NDArray[np.uint64]:
    """``count`` unsigned 64-bit numbers: SHAKE256(seed bytes ‖ label), big-endian."""
    digest = hashlib.shake_256(bytes.fromhex(seed) + label.encode("utf-8")).digest(8 * count)
    return np.frombuffer(digest, dtype=">u8").astype(np.uint64)


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
class DrawResult:
    """The outcome of a draw: who, in which order, with whom, and what comes next."""

    selected: list[int]
    control: list[int]
    teams: dict[int, tuple[int, ...]]
    order: list[int]  # the inspected entities in team-assignment order
    strata: list[StratumCount]
    queue_ids: npt.NDArray[np.int64]  # not selected, by (stratum, key, id)
    queue_strata: npt.NDArray[np.int8]
    control_queue_ids: npt.NDArray[np.int64]
    pool: Pool
    assigner: TeamAssigner
    replacements: list[dict[str, Any]] = field(default_factory=list)


def draw_compute(
    *, pool: Pool, officers: Officers, pairs: Pairs, params: DrawParams, seed: str
) -> DrawResult:
    """Run algorithm fazhi-draw/1 (docs/draw-algorithm.md §5–§7)."""
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
    order = np.lexsort((e_ids, e_keys, e_strata))
    sorted_strata = e_strata[order]
    counts = np.bincount(e_strata, minlength=len(STRATA))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    quotas = np.zeros(len(STRATA), np.int64)
    strata: list[StratumCount] = []
    for s in range(len(STRATA)):
        quota = _round_random(int(counts[s]), params.ratio(s), int(quota_u[s]))
        quotas[s] = quota
        if counts[s]:
            strata.append(StratumCount(STRATA[s], int(counts[s]), params.ratio(s), quota))
    rank = np.arange(len(order)) - starts[sorted_strata]
    chosen = rank < quotas[sorted_strata]
    chosen_pos = order[chosen]
    by_key = np.lexsort((e_ids[chosen_pos], e_keys[chosen_pos]))
    selected = e_ids[chosen_pos][by_key].tolist()

    rest = order[~chosen]
    control: list[int] = []
    control_queue = np.zeros(0, np.int64)
    if params.control_ppm:
        c_keys = stream(seed, "control", n)[eligible_idx]
        m = _round_random(len(eligible_idx), params.control_ppm, int(quota_u[CONTROL_QUOTA_INDEX]))
        c_order = np.lexsort((e_ids, c_keys))
        control = e_ids[c_order[:m]].tolist()
        control_queue = e_ids[c_order[m:]]

    selected_set = set(selected)
    assignment_order = selected + [e for e in control if e not in selected_set]
    assigner = TeamAssigner(officers=officers, pairs=pairs, params=params, seed=seed)
    teams = {entity: assigner.assign(entity) for entity in assignment_order}
    return DrawResult(
        selected=selected,
        control=control,
        teams=teams,
        order=assignment_order,
        strata=strata,
        queue_ids=e_ids[rest],
        queue_strata=e_strata[rest],
        control_queue_ids=control_queue,
        pool=pool,
        assigner=assigner,
    )


class TeamAssigner:
    """Teams by least load, then a random key per (officer, load), then id (§7).

    Each group keeps a heap ordered by (load, key, id); an officer who may not
    join this entity (conflict, last team, already in it) is set aside and put
    back unchanged, so the heap's minimum is always the rule's choice.
    """

    def __init__(self, *, officers: Officers, pairs: Pairs, params: DrawParams, seed: str) -> None:
        self.seed = seed
        self.team_spec = params.team
        self.pairs = {e: set(o) for e, o in pairs.by_entity.items()}
        self.members: dict[str, list[int]] = {g: officers.of_group(g) for g, _ in params.team}
        self.index = {g: {o: j for j, o in enumerate(m)} for g, m in self.members.items()}
        self.group_of = {o: g for g, m in self.members.items() for o in m}
        self.load = dict.fromkeys(self.group_of, 0)
        self._keys: dict[tuple[str, int], npt.NDArray[np.uint64]] = {}
        self.heaps = {g: [self._entry(g, o) for o in m] for g, m in self.members.items()}
        for heap in self.heaps.values():
            heapq.heapify(heap)
        self.dirty = False

    def _key(self, group: str, load: int, officer: int) -> int:
        round_keys = self._keys.get((group, load))
        if round_keys is None:
            round_keys = stream(self.seed, f"team/{group}/{load}", len(self.members[group]))
            self._keys[(group, load)] = round_keys
        return int(round_keys[self.index[group][officer]])

    def _entry(self, group: str, officer: int) -> tuple[int, int, int]:
        load = self.load[officer]
        return (load, self._key(group, load, officer), officer)

    def assign(self, entity: int) -> tuple[int, ...]:
        barred = self.pairs.get(entity, set())
        team: list[int] = []
        for group, count in self.team_spec:
            heap = self.heaps[group]
            if self.dirty:
                heap[:] = [self._entry(group, o) for o in self.members[group]]
                heapq.heapify(heap)
            aside: list[tuple[int, int, int]] = []
            taken: list[int] = []
            while len(taken) < count and heap:
                entry = heapq.heappop(heap)
                if entry[2] in barred:
                    aside.append(entry)
                else:
                    taken.append(entry[2])
            for entry in aside:
                heapq.heappush(heap, entry)
            if len(taken) < count:
                raise DrawInputError(
                    "team_impossible", entity=entity, group=group, needed=count, found=len(taken)
                )
            for officer in taken:
                self.load[officer] += 1
                heapq.heappush(heap, self._entry(group, officer))
            team += taken
        self.dirty = False
        return tuple(team)

    def release(self, officers: Iterable[int]) -> None:
        for officer in officers:
            self.load[officer] -= 1
        self.dirty = True

    def bar(self, entity: int, officer: int) -> None:
        self.pairs.setdefault(entity, set()).add(officer)

    def pick_one(self, entity: int, group: str, exclude: Iterable[int]) -> int | None:
        barred = self.pairs.get(entity, set()) | set(exclude)
        candidates = [self._entry(group, o) for o in self.members[group] if o not in barred]
        if not candidates:
            return None
        officer = min(candidates)[2]
        self.load[officer] += 1
        self.dirty = True
        return officer


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
            stratum = result.pool.strata[position]
            queue = result.queue_ids[result.queue_strata == stratum].tolist()
        else:
            queue = result.control_queue_ids.tolist()
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
