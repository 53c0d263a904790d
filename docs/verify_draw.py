#!/usr/bin/env python3
"""Check a 双随机 draw receipt (algorithm fazhi-draw/1) on your own computer.

    python3 verify_draw.py receipt.json

Standard library only (Python 3.9 or later). It recomputes the commitment,
the seed, the selection, the control sample, the teams and every recorded
replacement from the receipt's own inputs, following docs/draw-algorithm.md,
and prints MATCH, or the first difference and exits with status 1.
"""

import bisect
import hashlib
import heapq
import itertools
import json
import operator
import re
import struct
import sys

ALGORITHM = "fazhi-draw/1"
PPM = 1000000
CREDIT = ["A", "B", "C", "D", "-"]
RISK = ["major", "high", "moderate", "low", "-"]
STRATA = [c + "/" + r for c in CREDIT for r in RISK]


class Mismatch(Exception):
    pass


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def numbers(seed, label, count):
    """SHAKE256(seed ‖ label) read as ``count`` big-endian unsigned 64-bit numbers."""
    raw = hashlib.shake_256(bytes.fromhex(seed) + label.encode("utf-8")).digest(8 * count)
    return list(struct.unpack(f">{count}Q", raw))


def round_random(total, ratio, u):
    whole, remainder = divmod(total * ratio, PPM)
    return whole + (1 if (u * PPM) >> 64 < remainder else 0)


def lines(text, fields, what):
    if text and not text.endswith("\n"):
        raise Mismatch(what + ": the last line has no newline")
    out = []
    for number, line in enumerate(text.split("\n")[:-1], 1):
        parts = line.split("\t")
        if len(parts) != fields:
            raise Mismatch(f"{what} line {number}: {len(parts)} fields, expected {fields}")
        out.append(parts)
    return out


def canonical_int(value, what):
    if not value.isdigit() or value != str(int(value)):
        raise Mismatch(what + ": not a canonical number: " + value)
    return int(value)


# One pool line (specification §2.1): the fast check of the whole text at once.
POOL_LINE = re.compile(
    "(?:0|[1-9][0-9]*)\t[^\t\n]+\t[ABCD-]\t(?:major|high|moderate|low|-)\t[^\t\n]+\n"
)


def read_pool(text):
    """The pool's ids, stratum indexes and eligibility, line by line.

    A canonical text is checked with one regular expression and split at
    once; anything else is read line by line to name the first bad line.
    """
    rest, count = POOL_LINE.subn("", text)
    if not rest:
        fields = text.replace("\n", "\t").split("\t")
        ids = list(map(int, fields[0 : 5 * count : 5]))
        if all(map(operator.lt, ids, itertools.islice(ids, 1, None))):
            credit = {c: 5 * i for i, c in enumerate(CREDIT)}
            risk = {r: i for i, r in enumerate(RISK)}
            strata = list(
                map(
                    operator.add,
                    map(credit.__getitem__, fields[2 : 5 * count : 5]),
                    map(risk.__getitem__, fields[3 : 5 * count : 5]),
                )
            )
            eligible = list(map("-".__eq__, fields[4 : 5 * count : 5]))
            return ids, strata, eligible
    ids, strata, eligible = [], [], []
    last = -1
    for parts in lines(text, 5, "pool"):
        entity = canonical_int(parts[0], "pool id")
        stratum = parts[2] + "/" + parts[3]
        if entity <= last or stratum not in STRATA or not parts[1] or not parts[4]:
            raise Mismatch(f"pool: line for id {parts[0]} is not canonical")
        last = entity
        ids.append(entity)
        strata.append(STRATA.index(stratum))
        eligible.append(parts[4] == "-")
    return ids, strata, eligible


def read_params(text):
    params = {"ratio": {}, "team": []}
    for line in text.split("\n")[:-1]:
        parts = line.split("\t")
        if parts[0] == "ratio":
            params["ratio"][parts[1]] = int(parts[2])
        elif parts[0] == "team":
            params["team"].append((parts[1], int(parts[2])))
        else:
            params[parts[0]] = parts[1]
    if params.get("algorithm") != ALGORITHM:
        raise Mismatch("params: algorithm is not " + ALGORITHM)
    if sorted(params["ratio"]) != sorted(STRATA):
        raise Mismatch("params: the ratio matrix does not list the 25 strata")
    if text.split("\n")[:-1] != sorted(text.split("\n")[:-1]):
        raise Mismatch("params: lines are not sorted")
    params["team"].sort()
    return params


