"""Issue 16: the term table, article numbers as typed, headings, ranking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from fazhi.core.errors import DomainError
from fazhi.core.models import AuditEvent
from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.choices import TermOrigin
from fazhi.laws.models import Law, LawTerm
from fazhi.laws.parser import parse_law
from fazhi.laws.selectors import article_search
from fazhi.laws.terms import (
    ArticleQuery,
    abbreviations,
    default_terms,
    fragment_text,
    parse_article_query,
    parse_reference,
    term_save,
    terms_load_defaults,
)
from fazhi.laws.tests.conftest import ALL_FILES, law_file

FIVE_LAWS = ("行政处罚法", "行政许可法", "行政强制法", "安全生产法", "行政复议法")


@pytest.fixture
def five(import_law: Callable[..., Law]) -> dict[str, Law]:
    laws = {short: import_law(short) for short in FIVE_LAWS}
    terms_load_defaults(actor=SYSTEM)
    return laws


def _top(query: str, count: int = 5, **filters: Any) -> list[str]:
    hits = article_search(actor=SYSTEM, q=query, **filters)[0:count]
    return [f"{h.law.short_title}{h.article.label}" for h in hits]


# ---- the shipped defaults, checked against the shipped texts (no database) ------------


class _Article:
    """Just enough of an Article for ``fragment_text``."""

    def __init__(self, parsed: Any) -> None:
        self.paragraphs = [p.as_json() for p in parsed.paragraphs]
        self.text = parsed.text

    def paragraph_text(self, index: int) -> str:
        from fazhi.laws.models import Article

        return Article.paragraph_text(self, index)  # type: ignore[arg-type]


def _parsed(short: str) -> dict[tuple[int, int], Any]:
    path = law_file(short)
    parsed = parse_law(path.read_text("utf-8"), path.name)
    return {(a.number, a.suffix): a for a in parsed.articles}


def test_every_shipped_mapping_quotes_the_article_it_cites() -> None:
    """The article (paragraph, item) must say what the term means, in the words quoted."""
    defaults = default_terms()
    assert len(defaults) >= 60  # 70 terms, 81 mappings
    laws: dict[str, dict[tuple[int, int], Any]] = {}
    covered = set()
    problems = []
    for term in defaults:
        for ref in term.refs:
            parsed = parse_reference(ref.citation)
            assert parsed is not None, (ref.line, ref.citation)
            short = abbreviations().get(parsed.law, parsed.law)
            covered.add(short)
            articles = laws.setdefault(short, _parsed(short))
            article = articles.get((parsed.number, parsed.suffix))
            if article is None:
                problems.append(f"line {ref.line}: {ref.citation} does not exist")
                continue
            text = fragment_text(_Article(article), parsed.paragraph, parsed.item)  # type: ignore[arg-type]
            if text is None or ref.quote not in text.replace("\n", ""):
                problems.append(f"line {ref.line}: {ref.citation} does not say “{ref.quote}”")
            assert ref.source.strip(), f"line {ref.line}: no source"
    assert not problems, problems
    assert covered == set(FIVE_LAWS)


def test_every_abbreviation_names_a_shipped_law() -> None:
    titles = {p.name.split("(")[0] for p in ALL_FILES}
    assert abbreviations()["安法"] == "安全生产法"
    assert abbreviations()["处罚法"] == "行政处罚法"
    assert set(abbreviations().values()) <= titles


@pytest.mark.django_db
def test_loading_the_defaults_is_audited_and_idempotent(five: dict[str, Law]) -> None:
    count = LawTerm.objects.count()
    assert count == len(default_terms())
    assert AuditEvent.objects.filter(verb="laws.lawterm.create").count() == count
    assert terms_load_defaults(actor=SYSTEM) == []
    assert AuditEvent.objects.filter(verb="laws.lawterm.create").count() == count
    term = LawTerm.objects.get(term="过罚相当")
    assert term.origin == TermOrigin.SHIPPED
    ref = term.refs.get()
    assert ref.citation == "《行政处罚法》第五条第二款"
    assert "与违法行为的事实、性质、情节以及社会危害程度相当" in ref.source


# ---- search expands terms and says so --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("过罚相当", "行政处罚法第五条"),
        ("处罚法定", "行政处罚法第四条"),
        ("过罚相当原则", "行政处罚法第五条"),
        ("双罚制", "安全生产法第九十七条"),
        ("听证权利告知", "行政处罚法第六十三条"),
        ("申请法院强制执行", "行政强制法第十三条"),
        ("限期整改", "行政处罚法第二十八条"),
        ("复议前置", "行政复议法第二十三条"),
    ],
)
def test_a_doctrine_name_finds_its_article_first(
    five: dict[str, Law], query: str, expected: str
) -> None:
    assert _top(query, 1) == [expected]


@pytest.mark.django_db
def test_search_says_which_term_it_expanded(five: dict[str, Law]) -> None:
    results = article_search(actor=SYSTEM, q="过罚相当")
    hit = results[0:1][0]
    assert results.notes == ["By term “过罚相当”: 《行政处罚法》第五条第二款"]
    assert hit.via == results.notes[0]
    assert hit.url.endswith("/articles/5/#p2")
    assert str(hit.snippet).startswith("设定和实施行政处罚必须以事实为依据")


@pytest.mark.django_db
def test_the_search_page_and_the_api_show_the_expansion(
    five: dict[str, Law], personas: Any
) -> None:
    from django.utils import translation

    client = personas.client(personas.county_a_officer)
    html = client.get(reverse("laws:search"), {"q": "过罚相当"}).content.decode()
    assert "By term “过罚相当”: 《行政处罚法》第五条第二款" in html
    with translation.override("zh-hans"):
        notes = article_search(actor=SYSTEM, q="过罚相当").notes
    assert notes == ["按术语“过罚相当”匹配到《行政处罚法》第五条第二款"]
    data = client.get("/api/v1/articles/search", {"q": "一事不再罚"}).json()
    assert data["notes"] == ["By term “一事不再罚”: 《行政处罚法》第二十九条"]
    assert data["results"][0]["label"] == "第二十九条"
    assert data["results"][0]["via"] == data["notes"][0]


# ---- article numbers as people type them -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("安全生产法第九十九条", ArticleQuery("安全生产法", 99)),
        ("安全生产法 99条", ArticleQuery("安全生产法", 99)),
        ("行政处罚法第33条", ArticleQuery("行政处罚法", 33)),
        ("安法99", ArticleQuery("安法", 99)),
        ("第九十九条第一款第（一）项", ArticleQuery("", 99, 0, 1, 1)),
        ("《中华人民共和国行政处罚法》第六十三条", ArticleQuery("行政处罚法", 63)),
        ("复议法第63条第2款", ArticleQuery("复议法", 63, 0, 2)),
        ("第十条之一", ArticleQuery("", 10, 1)),
        ("92条", ArticleQuery("", 92)),
        ("安全生产法第九十九条第（三）项", ArticleQuery("安全生产法", 99, 0, None, 3)),
    ],
)
def test_article_numbers_are_read_in_every_form(text: str, expected: ArticleQuery) -> None:
    assert parse_article_query(text) == expected


@pytest.mark.parametrize("text", ["99", "重大事故隐患", "罚款2万元", "第一章", ""])
def test_other_queries_are_not_article_numbers(text: str) -> None:
    assert parse_article_query(text) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected", "fragment"),
    [
        ("安全生产法第九十九条", "安全生产法第九十九条", ""),
        ("安全生产法 99条", "安全生产法第九十九条", ""),
        ("安法99", "安全生产法第九十九条", ""),
        ("行政处罚法第33条", "行政处罚法第三十三条", ""),
        ("处罚法第三十三条第二款", "行政处罚法第三十三条", "#p2"),
        ("安全生产法第九十九条第一款第（一）项", "安全生产法第九十九条", "#p1-i1"),
    ],
)
def test_an_article_number_goes_straight_to_the_article(
    five: dict[str, Law], query: str, expected: str, fragment: str
) -> None:
    results = article_search(actor=SYSTEM, q=query)
    hit = results[0:1][0]
    assert f"{hit.law.short_title}{hit.article.label}" == expected
    if fragment:
        assert hit.url.endswith("/" + fragment)
    else:
        assert "#" not in hit.url
    assert results.notes[0].startswith(f"Article number “{query}”")


@pytest.mark.django_db
def test_an_item_number_quotes_the_item(five: dict[str, Law], personas: Any) -> None:
    law = five["安全生产法"]
    data = (
        personas.client(personas.city_officer)
        .get("/api/v1/articles/search", {"q": "第九十九条第一款第（一）项", "law": law.pk})
        .json()
    )
    first = data["results"][0]
    assert first["label"] == "第九十九条"
    assert first["url"].endswith("#p1-i1")
    # 安全生产法 第九十九条第一款第（一）项
    assert "未在有较大危险因素的生产经营场所" in first["snippet"]
    html = (
        personas.client(personas.city_officer)
        .get(reverse("laws:search"), {"q": "安法99"})
        .content.decode()
    )
    assert f"/laws/{law.pk}/articles/99/" in html
    assert 'data-testid="hit-via"' in html


# ---- headings and ranking ------------------------------------------------------------


@pytest.mark.django_db
def test_a_section_heading_finds_its_articles(five: dict[str, Law]) -> None:
    # 行政强制法 第四章第二节 “金钱给付义务的执行”: 第四十五条 to 第四十九条.
    top = _top("金钱给付义务的执行")
    assert top
    assert all(t.startswith("行政强制法第四") for t in top)
    article = five["行政强制法"].articles.get(number=45)
    assert article.section == "第二节 金钱给付义务的执行"


@pytest.mark.django_db
def test_all_query_words_in_the_first_sentence_rank_first(five: dict[str, Law]) -> None:
    # 安全生产法 第二十一条: “生产经营单位的主要负责人对本单位安全生产工作负有下列职责”
    assert _top("主要负责人 职责", 1) == ["安全生产法第二十一条"]


@pytest.mark.django_db
def test_words_that_never_meet_still_find_the_articles_holding_most_of_them(
    five: dict[str, Law],
) -> None:
    top = _top("代履行 按日连续处罚 听证笔录", 10)
    assert top  # no article holds all three: articles holding any of them come back
    results = article_search(actor=SYSTEM, q="代履行 按日连续处罚 听证笔录")
    assert not results.ranked.capped


# ---- editing the term table -----------------------------------------------------------


@pytest.mark.django_db
def test_the_legal_section_adds_a_term_in_the_ui(five: dict[str, Law], personas: Any) -> None:
    client = personas.client(personas.city_reviewer)
    response = client.post(
        reverse("laws:term_create"),
        {
            "term": "一案双罚",
            "aliases": "单位个人双罚、两罚",
            "note": "",
            "refs": "安全生产法第一百零一条 ｜ 条文对单位及其直接负责的主管人员均处罚款",
        },
    )
    assert response.status_code == 302, response.content.decode()
    term = LawTerm.objects.get(term="一案双罚")
    assert term.aliases == ["单位个人双罚", "两罚"]
    assert term.origin == TermOrigin.EDITED
    assert term.updated_by == personas.city_reviewer
    assert AuditEvent.objects.filter(verb="laws.lawterm.create", object_id=str(term.pk)).exists()
    assert _top("两罚", 1) == ["安全生产法第一百零一条"]
    listing = client.get(reverse("laws:term_list"), {"q": "两罚"}).content.decode()
    assert "一案双罚" in listing
    assert "《安全生产法》第一百零一条" in listing

    edit = reverse("laws:term_edit", args=[term.pk])
    response = client.post(edit, {"term": "一案双罚", "aliases": "", "refs": "刑法第一条 ｜ x"})
    assert response.status_code == 200
    assert "has no “刑法”" in response.content.decode()
    response = client.post(
        edit, {"term": "一案双罚", "aliases": "", "refs": "安全生产法第九十七条"}
    )
    assert "Give the source" in response.content.decode()
    response = client.post(reverse("laws:term_delete", args=[term.pk]))
    assert response.status_code == 302
    assert not LawTerm.objects.filter(pk=term.pk).exists()
    assert AuditEvent.objects.filter(verb="laws.lawterm.delete").count() == 1


@pytest.mark.django_db
def test_officers_read_the_term_table_but_cannot_change_it(
    five: dict[str, Law], personas: Any
) -> None:
    client = personas.client(personas.county_a_officer)
    assert "过罚相当" in client.get(reverse("laws:term_list"), {"q": "过罚"}).content.decode()
    assert client.get(reverse("laws:term_create")).status_code == 404
    term = LawTerm.objects.get(term="过罚相当")
    assert client.post(reverse("laws:term_delete", args=[term.pk])).status_code == 404
    payload = {"term": "x", "refs": [{"citation": "行政处罚法第五条", "source": "s"}]}
    assert (
        client.post("/api/v1/law-terms", payload, content_type="application/json").status_code
        == 403
    )


@pytest.mark.django_db
def test_the_api_edits_terms_with_audit(five: dict[str, Law], personas: Any) -> None:
    api = personas.client(personas.city_reviewer)
    listing = api.get("/api/v1/law-terms", {"q": "罚过相当"}).json()
    assert [t["term"] for t in listing["items"]] == ["过罚相当"]
    payload = {
        "term": "罚款不得重复",
        "aliases": ["不得重复罚款"],
        "refs": [{"citation": "行政处罚法第二十九条", "source": "条文：不得给予两次以上罚款"}],
    }
    created = api.post("/api/v1/law-terms", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    term_id = created.json()["id"]
    assert created.json()["refs"][0]["citation"] == "《行政处罚法》第二十九条"
    payload["refs"] = [{"citation": "行政处罚法第二十九条第九款", "source": "x"}]
    refused = api.put(f"/api/v1/law-terms/{term_id}", payload, content_type="application/json")
    assert refused.status_code == 400
    assert "does not exist" in refused.json()["detail"]
    payload["refs"] = [{"citation": "处罚法第29条", "source": "简称亦可"}]
    updated = api.put(f"/api/v1/law-terms/{term_id}", payload, content_type="application/json")
    assert updated.status_code == 200
    assert AuditEvent.objects.filter(verb="laws.lawterm.update", object_id=str(term_id)).exists()
    assert api.delete(f"/api/v1/law-terms/{term_id}").status_code == 204


def test_term_save_refuses_a_term_without_references(db: None) -> None:
    with pytest.raises(DomainError):
        term_save(actor=SYSTEM, name="空", refs=[])


def test_data_files_are_utf8_tsv_with_headers() -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    for name in ("terms.tsv", "law-abbreviations.tsv", "heading-corrections.tsv"):
        first = (data / name).read_text("utf-8").splitlines()[0]
        assert "\t" in first


@pytest.mark.django_db
def test_a_shipped_term_gains_references_when_their_law_arrives(
    import_law: Callable[..., Law],
) -> None:
    import_law("行政处罚法")
    terms_load_defaults(actor=SYSTEM)
    term = LawTerm.objects.get(term="不停止执行")
    assert [r.citation for r in term.refs.all()] == ["《行政处罚法》第七十三条第一款"]
    import_law("行政复议法")
    assert term in terms_load_defaults(actor=SYSTEM)
    assert [r.citation for r in term.refs.all()] == [
        "《行政处罚法》第七十三条第一款",
        "《行政复议法》第四十二条",
    ]
