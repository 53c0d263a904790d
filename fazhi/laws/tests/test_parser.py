"""The parser over every shipped law file, and over texts built to break it."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fazhi.laws.choices import LawLevel
from fazhi.laws.numerals import article_label, cn_to_int, int_to_cn, parse_anchor
from fazhi.laws.parser import compact, parse_law, work_key
from fazhi.laws.tests.conftest import ALL_FILES, law_file

# Independent of the parser: a line that starts an article is 第X条 (or 第X条之Y)
# followed by a blank.
ARTICLE_LINE = re.compile(
    r"^第[零〇一二三四五六七八九十百千]+条(之[一二三四五六七八九十]+)?[ \u3000]"
)
ITEM_LINE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
SUBITEM_LINE = re.compile(r"^\d+[．.]")


def _body(path: Path) -> list[str]:
    lines = path.read_text("utf-8").split("\n")
    return lines[lines.index("<!-- INFO END -->") + 1 :]


def test_every_shipped_file_is_there() -> None:
    assert len(ALL_FILES) == 50


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_every_file_parses_without_errors(path: Path) -> None:
    parsed = parse_law(path.read_text("utf-8"), path.name)
    assert parsed.errors == []
    assert parsed.title
    assert parsed.version_date is not None
    assert parsed.effective_date is not None


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_article_count_matches_the_headings_in_the_body(path: Path) -> None:
    expected = [line for line in _body(path) if ARTICLE_LINE.match(line)]
    parsed = parse_law(path.read_text("utf-8"), path.name)
    assert len(parsed.articles) == len(expected)
    assert [a.label for a in parsed.articles] == [
        re.match(r"^(第\S+?条(之\S+?)?)[ \u3000]", line).group(1)  # type: ignore[union-attr]
        for line in expected
    ]


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_chapters_and_sections_are_nested(path: Path) -> None:
    expected = []
    chapter = section = ""
    for line in _body(path):
        if line.startswith("#"):
            heading = compact(line.lstrip("#"))
            if "章" in heading[:6]:
                chapter, section = heading, ""
            elif "节" in heading[:6]:
                section = heading
        elif ARTICLE_LINE.match(line):
            expected.append((chapter, section))
    parsed = parse_law(path.read_text("utf-8"), path.name)
    assert [(compact(a.chapter), compact(a.section)) for a in parsed.articles] == expected
    for article in parsed.articles:
        if article.section:
            assert article.chapter, article.label


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_items_and_subitems_are_all_parsed(path: Path) -> None:
    body = _body(path)
    parsed = parse_law(path.read_text("utf-8"), path.name)
    items = [i for a in parsed.articles for p in a.paragraphs for i in p.items]
    assert len(items) == sum(1 for line in body if ITEM_LINE.match(line))
    subitems = [s for i in items for s in i.subitems]
    assert len(subitems) == sum(1 for line in body if SUBITEM_LINE.match(line))


def test_safety_law_structure() -> None:
    parsed = parse_law(law_file("安全生产法").read_text("utf-8"), "安全生产法(2021-06-10).md")
    assert parsed.title == "中华人民共和国安全生产法"
    assert parsed.short_title == "安全生产法"
    assert parsed.level == LawLevel.LAW
    assert parsed.issuer == "全国人民代表大会常务委员会"
    assert parsed.version_date == datetime.date(2021, 6, 10)
    assert len(parsed.history) == 4
    article = next(a for a in parsed.articles if a.label == "第九十九条")
    assert article.chapter == "第六章 法律责任"
    assert [i.label for i in article.paragraphs[0].items][:2] == ["（一）", "（二）"]
    assert article.paragraphs[0].items[0].text.startswith("未在有较大危险因素")
    article_3 = next(a for a in parsed.articles if a.label == "第三条")
    assert len(article_3.paragraphs) == 3


def test_administrative_procedure_law_has_sections_inside_chapters() -> None:
    parsed = parse_law(law_file("行政处罚法").read_text("utf-8"), "行政处罚法(2021-01-22).md")
    sections = {(a.chapter, a.section) for a in parsed.articles if a.section}
    assert ("第五章 行政处罚的决定", "第一节 一般规定") in sections
    assert ("第五章 行政处罚的决定", "第二节 简易程序") in sections


@pytest.mark.parametrize(
    ("short", "level", "region"),
    [
        ("危险化学品安全管理条例", LawLevel.ADMINISTRATIVE_REGULATION, ""),
        ("国务院关于特大安全事故行政责任追究的规定", LawLevel.ADMINISTRATIVE_REGULATION, ""),
        ("山东省安全生产条例", LawLevel.LOCAL_REGULATION, "山东省"),
        ("济宁市烟花爆竹燃放管理条例", LawLevel.LOCAL_REGULATION, "济宁市"),
        ("行政处罚法", LawLevel.LAW, ""),
        ("矿山安全法实施条例", LawLevel.ADMINISTRATIVE_REGULATION, ""),
        ("公平竞争审查条例", LawLevel.ADMINISTRATIVE_REGULATION, ""),
    ],
)
def test_level_is_inferred_from_title_and_issuer(short: str, level: str, region: str) -> None:
    path = law_file(short)
    parsed = parse_law(path.read_text("utf-8"), path.name)
    assert parsed.level == level
    assert parsed.region == region


def test_level_inference_for_rules_and_documents() -> None:
    rule = parse_law(
        "# 山东省生产经营单位安全生产主体责任规定\n\n"
        "2013年2月2日 山东省人民政府令第260号公布\n\n<!-- INFO END -->\n\n第一条 目的。\n"
    )
    assert rule.level == LawLevel.LOCAL_GOVERNMENT_RULE
    assert rule.issuer == "山东省人民政府"
    ministry = parse_law(
        "# 安全生产违法行为行政处罚办法\n\n2025年11月27日 应急管理部令第18号公布\n\n"
        "2026年2月1日 施行\n\n<!-- INFO END -->\n\n第一条 目的。\n"
    )
    assert ministry.level == LawLevel.DEPARTMENTAL_RULE
    assert ministry.issuer == "应急管理部"
    assert ministry.effective_date == datetime.date(2026, 2, 1)
    assert ministry.effective_date_stated
    notice = parse_law(
        "# 关于进一步加强安全生产工作的意见\n\n<!-- INFO END -->\n\n第一条 内容。\n",
        "x(2020-01-01).md",
    )
    assert notice.level == LawLevel.NORMATIVE_DOCUMENT


def test_dates_come_from_the_file_name_and_the_header() -> None:
    path = law_file("政府信息公开条例")
    parsed = parse_law(path.read_text("utf-8"), path.name)
    assert parsed.version_date == datetime.date(2019, 4, 3)
    assert parsed.effective_date == datetime.date(2019, 5, 15)
    assert parsed.effective_date_stated
    assert parsed.document_number == "国务院令第711号"
    no_name = parse_law(path.read_text("utf-8"), "upload.md")
    assert no_name.version_date == datetime.date(2019, 4, 3)  # the latest header date


def test_missing_effective_date_is_a_warning_not_an_error() -> None:
    path = law_file("安全生产法")
    parsed = parse_law(path.read_text("utf-8"), path.name)
    assert parsed.effective_date == parsed.version_date
    assert not parsed.effective_date_stated
    assert any("effective" in w.message for w in parsed.warnings)


def test_gap_in_article_numbers_is_reported_with_its_line() -> None:
    path = law_file("山东省突发事件应对条例")
    parsed = parse_law(path.read_text("utf-8"), path.name)
    gaps = [w for w in parsed.warnings if "第十三条" in w.message]
    assert gaps
    assert gaps[0].line == 49


def test_article_with_zhi_yi_label_and_parts() -> None:
    text = """# 示例法

