"""Issue 12, law library: each fix pinned to the words of the article it enforces.

Effective dates from effective-dates.tsv, the 2024 突发事件应对法 superseding
the 2007 text, the repealed 煤矿 special regulation, unmarked chapter
headings, article numbers in full-text search, 款/项 in Chinese numerals.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from fazhi.core.models import AuditEvent
from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.choices import DateConfidence, LawStatus
from fazhi.laws.citations import citation_resolve
from fazhi.laws.models import Article, Law
from fazhi.laws.parser import parse_law
from fazhi.laws.selectors import article_search
from fazhi.laws.services import law_headings_correct, law_import, law_import_paths, law_update
from fazhi.laws.shipped import shipped_dates, shipped_headings
from fazhi.laws.tests.conftest import ALL_FILES, law_file
from fazhi.laws.versions import law_in_force

pytestmark = pytest.mark.django_db


def _article(law: Law, number: int) -> Article:
    return law.articles.get(number=number, suffix=0)


# ---- effective dates -------------------------------------------------------------


def test_the_table_of_effective_dates_covers_every_shipped_file() -> None:
    table = shipped_dates()
    assert {p.name for p in ALL_FILES} == set(table)
    assert {row.confidence for row in table.values()} <= set(DateConfidence.values)


def test_every_shipped_law_gets_the_effective_date_of_the_table() -> None:
    law_import_paths(actor=SYSTEM, paths=ALL_FILES)
    table = shipped_dates()
    assert Law.objects.count() == len(table)
    for law in Law.objects.all():
        row = table[law.source_name]
        assert law.effective_date == row.effective_date, law.source_name
        assert law.effective_date_confidence == row.confidence
        assert law.effective_date_note == row.note
        # Rows of medium or low confidence stay flagged for checking.
        assert law.effective_date_doubtful == (row.confidence != DateConfidence.HIGH)


def test_effective_date_of_the_penalty_law_is_the_one_its_article_86_states(
    import_law: Callable[..., Law],
) -> None:
    law = import_law("行政处罚法")
    # 行政处罚法 第八十六条: “本法自2021年7月15日起施行。”
    assert _article(law, 86).text == "本法自2021年7月15日起施行。"
    assert law.effective_date == datetime.date(2021, 7, 15)  # not the version date 2021-01-22
    assert law.version_date == datetime.date(2021, 1, 22)


def test_effective_dates_of_the_review_and_safety_laws(import_law: Callable[..., Law]) -> None:
    review = import_law("行政复议法")
    # 行政复议法 第九十条: “本法自2024年1月1日起施行。”
    assert _article(review, 90).text == "本法自2024年1月1日起施行。"
    assert review.effective_date == datetime.date(2024, 1, 1)
    safety = import_law("安全生产法")
    # The 2021 amending decision took effect 2021-09-01; 第一百一十九条 still
    # names the original law's date, which must not be taken for this version's.
    assert "2002年11月1日" in _article(safety, 119).text
    assert safety.effective_date == datetime.date(2021, 9, 1)


def test_an_administrator_can_still_correct_a_date_from_the_table(
    import_law: Callable[..., Law], personas: Any
) -> None:
    law = import_law("济宁市烟花爆竹燃放管理条例")
    assert law.effective_date_confidence == DateConfidence.LOW
    assert law.effective_date_doubtful
    law = law_update(actor=personas.admin, law=law, effective_date=datetime.date(2020, 8, 1))
    assert law.effective_date == datetime.date(2020, 8, 1)
    assert not law.effective_date_doubtful
    assert "admin" in law.effective_date_note


def test_a_law_imported_before_the_table_gets_its_date_on_the_next_import(
    import_law: Callable[..., Law],
) -> None:
    law = import_law("行政处罚法")
    Law.objects.filter(pk=law.pk).update(
        effective_date=law.version_date, effective_date_confidence="", effective_date_note=""
    )
    path = law_file("行政处罚法")
    result = law_import(actor=SYSTEM, text=path.read_text("utf-8"), source_name=path.name)
    assert result.outcome == "unchanged"
    law.refresh_from_db()
    assert law.effective_date == datetime.date(2021, 7, 15)
    assert AuditEvent.objects.filter(verb="laws.law.update", object_id=str(law.pk)).exists()


def test_the_law_page_shows_the_date_and_its_confidence(
    import_law: Callable[..., Law], personas: Any
) -> None:
    law = import_law("济宁市烟花爆竹燃放管理条例")
    html = personas.client(personas.city_officer).get(law.get_absolute_url()).content.decode()
    assert "2020-07-25" in html
    assert "Low confidence" in html
    assert "check it" in html


# ---- versions: 突发事件应对法 2024 supersedes 2007 ------------------------------


def test_the_2024_emergency_response_law_supersedes_the_2007_text() -> None:
    law_import_paths(
        actor=SYSTEM,
        paths=[law_file("突发事件应对法"), *[p for p in ALL_FILES if "2024-06-28" in p.name]],
    )
    old = Law.objects.get(work__key="突发事件应对法", version_date=datetime.date(2007, 8, 30))
    new = Law.objects.get(work__key="突发事件应对法", version_date=datetime.date(2024, 6, 28))
    last = new.articles.order_by("-seq").first()
    assert last is not None
    # The 2024 text's last article: “本法自2024年11月1日起施行。”
    assert last.text == "本法自2024年11月1日起施行。"
    assert new.effective_date == datetime.date(2024, 11, 1)
    assert new.status == LawStatus.IN_FORCE
    assert old.status == LawStatus.AMENDED
    assert old.superseded_by == new
    # The 2007 text governs until 2024-10-31, the 2024 text from 2024-11-01.
    assert law_in_force(work=old.work, on=datetime.date(2024, 10, 31)) == old
    assert law_in_force(work=old.work, on=datetime.date(2024, 11, 1)) == new
    assert citation_resolve("突发事件应对法第一条", on=datetime.date(2024, 10, 31)).law == old
    assert citation_resolve("突发事件应对法第一条", on=datetime.date(2024, 11, 1)).law == new


# ---- the repealed 煤矿 special regulation --------------------------------------------


def test_the_coal_mine_special_regulation_is_repealed_by_article_76(personas: Any) -> None:
    law_import_paths(
        actor=SYSTEM,
        paths=[law_file("国务院关于预防煤矿生产安全事故的特别规定"), law_file("煤矿安全生产条例")],
    )
    special = Law.objects.get(work__key="国务院关于预防煤矿生产安全事故的特别规定")
    coal = Law.objects.get(work__key="煤矿安全生产条例")
    article_76 = _article(coal, 76)
    # 煤矿安全生产条例 第七十六条: “本条例自2024年5月1日起施行。《煤矿安全监察条例》和
    # 《国务院关于预防煤矿生产安全事故的特别规定》同时废止。”
    assert "本条例自2024年5月1日起施行" in article_76.text
    assert "《国务院关于预防煤矿生产安全事故的特别规定》同时废止" in article_76.text
    assert special.status == LawStatus.REPEALED
    assert special.repealed_on == datetime.date(2024, 5, 1)
    assert special.repealed_by == article_76
    assert law_in_force(work=special.work, on=datetime.date(2024, 4, 30)) == special
    assert law_in_force(work=special.work, on=datetime.date(2024, 5, 1)) is None
    assert AuditEvent.objects.filter(verb="laws.law.repeal").count() == 1

    html = personas.client(personas.city_officer).get(special.get_absolute_url()).content.decode()
    assert "Repealed from 2024-05-01." in html
    assert article_76.get_absolute_url() in html
    assert "《煤矿安全生产条例》第七十六条" in html
    api = personas.client(personas.city_officer).get(f"/api/v1/laws/{special.pk}").json()
    assert api["status"] == "repealed"
    assert api["repealed_by"] == article_76.pk
    assert api["repealed_by_citation"] == "《煤矿安全生产条例》第七十六条"


def test_repealed_reads_as_yi_fei_zhi_in_chinese() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(LawStatus.REPEALED.label) == "已废止"


# ---- unmarked chapter headings ---------------------------------------------------------


def test_unmarked_headings_are_warned_about_and_not_silently_glued() -> None:
    path = law_file("山东省突发事件应对条例")
    parsed = parse_law(path.read_text("utf-8"), path.name)
    flagged = {w.heading: w.line for w in parsed.warnings if w.heading}
    assert flagged == {
        "监测与预警": 143,
        "应急处置与救援": 179,
        "事后恢复与重建": 225,
        "法律责任": 249,
    }
    other = law_file("山东省突发事件应急保障条例")
    parsed = parse_law(other.read_text("utf-8"), other.name)
    assert [w.heading for w in parsed.warnings if w.heading] == ["规划编制与实施"]
    # No other shipped text has such a line.
    for path in ALL_FILES:
        if "山东省突发事件" in path.name:
            continue
        assert not [w for w in parse_law(path.read_text("utf-8"), path.name).warnings if w.heading]


def test_shipped_corrections_put_the_shandong_articles_under_their_chapters(
    import_law: Callable[..., Law],
) -> None:
    assert set(shipped_headings()) == {
        "山东省突发事件应对条例(2012-05-31).md",
        "山东省突发事件应急保障条例(2020-11-27).md",
    }
    law = import_law("山东省突发事件应对条例")
    # Arts. 28, 34, 42, 50 end where the next chapter's heading line begins.
    for number in (28, 34, 42, 50):
        text = _article(law, number).text
        assert not text.endswith(("监测与预警", "应急处置与救援", "事后恢复与重建", "法律责任"))
    assert _article(law, 28).chapter == "第二章 预防与应急准备"
    assert _article(law, 29).chapter == "第三章 监测与预警"
    assert _article(law, 35).chapter == "第四章 应急处置与救援"
    assert _article(law, 43).chapter == "第五章 事后恢复与重建"
    assert _article(law, 51).chapter == "第六章 法律责任"
    assert law.heading_corrections == sorted(
        ["监测与预警", "应急处置与救援", "事后恢复与重建", "法律责任"]
    )
    guarantee = import_law("山东省突发事件应急保障条例")
    assert _article(guarantee, 9).chapter == "第一章 总则"
    assert _article(guarantee, 10).chapter == "第二章 规划编制与实施"
    assert _article(guarantee, 10).section == "第一节 一般规定"


def test_an_administrator_marks_the_headings_on_the_page(personas: Any) -> None:
    path = law_file("山东省突发事件应急保障条例")
    result = law_import(
        actor=SYSTEM, text=path.read_text("utf-8"), source_name=path.name, headings=[]
    )
    law = result.law
    assert law is not None
    article_9 = _article(law, 9)
    assert article_9.text.endswith("规划编制与实施")  # kept as text, with a warning
    assert any(w.get("heading") == "规划编制与实施" for w in law.import_warnings)
    url = law.get_absolute_url()
    officer_html = personas.client(personas.city_officer).get(url).content.decode()
    assert "规划编制与实施" in officer_html
    assert "looks like a chapter heading" in officer_html
    assert 'data-testid="headings-form"' not in officer_html  # officers only see the warning

    reviewer = personas.client(personas.city_reviewer)
    assert 'data-testid="headings-form"' in reviewer.get(url).content.decode()
    response = reviewer.post(
        reverse("laws:law_headings", args=[law.pk]), {"headings": ["规划编制与实施"]}
    )
    assert response.status_code == 302
    article_9.refresh_from_db()
    assert not article_9.text.endswith("规划编制与实施")
    article_10 = _article(law, 10)
    assert article_10.pk  # same rows: other records cite them
    assert article_10.chapter == "第二章 规划编制与实施"
    assert "规划 编制 与 实施" in article_10.search_text  # the heading is indexed
    law.refresh_from_db()
    assert law.heading_corrections == ["规划编制与实施"]
    assert AuditEvent.objects.filter(verb="laws.law.headings_correct").count() == 1
    assert (
        personas.client(personas.city_officer)
        .post(reverse("laws:law_headings", args=[law.pk]), {"headings": []})
        .status_code
        == 404
    )


def test_the_api_takes_the_heading_correction_and_refuses_other_lines(personas: Any) -> None:
    path = law_file("山东省突发事件应急保障条例")
    law = law_import(
        actor=SYSTEM, text=path.read_text("utf-8"), source_name=path.name, headings=[]
    ).law
    assert law is not None
    api = personas.client(personas.city_reviewer)
    url = f"/api/v1/laws/{law.pk}/headings"
    bad = api.post(url, {"headings": ["总则"]}, content_type="application/json")
    assert bad.status_code == 400
    good = api.post(url, {"headings": ["规划编制与实施"]}, content_type="application/json")
    assert good.status_code == 200
    assert good.json()["heading_corrections"] == ["规划编制与实施"]
    officer = personas.client(personas.city_officer)
    assert officer.post(url, {"headings": []}, content_type="application/json").status_code == 403
    with pytest.raises(Exception, match="not found as possible headings"):
        law_headings_correct(actor=SYSTEM, law=law, headings=["第一章"])


# ---- article numbers in full-text search; 款/项 in Chinese numerals ----------------------


@pytest.mark.parametrize("query", ["第九十二条", "92条", "安全生产法第九十二条"])
def test_an_article_number_finds_the_article(import_law: Callable[..., Law], query: str) -> None:
    law = import_law("安全生产法")
    import_law("行政处罚法")  # has no 第九十二条
    # 安全生产法 第九十二条 starts: “承担安全评价、认证、检测、检验职责的机构出具失实报告的……”
    article = _article(law, 92)
    assert article.text.startswith("承担安全评价、认证、检测、检验职责的机构出具失实报告的")
    results = article_search(actor=SYSTEM, q=query)
    assert results[0:1][0].article == article


def test_citations_print_paragraphs_and_items_in_chinese_numerals(
    import_law: Callable[..., Law], personas: Any
) -> None:
    import_law("安全生产法")
    client = personas.client(personas.city_officer)
    html = client.get(
        reverse("laws:cite"),
        {"text": "安全生产法第九十四条第一款；安全生产法第九十九条第（一）项"},
    ).content.decode()
    # 安全生产法 第九十四条第一款: “生产经营单位的主要负责人未履行本法规定的安全生产管理职责的……”
    assert "第九十四条第一款" in html
    assert "第九十九条第（一）项" in html
    assert "第1款" not in html
    assert "paragraph 1" not in html
    citation = citation_resolve("《安全生产法》第九十四条第九款")
    assert "第九款" in citation.reason
    assert citation_resolve("安全生产法第九十四条第一款").paragraph_label == "第一款"