class Teams:
    """Least load first, then the random key of (officer, load), then the id."""

    def __init__(self, seed, officers, params, barred):
        self.seed = seed
        self.spec = params["team"]
        self.barred = barred
        self.members = {g: [o for o, grp in officers if grp == g] for g, _ in self.spec}
        self.position = {g: {o: j for j, o in enumerate(m)} for g, m in self.members.items()}
        self.group_of = {o: g for g, m in self.members.items() for o in m}
        self.load = dict.fromkeys(self.group_of, 0)
        self.keys = {}
        self.heaps = {}

    def priority(self, group, officer):
        load = self.load[officer]
        if (group, load) not in self.keys:
            label = f"team/{group}/{load}"
            self.keys[(group, load)] = numbers(self.seed, label, len(self.members[group]))
        return (load, self.keys[(group, load)][self.position[group][officer]], officer)

    def heap(self, group):
        if group not in self.heaps:
            heap = [self.priority(group, o) for o in self.members[group]]
            heapq.heapify(heap)
            self.heaps[group] = heap
        return self.heaps[group]

    def take(self, entity, group, count, exclude=()):
        """Choose the ``count`` admissible officers with the smallest priority."""
        barred = self.barred.get(entity, set()) | set(exclude)
        heap = self.heap(group)
        chosen, aside = [], []
        while heap and len(chosen) < count:
            item = heapq.heappop(heap)
            if item[2] in barred:
                aside.append(item)
            else:
                chosen.append(item[2])
        for item in aside:
            heapq.heappush(heap, item)
        if len(chosen) < count:
            raise Mismatch(f"entity {entity}: group {group} cannot supply {count} officers")
        for officer in chosen:
            self.load[officer] += 1
            heapq.heappush(heap, self.priority(group, officer))
        return chosen

    def release(self, officer):
        self.load[officer] -= 1
        self.heaps.clear()  # rebuilt from the loads when next needed

    def assign(self, entity):
        team = []
        for group, count in self.spec:
            team += self.take(entity, group, count)
        return team


def compare(what, expected, found):
    if expected == found:
        return
    if isinstance(expected, list) and isinstance(found, list):
        for i, (a, b) in enumerate(zip(expected, found, strict=False)):
            if a != b:
                raise Mismatch(f"{what}[{i}]: recomputed {a!r}, receipt has {b!r}")
        raise Mismatch(f"{what}: recomputed {len(expected)} items, receipt has {len(found)}")
    raise Mismatch(f"{what}: recomputed {expected!r}, receipt has {found!r}")


