#!/usr/bin/env python3
"""Check a 双随机 draw receipt (algorithm fazhi-draw/1) on your own computer.

    python3 verify_draw.py receipt.json

Standard library only (Python 3.9 or later). It recomputes the commitment,
the seed, the selection, the control sample, the teams and every recorded
replacement from the receipt's own inputs, following docs/draw-algorithm.md,
and prints MATCH, or the first difference and exits with status 1.
"""

import hashlib
import heapq
import json
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
    return [int.from_bytes(raw[i : i + 8], "big") for i in range(0, len(raw), 8)]


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

    pool = []
    last = -1
    for parts in lines(texts["pool"], 5, "pool"):
        entity = canonical_int(parts[0], "pool id")
        stratum = parts[2] + "/" + parts[3]
        if entity <= last or stratum not in STRATA or not parts[1] or not parts[4]:
            raise Mismatch(f"pool: line for id {parts[0]} is not canonical")
        last = entity
        pool.append((entity, STRATA.index(stratum), parts[4] == "-"))
    officers = [
        (canonical_int(p[0], "officer id"), p[2]) for p in lines(texts["officers"], 3, "officers")
    ]
    barred = {}
    for _kind, officer, entity in lines(texts["pairs"], 3, "pairs"):
        barred.setdefault(int(entity), set()).add(int(officer))

    keys = numbers(seed, "select", len(pool))
    quota_u = numbers(seed, "quota", 26)
    floor = int(params["floor_ppm"])
    eligible = [(s, keys[i], e) for i, (e, s, ok) in enumerate(pool) if ok]
    if not eligible:
        raise Mismatch("the pool has no eligible entity")
    by_stratum = {}
    for s, key, entity in sorted(eligible):
        by_stratum.setdefault(s, []).append((key, entity))
    strata, chosen, queue = [], [], {}
    for s in range(25):
        members = by_stratum.get(s, [])
        ratio = min(PPM, max(params["ratio"][STRATA[s]], floor))
        quota = round_random(len(members), ratio, quota_u[s])
        if members:
            strata.append(
                {
                    "stratum": STRATA[s],
                    "eligible": len(members),
                    "ratio_ppm": ratio,
                    "quota": quota,
                }
            )
        chosen += members[:quota]
        queue[s] = [entity for _, entity in members[quota:]]
    selected = [entity for _, entity in sorted(chosen)]
    result = receipt["result"]
    compare("result.strata", strata, result["strata"])
    compare("result.selected", selected, result["selected"])

    control, control_queue = [], []
    if int(params["control_ppm"]):
        ckeys = numbers(seed, "control", len(pool))
        ranked = sorted((ckeys[i], e) for i, (e, s, ok) in enumerate(pool) if ok)
        m = round_random(len(ranked), int(params["control_ppm"]), quota_u[25])
        control = [e for _, e in ranked[:m]]
        control_queue = [e for _, e in ranked[m:]]
    compare("result.control", control, result["control"])

    teams = Teams(seed, officers, params, barred)
    in_main = set(selected)
    order = selected + [e for e in control if e not in in_main]
    assigned = {}
    for entity in order:
        assigned[entity] = teams.assign(entity)
    compare("result.teams", [[e, assigned[e]] for e in order], result["teams"])

    # Replacements recorded after the draw, in order (specification §8).
    stratum_of = {e: s for e, s, ok in pool}
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
            line = queue[stratum_of[out]] if main else control_queue
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
