"""Clock and discretion rule versions against effective-dates.tsv (issue 12, item 6).

Each rule's current version must begin on the date its limit first applied
in the current text — the law's 施行日期 from the table, or the original date
the table's note gives where an amendment kept the limit — and each earlier
version must end the day before the next one begins.
"""

from __future__ import annotations

import datetime
import itertools
import re

import pytest

from fazhi.core.models import ClockRule
from fazhi.discretion.seed import load
from fazhi.laws.shipped import shipped_dates

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.django_db

# Rule code prefix → the shipped text whose limits the rules carry.
LAW_FILES = {
    "penalty_": "行政处罚法(2021-01-22).md",
    "license_": "行政许可法(2019-04-23).md",
    "reconsideration_": "行政复议法(2023-09-01).md",
    "litigation_": "行政诉讼法(2017-06-27).md",
    "coercion_": "行政强制法(2011-06-30).md",
}


def allowed_starts(file: str) -> set[D]:
    """The law's effective date and the original dates its note names."""
    row = shipped_dates()[file]
    dates = {row.effective_date}
    dates |= {D.fromisoformat(day) for day in re.findall(r"\d{4}-\d{2}-\d{2}", row.note)}
    return dates


def test_the_table_gives_the_dates_the_versions_use() -> None:
    # 行政处罚法 Art. 86 "本法自2021年7月15日起施行"; 行政复议法 Art. 90 "自2024年1月1日起施行";
    # 行政许可法 Art. 83 (2004-07-01) and 行政诉讼法 (1990-10-01) in the notes.
    assert shipped_dates()["行政处罚法(2021-01-22).md"].effective_date == D(2021, 7, 15)
    assert shipped_dates()["行政复议法(2023-09-01).md"].effective_date == D(2024, 1, 1)
    assert D(2004, 7, 1) in allowed_starts("行政许可法(2019-04-23).md")
    assert D(1990, 10, 1) in allowed_starts("行政诉讼法(2017-06-27).md")


def test_current_clock_rules_start_on_a_date_of_the_table() -> None:
    # 行政诉讼法's six months date from the 2014 amendment's entry into force
    # (2015-05-01), which the table does not list: allowed explicitly.
    extra = {"litigation_": {D(2015, 5, 1)}}
    wrong = []
    for rule in ClockRule.objects.filter(effective_to__isnull=True):
        prefix = next((p for p in LAW_FILES if rule.code.startswith(p)), None)
        if prefix is None:
            continue
        starts = allowed_starts(LAW_FILES[prefix]) | extra.get(prefix, set())
        if rule.effective_from not in starts:
            wrong.append((rule.code, rule.effective_from))
    assert not wrong


def test_earlier_versions_end_the_day_before_the_next() -> None:
    codes = set(ClockRule.objects.exclude(effective_to=None).values_list("code", flat=True))
    assert {"penalty_limitation", "reconsideration_application", "litigation_filing"} <= codes
    for code in codes:
        versions = list(ClockRule.objects.filter(code=code).order_by("effective_from"))
        for before, after in itertools.pairwise(versions):
            assert before.effective_to == after.effective_from - ONE_DAY, code
    old = ClockRule.objects.get(code="penalty_limitation", effective_to__isnull=False)
    # 行政处罚法 (1996), in force 1996-10-01 (its Art. 64), until the 2021 text.
    assert old.effective_from == D(1996, 10, 1)
    assert not old.verified
    old = ClockRule.objects.get(code="reconsideration_application", effective_to__isnull=False)
    assert old.effective_from == D(1999, 10, 1)  # 行政复议法 (1999) Art. 43
    old = ClockRule.objects.get(code="litigation_filing", effective_to__isnull=False)
    assert old.effective_from == D(1990, 10, 1)  # 行政诉讼法 (1989) Art. 75


def test_discretion_rules_follow_the_same_dates() -> None:
    start = shipped_dates()["行政处罚法(2021-01-22).md"].effective_date
    rows = load("rules")
    for code in ("min_age", "adult_age", "limitation_years"):
        versions = sorted(
            (r for r in rows if r["code"] == code), key=lambda r: r["effective_from"]
        )
        assert [v["effective_from"] for v in versions] == [D(1996, 10, 1), start], code
        assert versions[0]["effective_to"] == start - ONE_DAY
    extended = [r for r in rows if r["code"] == "extended_limitation_years"]
    assert [r["effective_from"] for r in extended] == [start]  # new in 2021 (Art. 36 ¶1)
