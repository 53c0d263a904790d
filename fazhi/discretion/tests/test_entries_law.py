"""The shipped entries against the words of 安全生产法 and 行政处罚法 (issue 12)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fazhi.core.errors import DomainError
from fazhi.discretion.choices import ExtraMeasure, FineMeasure, FineTarget, Stage
from fazhi.discretion.engine import Facts, calculate
from fazhi.discretion.seed import NATIONAL, circumstances, load, seed_entries
from fazhi.discretion.tests.test_calculator import BY_CODE, RULEBOOK

LAWS = Path(__file__).resolve().parents[2] / "laws" / "data" / "laws"
AQ_TEXT = (LAWS / "安全生产法(2021-06-10).md").read_text(encoding="utf-8")
NATIONAL_ENTRIES = {entry.code: entry for entry in seed_entries(NATIONAL)}


def unit_measures(code: str, stage: str) -> set[str]:
    return {
        row["measure"]
        for row in NATIONAL_ENTRIES[code].measures
        if row["stage"] == stage and row["target"] == FineTarget.UNIT
    }


@pytest.mark.parametrize("code", ["AQ095", "AQ114"])
def test_accident_fines_need_the_accident_class(code: str) -> None:
    # Art. 95: “发生一般事故的，处上一年年收入百分之四十的罚款” …; Art. 114: “发生一般事故的，
    # 处三十万元以上一百万元以下的罚款” … — the class sets the range.
    assert "（一）发生一般事故的，处上一年年收入百分之四十的罚款" in AQ_TEXT
    assert "（一）发生一般事故的，处三十万元以上一百万元以下的罚款" in AQ_TEXT
    entry = NATIONAL_ENTRIES[code]
    target = FineTarget.PRINCIPAL if code == "AQ095" else FineTarget.UNIT
    with pytest.raises(DomainError) as refused:
        calculate(entry, Facts(target=target), RULEBOOK)
    assert refused.value.field == "tier"
    assert "发生一般事故" in str(refused.value.message)
    general = calculate(
        entry, Facts(target=target, circumstances=frozenset({"accident_general"})), RULEBOOK
    )
    assert general.tier == 1


def test_art_95_is_fixed_and_shows_no_range() -> None:
    entry = NATIONAL_ENTRIES["AQ095"]
    result = calculate(
        entry,
        Facts(target=FineTarget.PRINCIPAL, circumstances=frozenset({"accident_larger"})),
        RULEBOOK,
    )
    assert not result.discretion_applies
    assert result.range is not None
    assert (result.range.lower, result.range.upper) == (Decimal(60), Decimal(60))


def test_art_96_fines_the_other_persons_in_charge_and_covers_the_accident_case() -> None:
    words = (
        "生产经营单位的其他负责人和安全生产管理人员未履行本法规定的安全生产管理职责的，责令限期改正，"
        "处一万元以上三万元以下的罚款；导致发生生产安全事故的，暂停或者吊销其与安全生产有关的资格，"
        "并处上一年年收入百分之二十以上百分之五十以下的罚款"
    )
    assert words in AQ_TEXT
    entry = NATIONAL_ENTRIES["AQ096"]
    assert {r.target for r in entry.ranges} == {FineTarget.OTHER_MANAGER}
    accident = entry.range_for(FineTarget.OTHER_MANAGER, Stage.ACCIDENT)
    assert accident is not None
    assert accident.measure == FineMeasure.INCOME_PERCENT
    assert (accident.min_amount, accident.max_amount) == (Decimal(20), Decimal(50))
    assert ExtraMeasure.REVOKE_QUALIFICATION in accident.extra_measures


@pytest.mark.parametrize(
    ("code", "words", "measure"),
    [
        ("AQ103-K2", "处一万元以下的罚款；逾期未改正的，责令停产停业整顿。", "suspend_production"),
        ("AQ104", "处一万元以下的罚款；逾期未改正的，责令停产停业。", "stop_production"),
        ("AQ105-01", "逾期未改正的，责令停产停业整顿；构成犯罪的", "suspend_production"),
        ("AQ105-02", "逾期未改正的，责令停产停业整顿；构成犯罪的", "suspend_production"),
    ],
)
def test_not_corrected_stage_orders_the_statutes_own_measure(
    code: str, words: str, measure: str
) -> None:
    assert words in AQ_TEXT
    assert unit_measures(code, Stage.UNCORRECTED) == {measure}
    assert unit_measures(code, Stage.INITIAL) == set()
    result = calculate(NATIONAL_ENTRIES[code], Facts(target=FineTarget.UNIT), RULEBOOK)
    assert result.other_measures == []


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("AQ094-01", "逾期未改正的，处五万元以上十万元以下的罚款，责令生产经营单位停产停业整顿"),
        ("AQ102", "生产经营单位拒不执行的，责令停产停业整顿"),
    ],
)
def test_suspension_falls_on_the_unit_not_on_a_persons_range(code: str, words: str) -> None:
    assert words in AQ_TEXT
    entry = NATIONAL_ENTRIES[code]
    for bounds in entry.ranges:
        if bounds.target != FineTarget.UNIT:
            assert ExtraMeasure.SUSPEND_PRODUCTION not in bounds.extra_measures
    assert unit_measures(code, Stage.UNCORRECTED) == {ExtraMeasure.SUSPEND_PRODUCTION}


@pytest.mark.parametrize(
    ("code", "item"),
    [
        (
            "AQ099-06",
            "（六）危险物品的容器、运输工具，以及涉及人身安全、危险性较大的海洋石油开采特种设备和矿山井下特种设备"
            "未经具有专业资质的机构检测、检验合格，取得安全使用证或者安全标志，投入使用的；",
        ),
        (
            "AQ101-03",
            "（三）进行爆破、吊装、动火、临时用电以及国务院应急管理部门会同国务院有关部门规定的其他危险作业，"
            "未安排专门人员进行现场安全管理的；",
        ),
    ],
)
def test_violation_wording_is_the_statutes(code: str, item: str) -> None:
    assert item in AQ_TEXT
    violation = NATIONAL_ENTRIES[code].violation
    assert item.removeprefix(item[: item.index("）") + 1]).removesuffix("的；") == violation


def test_no_fine_tier_holds_the_no_penalty_facts() -> None:
    # 行政处罚法 Art. 33 ¶1: “违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚” —
    # these facts lead to no penalty, not to the lowest fine tier.
    for entry in seed_entries():
        for tier in entry.tiers:
            assert "及时改正" not in tier.condition_text, (entry.code, tier.order)
    result = calculate(
        NATIONAL_ENTRIES["AQ099-01"],
        Facts(minor_violation=True, corrected_in_time=True, harm="none"),
        RULEBOOK,
    )
    assert result.decision_class == "no_penalty"
    assert result.range is None


def test_not_corrected_in_time_is_not_counted_again_as_aggravating() -> None:
    # 安全生产法 Art. 99: “逾期未改正的，处五万元以上二十万元以下的罚款” — the statute's own
    # higher stage; an aggravating circumstance of the same facts would count it twice.
    assert "逾期未改正的，处五万元以上二十万元以下的罚款" in AQ_TEXT
    row = next(row for row in circumstances() if "逾期未改正" in row["name"])
    assert row["same_as_stage"] == "uncorrected"
    assert row["verified"] is False  # a third-party (江门) source
    facts = Facts(stage="uncorrected", circumstances=frozenset({row["code"]}))
    result = calculate(BY_CODE["AQ099-01"], facts, RULEBOOK)
    assert result.decision_class == "standard"
    skipped = [s for s in result.trace if "own stage" in s.rule]
    assert skipped
    assert not skipped[0].verified
    assert result.unverified


def test_third_party_circumstances_are_unverified() -> None:
    for row in circumstances():
        if "转载" in row["source"] or "江门" in row["source"]:
            assert row["verified"] is False, row["code"]


def test_only_the_national_document_is_adoptable() -> None:
    documents = load("baselines")
    adoptable = [d for d in documents if not d["is_example"]]
    assert [d["document_number"] for d in adoptable] == [NATIONAL]
    national = adoptable[0]
    assert national["issuing_authority"] == "应急管理部"
    assert str(national["issued_on"]) == "2024-11-01"
    assert "应急管理部令第12号" in national["legal_basis"]
