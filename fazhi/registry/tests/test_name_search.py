"""Entity name search: on SQLite through the FTS5 trigram index, same results as LIKE."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from fazhi.registry import name_index, selectors
from fazhi.registry.models import Entity
from fazhi.registry.selectors import EntityFilters
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the trigram FTS5 index is SQLite's"
)

NAMES = [
    "济宁市华鑫化工有限公司",
    "济宁华鑫化工有限公司二分厂",
    "鲁源机械制造有限公司99999",
    "鲁源机械制造有限公司9999",
    "Acme Chemical Co., Ltd.",
    "ACME 化工（济宁）有限公司",
    '“引号”与"Quote" 商行',
    "O'Brien 贸易行",
    "100% 纯净水厂_分厂",
    "AND OR NOT NEAR 化工",
    "星号*冒号:括号(测试)^-+",
    "任城区 个体 工商户",
    "微山湖渔业",
    "Ünicode Ärzte 公司",
]
QUERIES = [
    # one and two characters: no trigram, LIKE
    "化",
    "有限",
    "a",
    "Ac",
    '"',
    "%",
    "_",
    "'",
    # three and more: the index
    "华鑫化工",
    "有限公司99999",
    "有限公司9999",
    "acme",
    "ACME CHEMICAL",
    "Co., Ltd.",
    '"Quote"',
    '"引号',
    "引号”与",
    '" OR "',
    "O'Brien",
    "100%",
    "% 纯",
    "水厂_分",
    "AND OR",
    "NEAR",
    "NOT 化工",
    "*冒号:",
    "(测试)^",
    "^-+",
    "区 个体 工",
    "个体  工商",
    "渔业公司",
    "ärzte",
    "Ärzte",
    "不存在的名称",
]


@pytest.fixture
def named(personas):
    entities = [f.entity(personas.county_a) for _ in NAMES]
    for entity, name in zip(entities, NAMES, strict=True):
        # an UPDATE: the index follows through its trigger
        Entity.objects.filter(pk=entity.pk).update(name=name)
    return entities


def listed(personas, q: str) -> set[str]:
    items = selectors.entity_list(actor=personas.admin, filters=EntityFilters(q=q))
    return set(items.values_list("name", flat=True))


def like(q: str) -> set[str]:
    return set(Entity.objects.filter(name__contains=q).values_list("name", flat=True))


@pytest.mark.parametrize("q", QUERIES)
def test_name_search_finds_what_like_finds(personas, named, q):
    assert listed(personas, q) == like(q)


def test_the_queries_cover_hits_and_misses(personas, named):
    found = [q for q in QUERIES if like(q)]
    assert len(found) >= 25  # the comparison above is not vacuous
    assert listed(personas, "有限公司99999") == {"鲁源机械制造有限公司99999"}
    assert listed(personas, '"Quote"') == {'“引号”与"Quote" 商行'}


@sqlite_only
def test_long_queries_go_through_the_index_short_ones_do_not(personas):
    def sql(q: str) -> str:
        return str(selectors.entity_list(actor=personas.admin, filters=EntityFilters(q=q)).query)

    assert name_index.TABLE in sql("华鑫化工")
    assert name_index.TABLE in sql("abc")
    assert name_index.TABLE not in sql("华鑫")
    assert name_index.TABLE not in sql("91370811MA0000001A")  # a credit code


@sqlite_only
def test_the_index_plan_reads_matches_not_the_table(personas, named):
    # The planner's view of a big table: no statistics of this small one,
    # nor any an earlier test left in sqlite_stat1 (with those, the plan
    # depended on the order the tests ran in).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'registry_entity'")
            cursor.execute("ANALYZE sqlite_schema")  # reloads the statistics
    items = selectors.entity_list(actor=personas.admin, filters=EntityFilters(q="有限公司99999"))
    sql, params = items.order_by("-id")[:26].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan, plan
    assert not re.search(r"SCAN registry_entity(?!_name_fts)", plan), plan


@sqlite_only
def test_the_index_follows_inserts_updates_and_deletes(personas):
    first = f.entity(personas.county_a, name="济宁市甲乙丙化工有限公司")
    second = f.entity(personas.county_a, name="济宁市丁戊己化工有限公司")
    assert listed(personas, "甲乙丙") == {first.name}
    Entity.objects.filter(pk=first.pk).update(name="济宁市庚辛壬化工有限公司")
    assert listed(personas, "甲乙丙") == set()
    assert listed(personas, "庚辛壬") == {"济宁市庚辛壬化工有限公司"}
    Entity.objects.filter(pk=second.pk).delete()
    assert listed(personas, "丁戊己") == set()
    with connection.cursor() as cursor:
        # the index's own check: every row it holds matches the table
        table = name_index.TABLE
        cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")


def test_fts5_phrase_quotes_everything():
    assert name_index.fts5_phrase('a"b') == '"a""b"'
    assert name_index.fts5_phrase("x OR y*") == '"x OR y*"'
