"""Issue 12's remainder: each test quotes the article it enforces."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fazhi.core.errors import DomainError
from fazhi.core.tests.factories import SYSTEM
from fazhi.discretion.choices import ExtraMeasure, FineMeasure, Stage
from fazhi.discretion.engine import Facts, calculate
from fazhi.discretion.grounds import ART_31, ART_33_2, ART_37, LIMITED_CAPACITY
from fazhi.discretion.models import Baseline, BaselineAdoption, DiscretionEntry
from fazhi.discretion.ranges import Range, condition_words
from fazhi.discretion.seed import NATIONAL, load, seed_entries
from fazhi.discretion.tests.test_calculator import RULEBOOK

LAWS = Path(__file__).resolve().parents[2] / "laws" / "data" / "laws"
AQ = (LAWS / "安全生产法(2021-06-10).md").read_text(encoding="utf-8")
PENALTY = (LAWS / "行政处罚法(2021-01-22).md").read_text(encoding="utf-8")
ENTRIES = {entry.code: entry for entry in seed_entries(NATIONAL)}
D = datetime.date


# --- 1. money and conditions as a legal section writes them ----------------------


def test_ranges_are_written_in_wan_yuan_with_yishang_yixia() -> None:
    # 以上/以下 含本数: "处五万元以下的罚款", "处十万元以上二十万元以下的罚款".
    assert "处五万元以下的罚款" in AQ
    assert Range(Decimal(0), True, Decimal(15000), True, has_minimum=False).label() == (
        "1.5万元以下"
    )
    assert Range(Decimal(155000), True, Decimal(200000), True).label() == "15.5万元以上20万元以下"
    assert Range(Decimal(0), True, Decimal(50000), False, has_minimum=False).label() == "不满5万元"
    percent = Range(Decimal(20), True, Decimal(50), True, FineMeasure.INCOME_PERCENT)
    assert percent.label() == "上一年年收入20%以上50%以下"
    assert Range(Decimal(2000), True, Decimal(2000), True).label() == "2000元"


def test_tier_conditions_and_trace_are_in_words() -> None:
    assert condition_words(
        "未设置明显安全警示标志的场所、设施、设备（处）", Decimal(1), True, Decimal(1), True
    ) == ("未设置明显安全警示标志的场所、设施、设备1处")
    assert condition_words("报告失实的内容（项）", Decimal(3), True, Decimal(5), False) == (
        "报告失实的内容3项以上不满5项"
    )
    result = calculate(ENTRIES["AQ099-01"], Facts(), RULEBOOK)
    text = " ".join(f"{s.detail}" for s in result.trace)
    assert "¥" not in text
    assert "≤" not in text
    assert "5万元以下" in text


def test_the_band_note_is_translated(personas, seeded) -> None:
    from django.conf import settings

    client = personas.client(personas.county_a_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__document_number=NATIONAL)
    page = client.get(
        "/discretion/calculate/",
        {"entry": entry.pk, "target": "unit", "stage": "initial", "harm": "general"},
    ).content.decode()
    assert 'data-testid="calculation"' in page
    assert "5万元以下" in page
    assert "of the range" not in page
    assert "x ≤" not in page


# --- 2. measure kinds -------------------------------------------------------------


def test_multiple_of_gains_with_the_small_gains_alternative() -> None:
    # Art. 92 ¶2: "违法所得在十万元以上的，并处违法所得二倍以上五倍以下的罚款，没有违法所得或者
    # 违法所得不足十万元的，单处或者并处十万元以上二十万元以下的罚款".
    assert (
        "违法所得在十万元以上的，并处违法所得二倍以上五倍以下的罚款，没有违法所得或者违法所得不足十万元的，单处或者并处十万元以上二十万元以下的罚款"
        in AQ
    )
    for code in ("AQ092-02", "AQ103-K1", "AQ103-K3"):
        entry = ENTRIES[code]
        unit = entry.range_for("unit", "initial")
        assert unit is not None
        assert unit.measure == FineMeasure.GAINS_MULTIPLE
        assert (unit.min_amount, unit.max_amount) == (2, 5)
        assert (unit.gains_threshold, unit.alternative_min, unit.alternative_max) == (
            100000,
            100000,
            200000,
        )
    entry = ENTRIES["AQ092-02"]
    with pytest.raises(DomainError) as missing:
        calculate(entry, Facts(), RULEBOOK)
    assert missing.value.field == "gains"
    big = calculate(entry, Facts(gains=Decimal(200000)), RULEBOOK)
    assert big.base_range is not None
    assert big.base_range.label() == "违法所得2倍以上5倍以下"
    assert big.amount_range is not None
    # The standard band (30%–70%) of 2–5 times is 2.9–4.1 times 20万元.
    assert big.amount_range.label() == "58万元以上82万元以下"
    small = calculate(entry, Facts(gains=Decimal(50000)), RULEBOOK)
    assert small.base_range is not None
    assert small.base_range.label() == "10万元以上20万元以下"
    assert ExtraMeasure.CONFISCATE_GAINS in small.measures
    assert ExtraMeasure.BAN_FIVE_YEARS in small.measures


def test_income_share_of_art_110_2() -> None:
    # Art. 110 ¶2: "主要负责人对生产安全事故隐瞒不报、谎报或者迟报的，依照前款规定处罚".
    assert "生产经营单位的主要负责人对生产安全事故隐瞒不报、谎报或者迟报的，依照前款规定处罚" in AQ
    rng = ENTRIES["AQ110-K2"].range_for("principal", "initial")
    assert rng is not None
    assert rng.measure == FineMeasure.INCOME_PERCENT
    assert (rng.min_amount, rng.max_amount) == (60, 100)


def test_multiple_of_another_fine_art_114_2() -> None:
    # Art. 114 ¶2: "情节特别严重、影响特别恶劣的，应急管理部门可以按照前款罚款数额的
    # 二倍以上五倍以下对负有责任的生产经营单位处以罚款".
    assert "可以按照前款罚款数额的二倍以上五倍以下对负有责任的生产经营单位处以罚款" in AQ
    entry = ENTRIES["AQ114"]
    result = calculate(entry, Facts(stage=Stage.EXTREME, tier=1), RULEBOOK)
    assert result.statutory_range is not None
    assert result.statutory_range.label() == "原罚款数额2倍以上5倍以下"
    assert result.amount_range is not None
    # 一般事故 30万元以上100万元以下, times the standard band of 2–5 (2.9–4.1).
    assert result.amount_range.lower == Decimal("870000.00")
    assert result.amount_range.upper == Decimal("4100000.00")
    known = calculate(
        entry, Facts(stage=Stage.EXTREME, tier=1, base_fine=Decimal(500000)), RULEBOOK
    )
    assert known.amount_range is not None
    assert known.amount_range.label() == "145万元以上205万元以下"
    # The multiple is ¶2's: the trace cites ¶2 for the range and its conversion, not ¶1.
    art_114_2 = "《中华人民共和国安全生产法》第一百一十四条第二款"
    statutory = next(step for step in result.trace if "2倍以上5倍以下" in step.detail)
    assert statutory.article == art_114_2
    assert result.trace[-1].detail == "87万元以上410万元以下"
    assert result.trace[-1].article == art_114_2


def test_daily_fine_of_art_112() -> None:
    # Art. 112: "可以自作出责令改正之日的次日起，按照原处罚数额按日连续处罚".
    assert "可以自作出责令改正之日的次日起，按照原处罚数额按日连续处罚" in AQ
    entry = ENTRIES["AQ112"]
    facts = Facts(stage=Stage.REFUSED, base_fine=Decimal(20000), ordered_on=D(2026, 5, 20))
    result = calculate(entry, facts, RULEBOOK)  # the rule book's day is 2026-06-01
    assert result.amount_range is not None
    assert result.amount_range.lower == Decimal(20000 * 12)
    assert "2026年5月21日" in result.trace[-1].detail
    assert not result.discretion_applies


def test_bans_and_closure_arts_92_94_113() -> None:
    # Art. 92 ¶3 "五年内不得从事…；情节严重的，实行终身行业和职业禁入"; Art. 94 ¶3; Art. 113.
    assert (
        "五年内不得从事安全评价、认证、检测、检验等工作；情节严重的，实行终身行业和职业禁入" in AQ
    )
    assert "终身不得担任本行业生产经营单位的主要负责人" in AQ
    assert "应当提请地方人民政府予以关闭，有关部门应当依法吊销其有关证照" in AQ
    serious = calculate(ENTRIES["AQ092-02"], Facts(stage=Stage.SERIOUS), RULEBOOK)
    assert serious.range is None
    assert ("unit", ExtraMeasure.LIFETIME_BAN) in serious.other_measures
    closure = calculate(ENTRIES["AQ113"], Facts(), RULEBOOK)
    assert ("unit", ExtraMeasure.REQUEST_CLOSURE) in closure.other_measures
    principal = calculate(ENTRIES["AQ113"], Facts(target="principal"), RULEBOOK)
    assert any("五年内不得担任" in label for label in principal.measure_labels)
    accident = calculate(
        ENTRIES["AQ094-01"], Facts(target="principal", stage="accident"), RULEBOOK
    )
    assert ("principal", ExtraMeasure.LIFETIME_BAN) in accident.other_measures


@pytest.mark.parametrize(
    ("code", "measure"),
    [
        ("AQ103-K2", "suspend_production"),
        ("AQ104", "stop_production"),
        ("AQ105-01", "suspend_production"),
    ],
)
def test_not_corrected_stage_gives_its_measure(code: str, measure: str) -> None:
    # Arts. 103 ¶2, 105: "逾期未改正的，责令停产停业整顿"; Art. 104: "逾期未改正的，责令停产停业".
    assert "逾期未改正的，责令停产停业。" in AQ
    result = calculate(ENTRIES[code], Facts(stage=Stage.UNCORRECTED), RULEBOOK)
    assert result.range is None
    assert result.other_measures == [("unit", measure)]


# --- 3. 行政处罚法 Arts. 30–37 -------------------------------------------------------


def test_art_31_partial_incapacity_is_offered_not_applied() -> None:
    # Art. 31: "尚未完全丧失辨认或者控制自己行为能力的精神病人、智力残疾人有违法行为的，
    # 可以从轻或者减轻行政处罚".
    assert "可以从轻或者减轻行政处罚" in PENALTY
    entry = ENTRIES["AQ099-01"]
    offered = calculate(entry, Facts(limited_capacity=True), RULEBOOK)
    assert offered.decision_class == "standard"
    assert [(g.code, g.applied, g.article) for g in offered.offered] == [
        (LIMITED_CAPACITY, False, ART_31)
    ]
    applied = calculate(
        entry,
        Facts(limited_capacity=True, apply_grounds=frozenset({LIMITED_CAPACITY})),
        RULEBOOK,
    )
    assert applied.decision_class == "lenient"


def test_art_33_2_another_law_provides_otherwise() -> None:
    # Art. 33 ¶2: "当事人有证据足以证明没有主观过错的，不予行政处罚。
    # 法律、行政法规另有规定的，从其规定。"
    assert "法律、行政法规另有规定的，从其规定" in PENALTY
    entry = ENTRIES["AQ099-01"]
    assert calculate(entry, Facts(no_fault=True), RULEBOOK).decision_class == "no_penalty"
    entry.no_fault_exception = "《某法》第十条"
    try:
        result = calculate(entry, Facts(no_fault=True), RULEBOOK)
    finally:
        entry.no_fault_exception = ""
    assert result.decision_class == "standard"
    assert any(
        step.article == "《某法》第十条" and ART_33_2 in step.detail for step in result.trace
    )


def _version(personas: Any, max_amount: int, start: D, end: D | None) -> DiscretionEntry:
    from fazhi.discretion import services

    entry = (
        DiscretionEntry.objects.filter(code="AQ099-01", baseline__document_number=NATIONAL)
        .order_by("-effective_from")
        .first()
    )
    assert entry is not None
    data = seed_entries(NATIONAL)
    new = next(e for e in data if e.code == "AQ099-01")
    new.effective_from, new.effective_to = start, end
    new.baseline_id = entry.baseline_id
    for rng in new.ranges:
        if rng.stage == "initial":
            rng.max_amount = Decimal(max_amount)
    return services.discretion_entry_revise(actor=SYSTEM, entry=entry, data=new)


def test_art_37_old_law_unless_the_new_is_lighter(personas, seeded) -> None:
    # Art. 37: "实施行政处罚，适用违法行为发生时的法律、法规、规章的规定。但是，
    # 作出行政处罚决定时，法律、法规、规章已被修改或者废止，且新的规定处罚较轻或者
    # 不认为是违法的，适用新的规定。"
    assert "适用违法行为发生时的法律、法规、规章的规定" in PENALTY
    from fazhi.discretion.services import discretion_calculate

    heavier = _version(personas, 80000, D(2026, 1, 1), None)  # the new version punishes more
    facts = Facts(act_on=D(2025, 6, 1))
    result = discretion_calculate(
        actor=SYSTEM, agency=personas.county_a, facts=facts, on=D(2026, 6, 1), entry=heavier
    )
    assert result.statutory_range is not None
    assert result.statutory_range.upper == Decimal(50000)  # the old one
    assert result.trace[-1].article == ART_37
    assert result.entry_id != heavier.pk
    lighter = _version(personas, 30000, D(2026, 3, 1), None)
    result = discretion_calculate(
        actor=SYSTEM, agency=personas.county_a, facts=facts, on=D(2026, 6, 1), entry=lighter
    )
    assert result.statutory_range is not None
    assert result.statutory_range.upper == Decimal(30000)
    assert "lighter" in result.trace[-1].rule


def test_unverified_circumstances_are_labelled_in_the_calculator(personas, seeded) -> None:
    client = personas.client(personas.county_a_officer)
    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__document_number=NATIONAL)
    page = client.get("/discretion/calculate/", {"entry": entry.pk}).content.decode()
    assert "一年内因同一种违法行为受到两次以上行政处罚 (unverified source)" in page


def test_1996_rules_cover_older_acts() -> None:
    # 行政处罚法 (1996) Art. 29: "违法行为在二年内未被发现的，不再给予行政处罚" — in force
    # 1996-10-01 until the 2021 text (2021-07-15, Art. 86).
    assert "本法自2021年7月15日起施行" in PENALTY
    rows = [r for r in load("rules") if r["code"] == "limitation_years"]
    old = next(r for r in rows if r["effective_from"] == D(1996, 10, 1))
    assert old["effective_to"] == D(2021, 7, 14)
    assert old["verified"] is False
    assert not any(
        r["code"] == "extended_limitation_years" and r["effective_from"] < D(2021, 7, 15)
        for r in load("rules")
    )


# --- 4. adopting and withdrawing baselines --------------------------------------------


def test_legal_section_adopts_and_withdraws_in_the_page(personas, seeded) -> None:
    client = personas.client(personas.city_reviewer)
    national = Baseline.objects.get(document_number=NATIONAL)
    page = client.get("/discretion/baselines/").content.decode()
    assert national.citation in page
    adoption = BaselineAdoption.objects.get(agency=personas.city, baseline=national)
    response = client.post(f"/discretion/baselines/adoptions/{adoption.pk}/withdraw/")
    assert response.status_code == 302
    assert not BaselineAdoption.objects.filter(pk=adoption.pk).exists()
    response = client.post(
        "/discretion/baselines/", {"baseline": national.pk, "adopted_on": "2024-11-01"}
    )
    assert response.status_code == 302
    assert BaselineAdoption.objects.filter(agency=personas.city, baseline=national).exists()
    example = Baseline.objects.filter(is_example=True).first()
    if example is not None:
        refused = client.post(
            "/discretion/baselines/", {"baseline": example.pk, "adopted_on": "2024-11-01"}
        )
        assert refused.status_code == 200  # not offered: examples cannot be adopted
    officer = personas.client(personas.city_officer)
    assert officer.post(
        f"/discretion/baselines/adoptions/{adoption.pk}/withdraw/"
    ).status_code in (
        403,
        404,
    )


def test_adoption_api(personas, seeded) -> None:
    client = personas.client(personas.city_reviewer)
    national = Baseline.objects.get(document_number=NATIONAL)
    rows = client.get("/api/v1/discretion/adoptions").json()
    assert [row["baseline"]["document_number"] for row in rows] == [NATIONAL]
    removed = client.delete(f"/api/v1/discretion/adoptions/{rows[0]['id']}")
    assert removed.status_code == 204
    calc = client.post(
        "/api/v1/discretion/calculate",
        data=json.dumps({"entry": "AQ099-01", "on": "2026-06-01"}),
        content_type="application/json",
    )
    assert calc.status_code == 400  # refuses without an adopted baseline
    added = client.post(
        "/api/v1/discretion/adoptions",
        data=json.dumps({"baseline": national.pk, "adopted_on": "2024-11-01"}),
        content_type="application/json",
    )
    assert added.status_code == 201
    again = client.post(
        "/api/v1/discretion/adoptions",
        data=json.dumps({"baseline": national.pk, "adopted_on": "2024-11-01"}),
        content_type="application/json",
    )
    assert again.status_code == 409
    listed = client.get("/api/v1/discretion/baselines").json()
    assert any(row["is_example"] for row in listed) or len(listed) == 1


def test_detail_page_shows_bans_and_gains_alternative(personas, seeded_all) -> None:
    from fazhi.discretion.tests.conftest import adopt_national

    adopt_national(personas.city)
    client = personas.client(personas.city_reviewer)
    entry = DiscretionEntry.objects.get(code="AQ092-02", baseline__document_number=NATIONAL)
    page = client.get(f"/discretion/{entry.pk}/").content.decode()
    assert (
        "违法所得2倍以上5倍以下；没有违法所得或者违法所得不足10万元的，10万元以上20万元以下"
        in page
    )
    assert "情节严重的，实行终身行业和职业禁入" in page
    edit = client.get(f"/discretion/{entry.pk}/edit/")
    assert edit.status_code == 200