2020年1月1日 通过

<!-- INFO END -->

## 第一编 总则

## 第一章 一般规定

第一条 为了示例，制定本法。

第十条 原有条文。

第十条之一 新增条文。

第十条之二 再增条文：
（一）第一项；
（二）第二项。

### 第一节 细则

第十一条 细则条文。

## 第二编 分则

## 第一章 具体规定

第十二条 分则条文。

第二款内容。
"""
    parsed = parse_law(text, "示例法(2020-01-01).md")
    assert parsed.errors == []
    labels = [a.label for a in parsed.articles]
    assert labels == ["第一条", "第十条", "第十条之一", "第十条之二", "第十一条", "第十二条"]
    zhi_yi = parsed.articles[2]
    assert (zhi_yi.number, zhi_yi.suffix) == (10, 1)
    assert zhi_yi.part == "第一编 总则"
    assert [i.text for i in parsed.articles[3].paragraphs[0].items] == ["第一项；", "第二项。"]
    assert parsed.articles[4].section == "第一节 细则"
    last = parsed.articles[5]
    assert (last.part, last.chapter, last.section) == ("第二编 分则", "第一章 具体规定", "")
    assert [p.text for p in last.paragraphs] == ["分则条文。", "第二款内容。"]
    # The gap from 第一条 to 第十条 is a warning, 之一 after 第十条 is not.
    assert [w.line for w in parsed.warnings if "missing" in w.message] == [13]


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("这段文字不属于任何条文。\n\n第一条 内容。\n", 5, "outside any article"),
        ("第一条 内容。\n\n#### 附件一\n", 7, "Unrecognized heading"),
        ("第一条 内容。\n\n第一条 又一次。\n", 7, "appears twice"),
        ("第二条 内容。\n\n第一条 倒序。\n", 7, "out of order"),
        ("第一条\n\n## 第二章 空\n", 5, "has no text"),
        ("", 4, "No articles"),
    ],
)
def test_what_cannot_be_placed_is_reported_with_its_line(
    body: str, line: int, fragment: str
) -> None:
    parsed = parse_law("# 示例条例\n\n<!-- INFO END -->\n\n" + body, "示例条例(2020-01-01).md")
    assert parsed.errors, body
    assert parsed.errors[0].line == line
    assert fragment in parsed.errors[0].message


def test_a_file_without_title_or_date_fails() -> None:
    assert parse_law("第一条 内容。\n", "x.md").errors[0].line == 1
    parsed = parse_law("# 示例条例\n\n<!-- INFO END -->\n\n第一条 内容。\n", "no-date.md")
    assert any("version date" in e.message for e in parsed.errors)


def test_title_repeated_above_the_body_and_invisible_characters_are_tolerated() -> None:
    path = law_file("全国人民代表大会和地方各级人民代表大会代表法")
    assert parse_law(path.read_text("utf-8"), path.name).errors == []
    text = "\ufeff# 示例条例\r\n\r\n<!-- INFO END -->\r\n\u200b\r\n第一条\u3000内容。\r\n"
    parsed = parse_law(text, "示例条例(2020-01-01).md")
    assert parsed.errors == []
    assert parsed.articles[0].paragraphs[0].text == "内容。"


def test_work_key_ignores_prefix_spaces_and_brackets() -> None:
    assert work_key("中华人民共和国 安全生产法") == "安全生产法"
    assert work_key("《安全生产法》") == "安全生产法"


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numerals_round_trip(value: int) -> None:
    assert cn_to_int(int_to_cn(value)) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1, "一"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (101, "一百零一"),
        (110, "一百一十"),
        (119, "一百一十九"),
        (1005, "一千零五"),
    ],
)
def test_chinese_numerals_are_written_as_in_laws(value: int, text: str) -> None:
    assert int_to_cn(value) == text


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=9))
def test_article_labels_and_anchors_round_trip(number: int, suffix: int) -> None:
    assert parse_anchor(article_label(number, suffix)) == (number, suffix)
    assert parse_anchor(f"{number}-{suffix}" if suffix else str(number)) == (number, suffix)


@pytest.mark.parametrize("anchor", ["", "abc", "第条", "1-x", "第十条之", "第十条x"])
def test_bad_anchors_are_refused(anchor: str) -> None:
    assert parse_anchor(anchor) is None