def verify(receipt):
    if receipt.get("algorithm") != ALGORITHM:
        raise Mismatch("the receipt is not for algorithm " + ALGORITHM)
    texts = {k: receipt[k] for k in ("pool", "officers", "pairs", "params")}
    digest = {k: sha256(v.encode("utf-8")) for k, v in texts.items()}
    header = "{}\npool\t{}\nofficers\t{}\npairs\t{}\nparams\t{}\n".format(
        ALGORITHM,
        digest["pool"],
        digest["officers"],
        digest["pairs"],
        digest["params"],
    )
    commitment = sha256(header.encode("utf-8"))
    compare("commitment", commitment, receipt["commitment"])

    params = read_params(texts["params"])
    seed_in = receipt["seed"]
    if len(seed_in["nonces"]) != int(params["nonce_count"]):
        raise Mismatch("seed: the commitment announced {} nonces".format(params["nonce_count"]))
    material = "{} seed\ncommitment\t{}\nannounced\t{}\n".format(
        ALGORITHM,
        commitment,
        seed_in["announced"],
    )
    material += "".join(f"nonce\t{n}\n" for n in seed_in["nonces"])
    seed = sha256(material.encode("utf-8"))
    compare("seed", seed, seed_in["value"])

    ids, strata_of, eligible = read_pool(texts["pool"])
    officers = [
        (canonical_int(p[0], "officer id"), p[2]) for p in lines(texts["officers"], 3, "officers")
    ]
    barred = {}
    for _kind, officer, entity in lines(texts["pairs"], 3, "pairs"):
        barred.setdefault(int(entity), set()).add(int(officer))

    # Each eligible entity as one integer that sorts as (stratum, key, id):
    # the stratum, the 64-bit key and the pool position (ids ascend with it).
    n = len(ids)
    bits = max(n, 1).bit_length()
    position = (1 << bits) - 1
    keys = numbers(seed, "select", n)
    quota_u = numbers(seed, "quota", 26)
    floor = int(params["floor_ppm"])
    candidates = list(itertools.compress(range(n), eligible))
    if not candidates:
        raise Mismatch("the pool has no eligible entity")
    shift = 64 + bits
    ranked = sorted([(strata_of[i] << shift) | (keys[i] << bits) | i for i in candidates])
    strata, chosen, queues = [], [], {}
    for s in range(25):
        low = bisect.bisect_left(ranked, s << shift)
        high = bisect.bisect_left(ranked, (s + 1) << shift)
        ratio = min(PPM, max(params["ratio"][STRATA[s]], floor))
        quota = round_random(high - low, ratio, quota_u[s])
        if high > low:
            strata.append(
                {
                    "stratum": STRATA[s],
                    "eligible": high - low,
                    "ratio_ppm": ratio,
                    "quota": quota,
                }
            )
        chosen += ranked[low : low + quota]
        queues[s] = (low + quota, high)  # the replacement queue, read when needed
    in_stratum = (1 << shift) - 1  # (key, id) without the stratum
    selected = [ids[v & position] for v in sorted([v & in_stratum for v in chosen])]
    result = receipt["result"]
    compare("result.strata", strata, result["strata"])
    compare("result.selected", selected, result["selected"])

    control, control_ranked, m = [], [], 0
    if int(params["control_ppm"]):
        ckeys = numbers(seed, "control", n)
        control_ranked = sorted([(ckeys[i] << bits) | i for i in candidates])
        m = round_random(len(control_ranked), int(params["control_ppm"]), quota_u[25])
        control = [ids[v & position] for v in control_ranked[:m]]
    compare("result.control", control, result["control"])

    def queue(stratum):
        low, high = queues[stratum]
        return [ids[v & position] for v in ranked[low:high]]

    teams = Teams(seed, officers, params, barred)
    in_main = set(selected)
    order = selected + [e for e in control if e not in in_main]
    assigned = {}
    for entity in order:
        assigned[entity] = teams.assign(entity)
    compare("result.teams", [[e, assigned[e]] for e in order], result["teams"])

    # Replacements recorded after the draw, in order (specification §8).
    used = set()
    for i, event in enumerate(receipt.get("replacements", [])):
        where = f"replacements[{i}]"
        if not event.get("reason"):
            raise Mismatch(where + ": no reason")
        if event["type"] == "entity":
            out = event["out"]
            if out not in assigned:
                raise Mismatch(f"{where}: {out} is not being inspected")
            main = out in selected
            if main:
                line = queue(strata_of[bisect.bisect_left(ids, out)])
            else:
                line = [ids[v & position] for v in control_ranked[m:]]
            candidates = [e for e in line if e not in assigned and e not in used and e != out]
            skipped = [s[0] for s in event.get("skipped", [])]
            compare(where + ".skipped", candidates[: len(skipped)], skipped)
            rest = candidates[len(skipped) :]
            incoming = rest[0] if rest else None
            used.update(skipped)
            used.add(out)
            for officer in assigned.pop(out):
                teams.release(officer)
            if main and out in control:
                control.remove(out)
            if main and incoming is not None:
                selected[selected.index(out)] = incoming
            elif main:
                selected.remove(out)
            else:
                control.remove(out)
                if incoming is not None:
                    control.append(incoming)
            team = []
            if incoming is not None:
                used.add(incoming)
                team = teams.assign(incoming)
                assigned[incoming] = team
            compare(where + ".in", incoming, event["in"])
            compare(where + ".team", team, event["team"])
        elif event["type"] == "officer":
            entity, out = event["entity"], event["out"]
            team = assigned.get(entity)
            if team is None or out not in team:
                raise Mismatch(f"{where}: officer {out} is not on entity {entity}'s team")
            group = teams.group_of[out]
            teams.release(out)
            teams.barred.setdefault(entity, set()).add(out)
            incoming = teams.take(entity, group, 1, exclude=team)[0]
            assigned[entity] = [incoming if o == out else o for o in team]
            compare(where + ".in", incoming, event["in"])
        else:
            raise Mismatch(where + ": unknown type " + repr(event.get("type")))
    return len(selected), len(control), len(assigned)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    try:
        with open(argv[1], "rb") as fh:
            receipt = json.loads(fh.read().decode("utf-8"))
        selected, control, teams = verify(receipt)
    except Mismatch as difference:
        print(f"DIFFERENCE: {difference}")
        return 1
    except (ValueError, KeyError, TypeError) as problem:
        print(f"DIFFERENCE: the receipt cannot be read: {problem!r}")
        return 1
    print(f"MATCH: {selected} selected, {control} in the control sample, {teams} teams")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
