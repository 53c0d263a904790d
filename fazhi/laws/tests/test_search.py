"""Full-text search: jieba segmentation into FTS5 (SQLite) or tsvector (PostgreSQL)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.choices import LawLevel, LawStatus
from fazhi.laws.models import Article, Law
from fazhi.laws.search import highlight, parse_query, segment
from fazhi.laws.selectors import article_search
from fazhi.laws.services import law_import
from fazhi.laws.tests.conftest import law_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(import_law: Callable[..., Law]) -> dict[str, Law]:
    return {
        short: import_law(short)
        for short in ("安全生产法", "行政处罚法", "山东省安全生产条例", "烟花爆竹安全管理条例")
    }


def test_the_index_exists_for_this_database(library: dict[str, Law]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM laws_article_fts")
            assert cursor.fetchone()[0] == Article.objects.count()
        else:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'laws_article_search_gin'"
            )
            assert "gin" in cursor.fetchone()[0]


def test_search_finds_a_known_phrase_and_highlights_it(library: dict[str, Law]) -> None:
    expected = set(
        Article.objects.filter(text__contains="重大事故隐患").values_list("pk", flat=True)
    )
    assert len(expected) > 10
    results = article_search(actor=SYSTEM, q="重大事故隐患")
    hits = results[0 : results.count()]
    assert expected <= {h.article.pk for h in hits}
    top = list(hits[:10])
    assert all(h.article.pk in expected for h in top)  # exact matches rank first
    assert all("<mark>重大事故隐患</mark>" in str(h.snippet) for h in top)


def test_a_phrase_copied_from_any_article_finds_that_article(library: dict[str, Law]) -> None:
    rng = random.Random(7)
    articles = list(Article.objects.all())
    misses = []
    for article in rng.sample(articles, 60):
        text = article.text.replace("\n", "")
        if len(text) < 20:
            continue
        start = rng.randrange(0, len(text) - 12)
        phrase = text[start : start + rng.randint(6, 12)]
        ids = {h.article.pk for h in article_search(actor=SYSTEM, q=phrase)[0:500]}
        if article.pk not in ids:
            misses.append(phrase)
    assert len(misses) <= 3, misses


def test_results_are_ranked_and_paginated(library: dict[str, Law]) -> None:
    results = article_search(actor=SYSTEM, q="罚款")
    total = results.count()
    assert total > 40
    first, second = results[0:20], results[20:40]
    assert len(first) == 20
    assert len(second) == 20
    assert not {h.article.pk for h in first} & {h.article.pk for h in second}


def test_filters_by_law_level_and_status(library: dict[str, Law]) -> None:
    safety = library["安全生产法"]
    only_law = article_search(actor=SYSTEM, q="安全生产", law_id=safety.pk)[0:200]
    assert only_law
    assert {h.law.pk for h in only_law} == {safety.pk}
    local = article_search(actor=SYSTEM, q="安全生产", level=LawLevel.LOCAL_REGULATION)[0:200]
    assert local
    assert {h.law.short_title for h in local} == {"山东省安全生产条例"}
    assert article_search(actor=SYSTEM, q="安全生产", status=LawStatus.REPEALED).count() == 0
    assert article_search(actor=SYSTEM, q="安全生产", status=LawStatus.IN_FORCE).count() > 0


def test_superseded_versions_are_searchable_and_filterable(library: dict[str, Law]) -> None:
    text = law_file("烟花爆竹安全管理条例").read_text("utf-8").replace("第一条 为了", "第一条 为")
    law_import(actor=SYSTEM, text=text, source_name="烟花爆竹安全管理条例(2030-01-01).md")
    amended = article_search(actor=SYSTEM, q="烟花爆竹", status=LawStatus.AMENDED)
    assert amended.count() > 0
    assert {h.law.status for h in amended[0:100]} == {LawStatus.AMENDED}


@pytest.mark.parametrize(
    "query", ['"', "*", "OR", "AND (", "'; DROP TABLE laws_law; --", "\\", "！？。", "   "]
)
def test_odd_queries_never_fail(library: dict[str, Law], query: str) -> None:
    # Punctuation, operators and SQL are searched as text (none occurs in the laws),
    # never run as syntax: no error, no hit, and the library is untouched.
    laws = Law.objects.count()
    results = article_search(actor=SYSTEM, q=query)
    assert results.count() == 0
    assert results[0:5] == []
    assert Law.objects.count() == laws > 0


def test_highlight_escapes_before_marking() -> None:
    html = str(highlight("<script>罚款</script> & 罚款", ["罚款"]))
    assert html == "&lt;script&gt;<mark>罚款</mark>&lt;/script&gt; &amp; <mark>罚款</mark>"
    snippet = str(highlight("甲" * 300 + "罚款" + "乙" * 300, ["罚款"], width=100))
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "<mark>罚款</mark>" in snippet


def test_segmentation_keeps_words_and_drops_punctuation() -> None:
    words = segment("生产经营单位的主要负责人，应当。危险化学品").split()
    assert {"生产", "经营", "负责人", "化学品"} <= set(words)
    assert "，" not in words
    assert "。" not in words
    query = parse_query("生产经营单位的主要负责人")
    assert "的" not in [group.word for group in query.groups]
    assert query.groups[-1].prefix  # the last word may be cut short: 负责 finds 负责人


def test_search_page_shows_highlighted_hits(library: dict[str, Law], personas: Any) -> None:
    client = personas.client(personas.city_officer)
    page = client.get(reverse("laws:search"), {"q": "烟花爆竹", "page": 1})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark>烟花爆竹</mark>" in html
    assert "records" in html or "record" in html
    page = client.get(reverse("laws:search"), {"q": "烟花爆竹", "level": "nonsense"})
    assert page.status_code == 200
    page = client.get(reverse("laws:search"), {"q": "<b>x</b>"})
    assert page.status_code == 200
    assert "<b>x</b>" not in page.content.decode()


def test_broad_searches_rank_a_window_and_say_so(
    library: dict[str, Law], personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fazhi.laws import search

    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    results = article_search(actor=SYSTEM, q="罚款")
    assert results.count() == 5
    assert results.capped
    assert not article_search(actor=SYSTEM, q="烟花爆竹批发企业").capped
    page = personas.client(personas.city_officer).get(reverse("laws:search"), {"q": "罚款"})
    assert 'data-testid="search-capped"' in page.content.decode()
