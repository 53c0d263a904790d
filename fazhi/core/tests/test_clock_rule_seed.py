"""The seeded clock rules against the words of the shipped law texts (issue 12)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from fazhi.core.clock_forms import duration_text, law_of, rule_choices
from fazhi.core.clock_rules import clock_rule_get

D = datetime.date
LAWS = Path(__file__).resolve().parents[2] / "laws" / "data" / "laws"

pytestmark = pytest.mark.django_db


def law_text(name: str) -> str:
    return (LAWS / name).read_text(encoding="utf-8")


def test_seizure_periods_pause_for_testing_and_appraisal() -> None:
    # 行政强制法 Art. 25 ¶3.
    words = "查封、扣押的期间不包括检测、检验、检疫或者技术鉴定的期间"
    assert words in law_text("行政强制法(2011-06-30).md")
    for code in ("coercion_seizure", "coercion_seizure_extension"):
        rule = clock_rule_get(code, on=D(2025, 6, 1))
        assert rule.pausable, code
        assert words in rule.notes
        assert "书面告知当事人" in rule.notes


def test_license_hearing_request_is_the_applicants_period_and_unverified() -> None:
    text = law_text("行政许可法(2019-04-23).md")
    # Art. 47: the applicant's five days; Art. 82: only the agency's limits are working days.
    assert "申请人、利害关系人在被告知听证权利之日起五日内提出听证申请" in text
    assert "本法规定的行政机关实施行政许可的期限以工作日计算" in text
    rule = clock_rule_get("license_hearing_request", on=D(2025, 6, 1))
    assert not rule.verified
    assert "第八十二条" in rule.notes
    assert "各省" in rule.notes
    assert "第四十七条" in rule.source


def test_cash_handover_cites_article_71() -> None:
    text = law_text("行政处罚法(2021-01-22).md")
    assert "第七十一条 执法人员当场收缴的罚款，应当自收缴罚款之日起二日内，交至行政机关" in text
    rule = clock_rule_get("penalty_cash_handover", on=D(2025, 6, 1))
    assert "第七十一条" in rule.source
    assert "第六十八条" not in rule.source


def test_license_limits_apply_from_2004() -> None:
    # 行政许可法 Art. 83: 本法自2004年7月1日起施行; the 2019 amendment kept the limits.
    assert "本法自2004年7月1日起施行" in law_text("行政许可法(2019-04-23).md")
    for code in ("license_decision", "license_hearing_notice", "license_correction_notice"):
        rule = clock_rule_get(code, on=D(2010, 3, 1))
        assert rule.effective_from == D(2004, 7, 1), code
        assert rule.verified or code == "license_hearing_request"


def test_penalty_limits_before_2021_are_earlier_versions() -> None:
    # 行政处罚法 (2021) Art. 85 made 二日、三日、五日、七日 working days and Art. 64(1)
    # gives five days to ask for a hearing; a case begun in 2020 finds the 1996 rule.
    text = law_text("行政处罚法(2021-01-22).md")
    assert "本法中“二日”“三日”“五日”“七日”的规定是指工作日" in text
    assert "当事人要求听证的，应当在行政机关告知后五日内提出" in text
    old = clock_rule_get("penalty_hearing_request", on=D(2020, 5, 1))
    assert (old.length, old.unit, old.verified) == (3, "calendar", False)
    assert old.effective_to == D(2021, 7, 14)
    new = clock_rule_get("penalty_hearing_request", on=D(2021, 7, 15))
    assert (new.length, new.unit) == (5, "workday")
    limitation = clock_rule_get("penalty_limitation", on=D(2015, 1, 1))
    assert (limitation.length, limitation.unit) == (2, "year")
    assert "第二十九条" in limitation.source


def test_litigation_limit_changed_in_2015() -> None:
    assert "应当自知道或者应当知道作出行政行为之日起六个月内提出" in law_text(
        "行政诉讼法(2017-06-27).md"
    )
    assert clock_rule_get("litigation_filing", on=D(2016, 1, 1)).length == 6
    old = clock_rule_get("litigation_filing", on=D(2014, 1, 1))
    assert (old.length, old.unit, old.verified) == (3, "month", False)


def test_lengths_read_as_a_chinese_reader_writes_them() -> None:
    with translation.override("zh-hans"):
        assert duration_text(20, "workday") == "20个工作日"
        assert duration_text(3, "month") == "3个月"
        assert duration_text(30, "calendar") == "30日"
        assert duration_text(2, "year") == "2年"
    with translation.override("en"):
        assert duration_text(1, "workday") == "1 working day"


def test_rule_choices_are_grouped_by_law_sorted_and_listed_once() -> None:
    groups = rule_choices()
    laws = [law for law, _options in groups]
    assert laws == sorted(laws)
    assert "《行政处罚法》" in laws
    assert "《行政许可法》" in laws
    codes = [code for _law, options in groups for code, _label in options]
    assert len(codes) == len(set(codes))
    by_law = dict(groups)
    notice = [label for _c, label in by_law["《行政处罚法》"] if label.startswith("听证通知")]
    assert len(notice) == 1
    assert law_of("国办发〔2018〕118号") == "国办发〔2018〕118号"


def test_rule_list_page_groups_by_law_in_chinese(personas) -> None:
    client = personas.client(personas.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("core:clockrule_list")).content.decode()
    assert page.count('data-testid="rule-law"') == len(rule_choices())
    assert "20个工作日" in page
    assert "3个月" in page
    assert "Working days" not in page
    penalty = page.split("《行政处罚法》</th>")[1].split('data-testid="rule-law"')[0]
    # One rule, two versions: the name once, the 1996 version beneath it.
    assert penalty.count("听证通知（最早可举行听证之日") == 1
    assert penalty.count('<code class="small">penalty_hearing_notice</code>') == 1
    assert "《行政处罚法》（1996）第四十二条第一款第（二）项" in penalty
    assert "较早版本" in penalty
