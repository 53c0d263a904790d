"""Team assignment of a draw (docs/draw-algorithm.md §7), re-exported by ``draw.py``.

Each group keeps a heap ordered by (load, key, id), the rule's priority; an
officer who may not join this entity (conflict, last team, already in it) is
set aside and put back unchanged, so the heap's minimum is always the rule's
choice. The keys of each load level are read from SHAKE256 once, as Python
ints, so a pick is a heap pop and a push of plain tuples: fifty thousand
teams from two thousand officers take a fraction of a second.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from fazhi.inspections.draw_texts import DrawInputError, DrawParams, Officers, Pairs, stream

Entry = tuple[int, int, int]  # (load, key of that load level, officer id)


class TeamAssigner:
    """Teams by least load, then a random key per (officer, load), then id."""

    def __init__(self, *, officers: Officers, pairs: Pairs, params: DrawParams, seed: str) -> None:
        self.seed = seed
        self.team_spec = params.team
        self.pairs = {e: set(o) for e, o in pairs.by_entity.items()}
        self.members: dict[str, list[int]] = {g: officers.of_group(g) for g, _ in params.team}
        self.index = {g: {o: j for j, o in enumerate(m)} for g, m in self.members.items()}
        self.group_of = {o: g for g, m in self.members.items() for o in m}
        self.load = dict.fromkeys(self.group_of, 0)
        self._keys: dict[tuple[str, int], list[int]] = {}
        self.heaps = {g: [self._entry(g, o) for o in m] for g, m in self.members.items()}
        for heap in self.heaps.values():
            heapq.heapify(heap)
        self.dirty = False

    def _level(self, group: str, load: int) -> list[int]:
        """The keys of load level ``load`` in ``group``, by group position."""
        keys = self._keys.get((group, load))
        if keys is None:
            keys = stream(self.seed, f"team/{group}/{load}", len(self.members[group])).tolist()
            self._keys[(group, load)] = keys
        return keys

    def _entry(self, group: str, officer: int) -> Entry:
        load = self.load[officer]
        return (load, self._level(group, load)[self.index[group][officer]], officer)

    def assign(self, entity: int) -> tuple[int, ...]:
        barred = self.pairs.get(entity)
        team: list[int] = []
        pop, push, load_of = heapq.heappop, heapq.heappush, self.load
        for group, count in self.team_spec:
            heap = self.heaps[group]
            if self.dirty:
                heap[:] = [self._entry(group, o) for o in self.members[group]]
                heapq.heapify(heap)
            taken: list[Entry] = []
            if barred:
                aside: list[Entry] = []
                while len(taken) < count and heap:
                    entry = pop(heap)
                    (aside if entry[2] in barred else taken).append(entry)
                for entry in aside:
                    push(heap, entry)
            else:
                while len(taken) < count and heap:
                    taken.append(pop(heap))
            if len(taken) < count:
                for entry in taken:
                    push(heap, entry)
                raise DrawInputError(
                    "team_impossible", entity=entity, group=group, needed=count, found=len(taken)
                )
            index = self.index[group]
            for load, _key, officer in taken:
                load += 1
                load_of[officer] = load
                push(heap, (load, self._level(group, load)[index[officer]], officer))
                team.append(officer)
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


# -- all teams of a draw at once ---------------------------------------------


class _GroupRun:
    """One group's picks for each entity in assignment order, as ``TeamAssigner`` would.

    The heap's order is read as a stream: load level 0's officers sorted by
    (key, id), then level 1's, and so on. An officer's entry in the stream is
    live while his load equals its level. A cursor walks the stream; officers
    left behind it (set aside for a barred pair, or whose next level's entry
    the cursor has already passed) wait in a small heap, ahead of the stream.
    Between two entities with a barred officer, with nobody waiting, the
    teams are consecutive slices of one level: numpy takes them whole, so
    fifty thousand teams cost a few hundred slices, not fifty thousand pops.
    """

    def __init__(
        self, *, seed: str, group: str, members: list[int], count: int,
        barred: dict[int, set[int]],
    ) -> None:  # fmt: skip
        self.seed = seed
        self.group = group
        self.members = np.array(members, np.int64)
        self.count = count
        self.barred = barred  # team index → barred group positions
        self.barred_at = np.array(sorted(barred), np.int64)
        self.load = np.zeros(len(members), np.int64)
        self.orders: list[npt.NDArray[np.intp]] = []
        self.ranks: list[npt.NDArray[np.intp]] = []
        self.level = 0
        self.cursor = 0
        self.waiting: list[tuple[int, int, int]] = []  # (level, rank in level, position)
        self.failed: tuple[int, int] | None = None  # (team index, officers found)

    def _order(self, level: int) -> npt.NDArray[np.intp]:
        while len(self.orders) <= level:
            keys = stream(self.seed, f"team/{self.group}/{len(self.orders)}", len(self.members))
            order = np.argsort(keys, kind="stable")  # ties: group position, i.e. id
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            self.orders.append(order)
            self.ranks.append(rank)
        return self.orders[level]

    def run(self, begin: int, end: int, out: npt.NDArray[np.int64]) -> None:
        """Fill ``out[begin:end]`` (team index × count) with officer ids."""
        c = self.count
        t = begin
        while t < end and self.failed is None:
            if not self.waiting and t not in self.barred:
                order = self._order(self.level)
                nxt = int(np.searchsorted(self.barred_at, t))
                stop = int(self.barred_at[nxt]) if nxt < len(self.barred_at) else end
                k = min(min(stop, end) - t, (len(order) - self.cursor) // c)
                if k > 0:
                    chunk = order[self.cursor : self.cursor + k * c]
                    stale = np.flatnonzero(self.load[chunk] != self.level)
                    if len(stale):
                        k = int(stale[0]) // c
                        chunk = chunk[: k * c]
                    if k > 0:
                        out[t : t + k] = self.members[chunk].reshape(k, c)
                        self.load[chunk] += 1
                        self.cursor += k * c
                        t += k
                        continue
            picks = self._one(self.barred.get(t, set()))
            if picks is None:
                self.failed = (t, len(self.members) - len(self.barred.get(t, set())))
                return
            out[t] = self.members[picks]
            t += 1

    def _one(self, barred: set[int]) -> list[int] | None:
        """One team the slow way: the waiting officers first, then the stream."""
        c = self.count
        if len(self.members) - len(barred) < c:
            return None
        picks: list[tuple[int, int, int]] = []
        aside: list[tuple[int, int, int]] = []
        while self.waiting and len(picks) < c:
            entry = heapq.heappop(self.waiting)
            (aside if entry[2] in barred else picks).append(entry)
        while len(picks) < c:
            order = self._order(self.level)
            if self.cursor == len(order):
                self.level += 1
                self.cursor = 0
                continue
            position = int(order[self.cursor])
            entry = (self.level, self.cursor, position)
            self.cursor += 1
            if self.load[position] != self.level:
                continue  # not live: the officer is behind, or already in this team
            (aside if position in barred else picks).append(entry)
        for entry in aside:
            heapq.heappush(self.waiting, entry)
        for level, _rank, position in picks:
            self.load[position] = level + 1
            rank = int(self.ranks[level + 1][position]) if level + 1 < len(self.ranks) else -1
            if rank < 0:
                self._order(level + 1)
                rank = int(self.ranks[level + 1][position])
            if (level + 1, rank) < (self.level, self.cursor):
                heapq.heappush(self.waiting, (level + 1, rank, position))
        return [position for _level, _rank, position in picks]


def teams_assign(
    *,
    officers: Officers,
    pairs: Pairs,
    params: DrawParams,
    seed: str,
    order: Sequence[int] | npt.NDArray[np.int64],
    on_progress: Callable[[str, int, int], None] | None = None,
    every: int = 5_000,
) -> tuple[npt.NDArray[np.int64], TeamAssigner]:
    """The team of each entity of ``order`` (rows, in team-line order) by §7.

    Returns the teams and a ``TeamAssigner`` holding the loads they leave,
    for the replacements that follow.
    """
    entities = np.asarray(order, np.int64)
    runs: list[_GroupRun] = []
    with_pairs = np.array(sorted(pairs.by_entity), np.int64)
    hits = np.flatnonzero(np.isin(entities, with_pairs)).tolist()
    for group, count in params.team:
        members = officers.of_group(group)
        position = {o: j for j, o in enumerate(members)}
        barred: dict[int, set[int]] = {}
        for t in hits:
            mine = {position[o] for o in pairs.by_entity[int(entities[t])] if o in position}
            if mine:
                barred[t] = mine
        runs.append(_GroupRun(seed=seed, group=group, members=members, count=count, barred=barred))
    total = len(entities)
    parts = [np.zeros((total, count), np.int64) for _group, count in params.team]
    for begin in range(0, max(total, 1), every):
        end = min(begin + every, total)
        if on_progress:
            on_progress("teams", begin, total)
        for run, out in zip(runs, parts, strict=True):
            run.run(begin, end, out)
        failures = [(r.failed[0], i, r.failed[1]) for i, r in enumerate(runs) if r.failed]
        if failures:
            t, i, found = min(failures)
            group, count = params.team[i]
            raise DrawInputError(
                "team_impossible", entity=int(entities[t]), group=group, needed=count, found=found
            )
    assigner = TeamAssigner(officers=officers, pairs=pairs, params=params, seed=seed)
    for run in runs:
        for officer, load in zip(run.members.tolist(), run.load.tolist(), strict=True):
            assigner.load[officer] = load
    assigner.dirty = True
    return np.hstack(parts) if len(parts) > 1 else parts[0], assigner
