"""The four committed texts of a draw (docs/draw-algorithm.md §2): build, parse, check.

``draw.py`` re-exports everything here; import from there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    if rows.any():  # one pass without writing, in the usual case
        raise DrawInputError(code, line=int(np.flatnonzero(rows)[0]) + 1)


def _u64(value: int) -> np.uint64:
    return np.uint64(value)


_PAD = 24  # zero bytes around the text: a word may be read 24 bytes before a field
_ONES = (1 << 64) - 1
# The last k bytes of a little-endian word (its most significant), k = 0…8;
# and its first k bytes.
_LAST = np.array([_ONES ^ ((1 << (64 - 8 * k)) - 1) if k else 0 for k in range(9)], np.uint64)
_FIRST = np.array([(1 << (8 * k)) - 1 for k in range(9)], np.uint64)
_ZEROS = _u64(0x3030303030303030)  # "00000000"
_HIGH_NIBBLES = _u64(0xF0F0F0F0F0F0F0F0)
_LOW_NIBBLES = _u64(0x0F0F0F0F0F0F0F0F)
_SIXES = _u64(0x0606060606060606)


def _words(padded: npt.NDArray[np.uint8], at: npt.NDArray[np.intp]) -> npt.NDArray[np.uint64]:
    """The 8 bytes from each offset ``at`` of ``padded``, as little-endian words."""
    every = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    return every[at]


def _decimal(
    words: npt.NDArray[np.uint64], count: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    """The number written by the last ``count`` bytes of each word (0–8 digits).

    The bytes before them count as "0". Eight digits at once: pairs, then
    fours, then all eight (each step multiplies the more significant half).
    """
    last = _LAST[count]
    w = (words & last) | (_ZEROS & ~last)
    ok = ((w & _HIGH_NIBBLES) == _ZEROS) & (((w + _SIXES) & _HIGH_NIBBLES) == _ZEROS)
    w &= _LOW_NIBBLES
    w = (w * _u64(10) + (w >> _u64(8))) & _u64(0x00FF00FF00FF00FF)
    w = (w * _u64(100) + (w >> _u64(16))) & _u64(0x0000FFFF0000FFFF)
    w = (w * _u64(10000) + (w >> _u64(32))) & _u64(0xFFFFFFFF)
    return w, ok


def _lookup(codes: Sequence[str], key: Callable[[str], int], size: int) -> npt.NDArray[np.uint8]:
    table = np.full(size, 255, np.uint8)
    for i, code in enumerate(codes):
        if table[key(code)] != 255:
            raise AssertionError("codes must differ in their key")
        table[key(code)] = i
    return table


_CREDIT_BY_BYTE = _lookup(CREDIT_CODES, lambda c: ord(c) if len(c) == 1 else 0, 256)
_RISK_WIDTH = 8  # the longest risk code: its bytes are one word
_RISK_BY_LENGTH = _lookup(RISK_CODES, len, _RISK_WIDTH + 2)  # the codes' lengths differ
_RISK_WORDS = np.array(
    [int.from_bytes(c.encode("ascii").ljust(_RISK_WIDTH, b"\0"), "little") for c in RISK_CODES],
    np.uint64,
)
_LINE = np.array([9, 9, 9, 9, 10], np.uint8)  # four tabs, then the newline


_CHUNK = 1 << 25  # parse 32 MB of text at a time: the temporaries stay small


def _pool_lines(data: bytes) -> tuple[Pool, npt.NDArray[np.intp]]:
    """Parse pool lines in any order; also each line's offset in ``data``.

    A big text (ten million lines: 350 MB) is parsed in pieces cut at line
    ends, so that each pass works on arrays of a few tens of MB.
    """
    if len(data) <= _CHUNK:
        return _pool_chunk(data)
    pools: list[Pool] = []
    offsets: list[npt.NDArray[np.intp]] = []
    begin = lines = 0
    while begin < len(data):
        end = data.find(b"\n", min(begin + _CHUNK, len(data)) - 1)
        end = len(data) if end < 0 else end + 1
        try:
            pool, starts = _pool_chunk(data[begin:end])
        except DrawInputError as exc:
            line = exc.detail.get("line")
            raise DrawInputError(exc.code, line=line + lines if line else line) from None
        pools.append(pool)
        offsets.append(starts + begin)
        lines += len(pool)
        begin = end
    return (
        Pool(
            np.concatenate([p.ids for p in pools]),
            np.concatenate([p.strata for p in pools]),
            np.concatenate([p.eligible for p in pools]),
            data,
        ),
        np.concatenate(offsets),
    )


def _pool_chunk(data: bytes) -> tuple[Pool, npt.NDArray[np.intp]]:
    """Parse pool lines in any order; also each line's offset in ``data``.

    Vectorised over the bytes (a million lines in about a tenth of a second):
    the positions of the tabs and newlines give each field's span, and each
    column is read for all lines at once, eight bytes at a time.
    """
    empty = Pool(np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0, np.bool_), data)
    if not data:
        return empty, np.zeros(0, np.intp)
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise DrawInputError("pool_not_canonical", line=0) from None
    if not data.endswith(b"\n"):
        raise DrawInputError("pool_not_canonical", line=data.count(b"\n") + 1)
    padded = np.zeros(len(data) + 2 * _PAD, np.uint8)
    padded[_PAD:-_PAD] = np.frombuffer(data, np.uint8)
    raw = padded[_PAD:-_PAD]
    # Tabs (9) and newlines (10): exactly four tabs, then a newline, per line.
    # (Bytes below 9 are text like any other: rare, dropped only if present.)
    marks = np.flatnonzero(raw <= 10)
    kinds = raw[marks]
    if int(kinds.min()) < 9:
        marks = marks[kinds >= 9]
        kinds = raw[marks]
    n = -(-len(marks) // 5)
    if len(marks) != 5 * n:
        marks = np.concatenate((marks, np.full(5 * n - len(marks), len(data) - 1)))
        kinds = raw[marks]
    fits = kinds.reshape(n, 5) == _LINE
    if not fits.all():
        _fail("pool_not_canonical", ~fits.all(axis=1))
    spans = marks.reshape(n, 5)
    t0, t1, t2, t3, newlines = (spans[:, k] for k in range(5))
    starts = np.empty(n, np.intp)
    starts[0] = 0
    starts[1:] = newlines[:-1] + 1

    # id: 1–18 decimal digits, no leading zero: up to three words ending at the tab.
    id_len = t0 - starts
    _fail("pool_not_canonical", (id_len < 1) | (id_len > 18))
    _fail("pool_not_canonical", (id_len > 1) & (raw[starts] == ord("0")))
    at = t0 + (_PAD - 8)
    value, ok = _decimal(_words(padded, at), np.minimum(id_len, 8))
    ids = value.astype(np.int64)
    for part, scale in ((1, 10**8), (2, 10**16)):
        more = np.clip(id_len - 8 * part, 0, 8)
        if more.any():
            value, part_ok = _decimal(_words(padded, at - 8 * part), more)
            ids += value.astype(np.int64) * scale
            ok &= part_ok
    _fail("pool_not_canonical", ~ok)

    # uscc and exclusion: non-empty; eligible when the exclusion is "-".
    _fail("pool_not_canonical", (t1 - t0) < 2)
    excl_len = newlines - t3 - 1
    _fail("pool_not_canonical", excl_len < 1)
    eligible = (excl_len == 1) & (raw[t3 + 1] == ord("-"))

    # credit: one byte, one of the codes; risk: one of the codes, byte for byte
    # (told apart by their lengths, then compared as a word).
    credit = _CREDIT_BY_BYTE[raw[t1 + 1]]
    credit_ok = ((t2 - t1) == 2) & (credit != 255)
    risk_len = np.clip(t3 - t2 - 1, 0, _RISK_WIDTH + 1)
    risk = _RISK_BY_LENGTH[risk_len]
    words = _words(padded, t2 + (1 + _PAD)) & _FIRST[np.minimum(risk_len, _RISK_WIDTH)]
    risk_ok = (risk != 255) & (words == _RISK_WORDS[np.minimum(risk, len(RISK_CODES) - 1)])
    _fail("pool_not_canonical", ~(credit_ok & risk_ok))
    strata = (credit.astype(np.int8) * len(RISK_CODES) + risk.astype(np.int8)).astype(np.int8)
    return Pool(ids, strata, eligible, data), starts


def pool_exclude(pool: Pool, rows: Sequence[tuple[int, str]]) -> Pool:
    """Write exclusion codes into the lines still eligible (the inspection history's).

    ``rows`` (entity id, code), each id once, in any order, may name
    entities outside the pool. An eligible line ends in ``TAB - LF``: its
    ``-`` is replaced by the code, the other lines are copied as they are, a
    run at a time.
    """
    if not rows or not len(pool):
        return pool
    ids = np.fromiter((pk for pk, _code in rows), np.int64, len(rows))
    at = np.minimum(np.searchsorted(pool.ids, ids), len(pool) - 1)
    hit = (pool.ids[at] == ids) & pool.eligible[at]
    if not hit.any():
        return pool
    found = np.flatnonzero(hit)
    found = found[np.argsort(at[found], kind="stable")]  # in the text's order
    lines = at[found]
    codes = [rows[i][1].encode("ascii") for i in found.tolist()]
    newlines = np.flatnonzero(np.frombuffer(pool.data, np.uint8) == 10)[lines]
    view = memoryview(pool.data)
    pieces: list[bytes | memoryview] = []
    begin = 0
    for end, code in zip(newlines.tolist(), codes, strict=True):
        pieces += (view[begin : end - 1], code)
        begin = end
    pieces.append(view[begin:])
    eligible = pool.eligible.copy()
    eligible[lines] = False
    return Pool(pool.ids, pool.strata, eligible, b"".join(pieces))


def pool_parse(data: bytes) -> Pool:
    """Parse canonical pool bytes, refusing anything not in canonical form."""
    pool, _starts = _pool_lines(data)
    if len(pool) > 1:
        _fail("pool_not_canonical", pool.ids[1:] <= pool.ids[:-1])
    return pool


def pool_sort(data: bytes) -> Pool:
    """The canonical pool of lines that may come in any order (a table's scan order).

    The lines are moved as runs: a scan that starts in the middle of the
    table (PostgreSQL's synchronised scans) is two ascending runs, put in
    order by one copy, not a million.
    """
    pool, starts = _pool_lines(data)
    ids = pool.ids
    n = len(ids)
    descents = np.flatnonzero(ids[1:] <= ids[:-1]) + 1
    if not len(descents):
        return pool
    ends = np.append(starts[1:], len(data))
    order: npt.NDArray[np.intp] | None = None
    if len(descents) < 1000:  # a few ascending runs: in order if they do not overlap
        firsts = np.concatenate(([0], descents))
        lasts = np.append(descents, n) - 1
        runs = np.argsort(ids[firsts], kind="stable")
        if bool((ids[firsts[runs[1:]]] > ids[lasts[runs[:-1]]]).all()):
            first, last = firsts[runs], lasts[runs]
            order = np.concatenate([np.arange(a, b + 1) for a, b in zip(first, last, strict=True)])
    if order is None:
        order = np.argsort(ids, kind="stable")
        _fail("pool_not_canonical", ids[order][1:] == ids[order][:-1])
        cuts = np.flatnonzero(order[1:] != order[:-1] + 1) + 1
        first = order[np.concatenate(([0], cuts))]
        last = order[np.append(cuts, n) - 1]
    view = memoryview(data)
    spans = zip(starts[first].tolist(), ends[last].tolist(), strict=True)
    text = b"".join([view[a:b] for a, b in spans])
    return Pool(ids[order], pool.strata[order], pool.eligible[order], text)


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
