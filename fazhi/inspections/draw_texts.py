"""The four committed texts of a draw (docs/draw-algorithm.md §2): build, parse, check.

``draw.py`` re-exports everything here; import from there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


def stream(seed: str, label: str, count: int) -> npt.NDArray[np.uint64]:
    """``count`` unsigned 64-bit numbers: SHAKE256(seed bytes ‖ label), big-endian."""
    digest = hashlib.shake_256(bytes.fromhex(seed) + label.encode("utf-8")).digest(8 * count)
    return np.frombuffer(digest, dtype=">u8").astype(np.uint64)


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


def _codes(width: int, codes: Sequence[str]) -> npt.NDArray[np.uint64]:
    """Each code's bytes, zero-padded to ``width``, as a little-endian number."""
    out = []
    for code in codes:
        padded = code.encode("ascii").ljust(width, b"\0")
        out.append(int.from_bytes(padded, "little"))
    return np.array(out, np.uint64)


_RISK_WIDTH = max(len(c) for c in RISK_CODES)  # 8 bytes: one uint64 per field
_RISK_CODES = _codes(_RISK_WIDTH, RISK_CODES)
_CREDIT_CODES = np.frombuffer("".join(CREDIT_CODES).encode("ascii"), np.uint8)


def _rows(padded: npt.NDArray[np.uint8], begin: npt.NDArray[np.intp], width: int) -> Any:
    """``width`` bytes from each ``begin`` (``padded`` has _PAD zeros each side)."""
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return windows[begin + _PAD]


_PAD = 24  # ≥ the widest field read with _rows (18 digits, 8 bytes of risk)
_WORD_MASKS = np.array(
    [(1 << (8 * k)) - 1 for k in range(_RISK_WIDTH)] + [(1 << 64) - 1], np.uint64
)


def pool_parse(data: bytes, *, ordered: bool = True) -> Pool:
    """Parse canonical pool bytes, refusing anything not in canonical form.

    With ``ordered=False`` the lines may come in any order (the caller sorts
    them); every other rule holds.

    Vectorised over the bytes (a million lines in about a tenth of a second):
    the positions of the tabs and newlines give each field's span, and each
    column is read for all lines at once.
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
    padded = np.zeros(len(data) + 2 * _PAD, np.uint8)
    padded[_PAD:-_PAD] = np.frombuffer(data, np.uint8)
    raw = padded[_PAD:-_PAD]
    # Tabs (9) and newlines (10) in one pass, then told apart.
    marks = np.flatnonzero(raw <= 10)
    kinds = raw[marks]
    newlines = marks[kinds == 10]
    tab_positions = marks[kinds == 9]
    n = len(newlines)
    if len(tab_positions) != 4 * n:
        raise DrawInputError("pool_not_canonical", line=0)
    starts = np.empty(n, np.intp)
    starts[0] = 0
    starts[1:] = newlines[:-1] + 1
    tabs = tab_positions.reshape(n, 4)
    t0, t1, t2, t3 = tabs[:, 0], tabs[:, 1], tabs[:, 2], tabs[:, 3]
    # With 4n tabs in all, each line has exactly four when none starts
    # before its line or ends after it.
    _fail("pool_not_canonical", (t0 < starts) | (t3 > newlines))

    # id: 1–18 decimal digits, no leading zero, strictly increasing. The
    # digits are read right-aligned on the tab, one column at a time.
    id_len = t0 - starts
    _fail("pool_not_canonical", (id_len < 1) | (id_len > 18))
    width = int(id_len.max())
    digits = _rows(padded, t0 - width, width) - np.uint8(48)  # not a digit: > 9
    ids = np.zeros(n, np.int64)
    for k in range(width):
        column = digits[:, k]
        if k < width - 1:  # the last column is always inside the id
            has = id_len >= width - k
            column = np.where(has, column, 0)
        _fail("pool_not_canonical", column > 9)
        ids *= 10
        ids += column
    _fail("pool_not_canonical", (id_len > 1) & (raw[starts] == 48))
    if n > 1 and ordered:
        _fail("pool_not_canonical", ids[1:] <= ids[:-1])

    # uscc and exclusion: non-empty; eligible when the exclusion is "-".
    _fail("pool_not_canonical", (t1 - t0) < 2)
    excl_len = newlines - t3 - 1
    _fail("pool_not_canonical", excl_len < 1)
    eligible = (excl_len == 1) & (raw[t3 + 1] == ord("-"))

    # credit: one byte, one of the codes; risk: one of the codes, byte for byte.
    credit = np.searchsorted(_CREDIT_ORDER_VALUES, raw[t1 + 1])
    credit_ok = ((t2 - t1) == 2) & (_CREDIT_ORDER_VALUES[np.minimum(credit, 4)] == raw[t1 + 1])
    credit_index = _CREDIT_ORDER_INDEX[np.minimum(credit, 4)]
    risk_len = t3 - t2 - 1
    words = _rows(padded, t2 + 1, _RISK_WIDTH).view("<u8")[:, 0]
    words = words & _WORD_MASKS[np.clip(risk_len, 0, _RISK_WIDTH)]
    risk = np.searchsorted(_RISK_ORDER_VALUES, words)
    risk_index = _RISK_ORDER_INDEX[np.minimum(risk, 4)]
    risk_ok = (_RISK_ORDER_VALUES[np.minimum(risk, 4)] == words) & (
        _RISK_LENGTHS[risk_index] == risk_len
    )
    _fail("pool_not_canonical", ~(credit_ok & risk_ok))
    strata = (credit_index * len(RISK_CODES) + risk_index).astype(np.int8)
    return Pool(ids, strata, eligible, data)


# Sorted code values (for searchsorted) and the code index each stands for.
_CREDIT_ORDER_INDEX = np.argsort(_CREDIT_CODES, kind="stable")
_CREDIT_ORDER_VALUES = _CREDIT_CODES[_CREDIT_ORDER_INDEX]
_RISK_ORDER_INDEX = np.argsort(_RISK_CODES, kind="stable")
_RISK_ORDER_VALUES = _RISK_CODES[_RISK_ORDER_INDEX]
_RISK_LENGTHS = np.array([len(c) for c in RISK_CODES], np.intp)


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
