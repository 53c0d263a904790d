"""Load the shipped discretion rule data from ``fazhi/discretion/data/*.json``.

The data files, each a list of rows:

- ``baselines.json`` — the baseline documents (裁量基准文件): the national
  《应急管理行政处罚裁量权基准》 (应急〔2024〕90号), and other jurisdictions'
  documents kept only as labelled examples (``is_example``), never adopted.
- ``entries.json`` — one entry per violation and document (``baseline`` is
  the document's key): statutory ranges read from 安全生产法 (2021) 第六章, and
  tiers only where a source gives them (the statute's accident classes, the
  examples' tables).
- ``rules.json`` — the numbers the calculator applies (bands, ages, years).
- ``circumstances.json`` — circumstances and their effect, with sources.
- ``no_penalty.json`` — no-penalty list rows, each tied to a document.

``discretion_seed(actor=…)`` is idempotent: rows that exist are left alone, so
an administrator's corrections survive a second run. Which documents an
agency applies is not seed data: see ``services.baseline_adopt``.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from fazhi.core import policy
from fazhi.discretion.engine import BoundsData, EntryData, TierData

DATA_DIR = Path(__file__).resolve().parent / "data"
LAW_DIR = Path(__file__).resolve().parent.parent / "laws" / "data" / "laws"
SEED_LAWS = ["安全生产法(2021-06-10).md", "行政处罚法(2021-01-22).md"]
NATIONAL = "应急〔2024〕90号"
DATE_FIELDS = {"effective_from", "effective_to", "issued_on"}
DECIMAL_FIELDS = {
    "lower",
    "upper",
    "min_amount",
    "max_amount",
    "condition_lower",
    "condition_upper",
    "gains_threshold",
    "alternative_min",
    "alternative_max",
}


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in DATE_FIELDS:
        return datetime.date.fromisoformat(value)
    if name in DECIMAL_FIELDS:
        return Decimal(str(value))
    return value


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    return {name: _value(name, value) for name, value in row.items()}


@cache
def load(name: str) -> list[dict[str, Any]]:
    """Return the rows of ``data/<name>.json`` with dates and decimals typed."""
    rows = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return [_typed(row) for row in rows]


def _bounds(row: dict[str, Any]) -> BoundsData:
    return BoundsData(**{"min_amount": None, **_typed(row)})


def entry_rows() -> list[tuple[str, EntryData]]:
    """Every shipped entry with the key of its document."""
    result = []
    for row in load("entries"):
        fields = dict(row)
        baseline = fields.pop("baseline")
        ranges = [_bounds(r) for r in fields.pop("ranges")]
        tiers = [
            TierData(
                **{k: v for k, v in _typed(t).items() if k != "fines"},
                fines=[_bounds(f) for f in t["fines"]],
            )
            for t in fields.pop("tiers", [])
        ]
        result.append((baseline, EntryData(**fields, ranges=ranges, tiers=tiers)))
    return result


def seed_entries(baseline: str | None = None) -> list[EntryData]:
    """The shipped entries (of one document, or all with the national ones first)."""
    return [entry for key, entry in entry_rows() if baseline is None or key == baseline]


@policy.requires("laws.add_law")
def ensure_laws(*, actor: Any, names: list[str] | None = None) -> list[str]:
    """Import the law texts the seed cites, unless they are already stored."""
    from fazhi.laws.models import Law
    from fazhi.laws.services import law_import_paths

    missing = [
        LAW_DIR / name
        for name in (names or SEED_LAWS)
        if not Law.objects.filter(source_name=name).exists()
    ]
    if not missing:
        return []
    results = law_import_paths(actor=actor, paths=missing)
    return [result.summary() for result in results]


def _baselines(actor: Any, created: dict[str, int]) -> dict[str, Any]:
    from fazhi.discretion import services
    from fazhi.discretion.models import Baseline

    found = {}
    for row in load("baselines"):
        fields = {k: v for k, v in row.items() if k != "key"}
        baseline = Baseline.objects.filter(
            title=fields["title"], document_number=fields["document_number"]
        ).first()
        if baseline is None:
            baseline = services.baseline_save(actor=actor, **fields)
            created["baselines"] += 1
        found[row["key"]] = baseline
    return found


@policy.requires("discretion.add_discretionentry")
@transaction.atomic
def discretion_seed(*, actor: Any, codes: set[str] | None = None) -> list[str]:
    """Create the shipped documents, rules, circumstances, entries and no-penalty rows.

    ``codes`` limits the entries (and their no-penalty rows) to those codes.
    """
    from fazhi.discretion import services
    from fazhi.discretion.models import (
        DiscretionCircumstance,
        DiscretionEntry,
        DiscretionRule,
        NoPenaltyItem,
    )

    lines = ensure_laws(actor=actor)
    created = {"baselines": 0, "rules": 0, "circumstances": 0, "entries": 0, "no_penalty": 0}
    baselines = _baselines(actor, created)
    for row in load("rules"):
        if not DiscretionRule.objects.filter(
            code=row["code"], effective_from=row["effective_from"]
        ).exists():
            services.discretion_rule_save(actor=actor, **row)
            created["rules"] += 1
    for order, row in enumerate(load("circumstances"), start=1):
        if not DiscretionCircumstance.objects.filter(code=row["code"]).exists():
            services.circumstance_save(
                actor=actor,
                **{"effective_from": datetime.date(2021, 7, 15), **row},
                sort_order=order,
            )
            created["circumstances"] += 1
    for key, data in entry_rows():
        if codes is not None and data.code not in codes:
            continue
        baseline = baselines[key]
        if not DiscretionEntry.objects.filter(baseline=baseline, code=data.code).exists():
            data.baseline_id = baseline.pk
            services.discretion_entry_create(actor=actor, data=data)
            created["entries"] += 1
    for row in load("no_penalty"):
        if codes is not None and row["entry_code"] not in codes:
            continue
        if not NoPenaltyItem.objects.filter(code=row["code"]).exists():
            fields = {k: v for k, v in row.items() if k != "baseline"}
            services.no_penalty_item_save(
                actor=actor, baseline=baselines[row["baseline"]], **fields
            )
            created["no_penalty"] += 1
    lines.append(
        "discretion seed: {baselines} documents, {rules} rules, {circumstances} circumstances, "
        "{entries} entries, {no_penalty} no-penalty rows created".format(**created)
    )
    return lines


def rules() -> list[dict[str, Any]]:
    return load("rules")


def circumstances() -> list[dict[str, Any]]:
    return load("circumstances")


def no_penalty_items() -> list[dict[str, Any]]:
    return load("no_penalty")
