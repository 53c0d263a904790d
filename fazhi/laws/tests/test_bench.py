"""Smoke test of the search benchmark's builders at a tiny size.

The benchmark itself never runs in the test suite.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.bench_laws import _like_once, _search_once, build_corpus, p95, sample_queries
from fazhi.laws.models import Article, Law

pytestmark = pytest.mark.django_db


def test_corpus_builder_and_queries_work_at_a_tiny_size(import_law: Callable[..., Law]) -> None:
    import_law("安全生产许可证条例")
    import_law("生产安全事故应急条例")
    real = Article.objects.count()
    total = build_corpus(real + 80, batch=50)
    assert total == real + 80 == Article.objects.count()
    assert Law.objects.filter(work__key__contains="#").exists()
    queries = sample_queries(10)
    assert len(queries) == 10
    # Each sampled query is a phrase of a real article (or a common search): it finds it.
    assert all(_search_once(q) > 0 for q in queries), queries
    assert _search_once("安全生产许可证") > 0
    assert _like_once("安全生产许可证") > 0
    assert p95([0.1, 0.2, 0.3]) == pytest.approx(0.38)  # exclusive quantiles, 19th of 20
    assert p95([0.5]) == 0.5
