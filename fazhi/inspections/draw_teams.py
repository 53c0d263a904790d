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
from collections.abc import Iterable

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
