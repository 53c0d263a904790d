"""Citations: resolving strings to articles, finding them in free text, round trips."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

import pytest

from fazhi.laws.citations import Lookups, citation_format, citation_resolve, citations_find
from fazhi.laws.models import Article, Law

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(import_law: Callable[..., Law]) -> dict[str, Law]:
    return {
        short: import_law(short)
        for short in ("安全生产法", "行政处罚法", "山东省安全生产条例", "矿山安全法实施条例")
    }


@pytest.mark.parametrize(
    ("text", "law", "label", "paragraph", "item", "quote_start"),
    [
        (
            "《安全生产法》第九十九条第（一）项",
            "安全生产法",
            "第九十九条",
            None,
            1,
            "（一）未在有较大危险因素",
        ),
        (
            "安全生产法第九十四条第一款",
            "安全生产法",
            "第九十四条",
            1,
            None,
            "生产经营单位的主要负责人未履行",
        ),
        (
            "《中华人民共和国行政处罚法》第三十三条第二款",
            "行政处罚法",
            "第三十三条",
            2,
            None,
            "当事人有证据足以证明没有主观过错",
        ),
        (
            "中华人民共和国行政处罚法第三十三条",
            "行政处罚法",
            "第三十三条",
            None,
            None,
            "第三十三条 违法行为轻微",
        ),
        ("《 安全生产法 》第3条", "安全生产法", "第三条", None, None, "第三条 安全生产工作坚持"),
        (
            "依照《山东省安全生产条例》第一条的规定",
            "山东省安全生产条例",
            "第一条",
            None,
            None,
            "第一条 为了加强安全生产工作",
        ),
        (
            "矿山安全法实施条例第十条第（十二）项",
            "矿山安全法实施条例",
            "第十条",
            None,
            12,
            "（十二）矿山提升运输设备",
        ),
    ],
)
def test_citation_strings_resolve_to_the_article(
    library: dict[str, Law],
    text: str,
    law: str,
    label: str,
    paragraph: int | None,
    item: int | None,
    quote_start: str,
) -> None:
    citation = citation_resolve(text)
    assert citation.resolved, citation.reason
    assert citation.law == library[law]
    assert citation.article is not None
    assert citation.article.label == label
    assert (citation.paragraph, citation.item) == (paragraph, item)
    assert citation.quote.startswith(quote_start)
    assert citation.url.startswith(f"/laws/{library[law].pk}/articles/")


def test_item_quote_is_exact_and_url_points_at_it(library: dict[str, Law]) -> None:
    citation = citation_resolve("《安全生产法》第九十九条第（一）项")
    assert (
        citation.quote
        == "（一）未在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志的；"
    )
    assert citation.url.endswith("/articles/99/#p1-i1")


def test_sub_items_are_quoted_with_their_item(library: dict[str, Law]) -> None:
    citation = citation_resolve("矿山安全法实施条例第十条第（十二）项")
    assert citation.resolved
    assert "1．" in citation.quote
    assert "6．" in citation.quote


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("《刑法》第一百三十四条", "has no “刑法”"),
        ("安全生产法第三百条", "has no 第三百条"),
        ("《安全生产法》第九十四条第九款", "paragraph(s), not 第九款"),
        ("《安全生产法》第九十九条第（九十）项", "has no item"),
        ("第五条", "No law is named"),
        ("安全生产法", "No article reference"),
        ("", "No article reference"),
    ],
)
def test_unresolvable_citations_say_why(library: dict[str, Law], text: str, reason: str) -> None:
    citation = citation_resolve(text)
    assert not citation.resolved
    assert reason in citation.reason


def test_no_version_in_force_before_the_first_one(library: dict[str, Law]) -> None:
    citation = citation_resolve("《安全生产法》第一条", on=datetime.date(2000, 1, 1))
    assert not citation.resolved
    assert "in force on 2000-01-01" in citation.reason


def test_citations_found_in_a_catalog_cell_carry_the_law_forward(library: dict[str, Law]) -> None:
    cell = (
        "《中华人民共和国安全生产法》第九十四条第一款、第三款和第一百一十五条；"
        "《山东省安全生产条例》第一条、第二条 本条例适用于……；"
        "《中华人民共和国刑法》第一百三十四条"
    )
    found = citations_find(cell)
    assert [(c.article_label, c.paragraph) for c in found] == [
        ("第九十四条", 1),
        ("第九十四条", 3),
        ("第一百一十五条", None),
        ("第一条", None),
        ("第二条", None),
        ("第一百三十四条", None),
    ]
    assert [c.law.short_title if c.law else None for c in found] == [
        "安全生产法",
        "安全生产法",
        "安全生产法",
        "山东省安全生产条例",
        "山东省安全生产条例",
        None,
    ]
    assert [c.resolved for c in found] == [True, True, True, True, True, False]
    assert found[0].text == "《中华人民共和国安全生产法》第九十四条第一款"
    assert found[1].text == "第三款"
    assert cell[found[2].start : found[2].end] == "第一百一十五条"
    assert "刑法" in found[5].reason


def test_an_unknown_bare_law_name_is_not_mistaken_for_the_last_law(
    library: dict[str, Law],
) -> None:
    found = citations_find("安全生产法第九十四条；刑法第一条、第二条；依照安全生产法第一条")
    assert [(c.law_name, c.resolved) for c in found] == [
        ("安全生产法", True),
        ("刑法", False),
        ("刑法", False),
        ("安全生产法", True),
    ]
    assert found[3].text == "安全生产法第一条"


def test_a_bare_name_inside_a_sentence_is_cut_to_the_law_it_names(
    library: dict[str, Law],
) -> None:
    found = citations_find(
        "《安全生产法》第九十九条 ……，向不具有本法第一百一十四条规定条件的单位；"
        "违反矿山安全法实施条例第十条的"
    )
    assert [(c.law_name, c.article_label, c.resolved) for c in found] == [
        ("安全生产法", "第九十九条", True),
        ("安全生产法", "第一百一十四条", True),
        ("矿山安全法实施条例", "第十条", True),
    ]
    assert found[1].text == "本法第一百一十四条"
    assert found[2].text == "矿山安全法实施条例第十条"


def test_ben_fa_refers_to_the_law_named_before(library: dict[str, Law]) -> None:
    found = citations_find("《安全生产法》第九十九条 生产经营单位……依照本法第一百一十四条处罚")
    assert [c.article_label for c in found] == ["第九十九条", "第一百一十四条"]
    assert found[1].law == library["安全生产法"]
    assert found[1].text == "本法第一百一十四条"


def test_items_listed_after_an_article_are_each_resolved(library: dict[str, Law]) -> None:
    found = citations_find("安全生产法第九十九条第（一）项、第（二）项")
    assert [(c.item, c.resolved) for c in found] == [(1, True), (2, True)]
    assert found[1].quote.startswith("（二）")


def test_formatted_citations_round_trip(library: dict[str, Law]) -> None:
    rng = random.Random(20260101)
    articles = list(Article.objects.select_related("law").order_by("law_id", "seq"))
    sample = rng.sample(articles, 40)
    sample += [a for a in articles if any(p["items"] for p in a.paragraphs)][:15]
    checked = 0
    for article in sample:
        cases: list[tuple[int | None, int | None]] = [(None, None)]
        if len(article.paragraphs) > 1:
            cases.append((len(article.paragraphs), None))
        for index, paragraph in enumerate(article.paragraphs, start=1):
            if paragraph["items"]:
                cases.append(
                    (
                        index if len(article.paragraphs) > 1 else None,
                        paragraph["items"][-1]["number"],
                    )
                )
        for paragraph, item in cases:
            text = citation_format(article, paragraph=paragraph, item=item)
            citation = citation_resolve(text)
            assert citation.resolved, (text, citation.reason)
            assert citation.article == article, text
            assert (citation.paragraph, citation.item) == (paragraph, item), text
            checked += 1
    assert checked > 60


def test_citation_format_names_the_paragraph_only_when_needed(library: dict[str, Law]) -> None:
    law = library["安全生产法"]
    article_99 = Article.objects.get(law=law, number=99)
    assert citation_format(article_99, item=1) == "《安全生产法》第九十九条第（一）项"
    article_94 = Article.objects.get(law=law, number=94)
    assert citation_format(article_94, paragraph=1) == "《安全生产法》第九十四条第一款"


def test_a_batch_shares_its_library_lookups(library: dict[str, Law], django_assert_num_queries):
    lookups = Lookups()
    first = citations_find("《安全生产法》第九十九条第（一）项、第一百条", lookups=lookups)
    with django_assert_num_queries(0):
        again = citations_find("依照安全生产法第九十九条第（二）项、第一百条", lookups=lookups)
    assert [c.article for c in again] == [c.article for c in first]
    assert again[0].quote.startswith("（二）")
    # without a shared batch every call looks the library up afresh
    with django_assert_num_queries(4):
        citations_find("《安全生产法》第一百条")
