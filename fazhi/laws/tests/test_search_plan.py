"""How PostgreSQL reads the newest matches of a search (issue 16): plan choice and its SQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core.tests.factories import SYSTEM
from fazhi.laws import search
from fazhi.laws.models import Law
from fazhi.laws.search import MatchPlan, SearchFilters, match_plan, parse_query
from fazhi.laws.selectors import article_search

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the GIN index and its plans are PostgreSQL's"
)


def test_many_matches_walk_the_primary_key() -> None:
    # a word in a third of 100k articles: about 3,000 rows walked
    assert match_plan(33_000, 100_000, 1000) == MatchPlan(walk=True)
    assert match_plan(12_500, 100_000, 1000) == MatchPlan(walk=True)


def test_a_middling_word_reads_only_the_newest_matches() -> None:
    # one article in twenty: the walk would read 20,000 rows, the index 5,000
    plan = match_plan(5_000, 100_000, 1000)
    assert not plan.walk
    assert plan.span == 2 * 1001 * 100_000 // 5_000  # ids expected to hold 2,002 matches


def test_a_rare_word_sorts_all_its_matches() -> None:
    assert match_plan(300, 100_000, 1000) == MatchPlan(walk=False)
    assert match_plan(0, 0, 1000) == MatchPlan(walk=True)  # an empty library


@pytest.fixture
def library(import_law: Callable[..., Law]) -> list[Law]:
    return [import_law(short) for short in ("安全生产法", "行政处罚法", "山东省安全生产条例")]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_import_leaves_no_pending_list_in_the_gin_index(
    import_law: Callable[..., Law],
) -> None:
    import_law("行政处罚法")  # commits: the merge runs on commit
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('laws_article_search_gin'::regclass)")
        assert cursor.fetchone()[0] == 0  # nothing was left to merge


@postgres_only
@pytest.mark.django_db
def test_a_search_is_one_estimate_and_one_ranked_read(library: list[Law]) -> None:
    with CaptureQueriesContext(connection) as ctx:
        ids, _capped = search._matches(parse_query("听证"), SearchFilters(), 1000, any_word=False)
    assert ids
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == 2, sqls
    assert sqls[0].startswith("EXPLAIN (FORMAT JSON)")
    assert "ORDER BY a.id + 0 DESC" in sqls[1]  # few matches: from the GIN index, sorted
    with connection.cursor() as cursor:
        # A test library is small enough to scan: rule scans out, as at scale.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sqls[1])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on laws_article_search_gin" in plan, plan
    assert "laws_article_pkey" not in plan, plan


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("word", ["安全", "罚款", "生产经营单位"])
def test_every_plan_finds_the_same_newest_matches(
    library: list[Law], word: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tsquery = parse_query(word).tsquery()
    matching = "FROM laws_article a WHERE a.search_vector @@ to_tsquery('simple', %s)"
    window = 20
    walk = search._pg_ranked(matching, [tsquery], window, MatchPlan(walk=True))
    sort = search._pg_ranked(matching, [tsquery], window, MatchPlan(walk=False))
    ranged = search._pg_ranked(matching, [tsquery], window, MatchPlan(walk=False, span=10**6))
    assert len(walk) == window + 1
    assert walk == sort == ranged
    # a span holding too few matches: read again without it
    monkeypatch.setattr(search, "match_plan", lambda *_args: MatchPlan(walk=False, span=1))
    with CaptureQueriesContext(connection) as ctx:
        ids, capped = search._pg_matches(tsquery, SearchFilters(), window)
    assert capped
    assert ids == [row[0] for row in sort[:window]]
    assert len(ctx.captured_queries) == 3


@postgres_only
@pytest.mark.django_db
def test_search_results_do_not_depend_on_the_plan(
    library: list[Law], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [h.article.pk for h in article_search(actor=SYSTEM, q="安全生产 罚款")[0:20]]
    assert expected
    for plan in (MatchPlan(walk=True), MatchPlan(walk=False), MatchPlan(walk=False, span=10**6)):
        monkeypatch.setattr(search, "match_plan", lambda *_args, plan=plan: plan)
        found = [h.article.pk for h in article_search(actor=SYSTEM, q="安全生产 罚款")[0:20]]
        assert found == expected, plan
