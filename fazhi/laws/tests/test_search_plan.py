"""How PostgreSQL reads the newest matches of a search (issue 16): plan choice and its SQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core.tests.factories import SYSTEM
from fazhi.laws import search
from fazhi.laws.models import Law
from fazhi.laws.search import SearchFilters, parse_query, walk_newest
from fazhi.laws.selectors import article_search

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the GIN index and its plans are PostgreSQL's"
)


def test_many_matches_walk_the_primary_key() -> None:
    # a word in a third of 100k articles: about 3,000 rows walked
    assert walk_newest(33_000, 100_000, 1000)
    assert walk_newest(8_000, 100_000, 1000)
    assert walk_newest(0, 0, 1000)  # an empty library


def test_fewer_matches_are_read_from_the_index_and_sorted() -> None:
    # one article in twenty: the walk would read 20,000 rows, the index 5,000
    assert not walk_newest(5_000, 100_000, 1000)
    assert not walk_newest(300, 100_000, 1000)
    assert walk_newest(5_000, 100_000, 20)  # a short window is found soon


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
def test_the_vectors_stay_in_the_table_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'laws_article'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == "m"  # MAIN: not moved out to TOAST first


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("word", ["安全", "罚款", "生产经营单位"])
def test_both_plans_find_the_same_newest_matches(library: list[Law], word: str) -> None:
    tsquery = parse_query(word).tsquery()
    matching = "FROM laws_article a WHERE a.search_vector @@ to_tsquery('simple', %s)"
    walk = search._pg_ranked(matching, [tsquery], 20, walk=True)
    sort = search._pg_ranked(matching, [tsquery], 20, walk=False)
    assert len(walk) == 21
    assert walk == sort


@postgres_only
@pytest.mark.django_db
def test_search_results_do_not_depend_on_the_plan(
    library: list[Law], monkeypatch: pytest.MonkeyPatch
) -> None:
    found = []
    for walk in (True, False):
        monkeypatch.setattr(search, "walk_newest", lambda *_args, walk=walk: walk)
        found.append([h.article.pk for h in article_search(actor=SYSTEM, q="安全生产 罚款")[0:20]])
    assert found[0]
    assert found[0] == found[1]
