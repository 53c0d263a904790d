"""The relevance set against the real shipped laws (SQLite and PostgreSQL alike).

Search must keep finding what a legal section types: statute words, doctrine
names, headings, article numbers. This fails if hit@5 drops below the target.
"""

from __future__ import annotations

import pytest

from bench.bench_laws_relevance import HIT_TARGET, describe, evaluate, load_cases
from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.services import law_import_paths
from fazhi.laws.terms import terms_load_defaults
from fazhi.laws.tests.conftest import DATA

pytestmark = pytest.mark.django_db


def test_the_relevance_set_is_large_and_covers_every_kind() -> None:
    cases = load_cases()
    assert len(cases) >= 40
    kinds = {case.kind for case in cases}
    assert {"literal", "doctrine", "heading", "number"} <= kinds


def test_hit_at_5_on_the_relevance_set_meets_the_target() -> None:
    law_import_paths(actor=SYSTEM, paths=[DATA])
    terms_load_defaults(actor=SYSTEM)
    report = evaluate(load_cases())
    print(describe(report))
    assert report.hit_rate >= HIT_TARGET, describe(report)
    assert report.mrr >= 0.8, describe(report)
