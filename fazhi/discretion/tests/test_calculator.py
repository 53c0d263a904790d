"""The discretion calculator: properties over the seeded entries, and cases.

The property tests run on plain data (the seed's entries and rules), so
hypothesis can try many facts quickly; ``test_calculator_db`` checks the same
engine through the database.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fazhi.core.errors import DomainError
from fazhi.discretion.choices import DecisionClass, FineMeasure, HarmLevel
from fazhi.discretion.engine import (
    ART_30,
    ART_33_1,
    ART_36,
    ART_49,
    Calculation,
    CircumstanceValue,
    EntryData,
    Facts,
    NoPenaltyValue,
    Range,
    RuleBook,
    RuleValue,
    calculate,
    discretion_validate,
)
from fazhi.discretion.seed import circumstances, no_penalty_items, rules, seed_entries

ENTRIES = seed_entries()
BY_CODE = {entry.code: entry for entry in ENTRIES}
# Ranges the property tests draw from: amounts, shares of income, multiples of
# another fine (a multiple of the gains and 按日连续处罚 need their own facts).
SIMPLE = {FineMeasure.AMOUNT, FineMeasure.INCOME_PERCENT, FineMeasure.FINE_MULTIPLE}
RANGED = [entry for entry in ENTRIES if any(r.measure in SIMPLE for r in entry.ranges)]
TIERED = [entry for entry in ENTRIES if len(entry.tiers) > 1]
ON = datetime.date(2026, 6, 1)
CIRCUMSTANCES = circumstances()
RULES = rules()
NO_PENALTY_ITEMS = no_penalty_items()
MITIGATING = [c["code"] for c in CIRCUMSTANCES if c["effect"] == "must_mitigate"]
AGGRAVATING = [c["code"] for c in CIRCUMSTANCES if c["effect"] == "aggravate"]
TIER_ONLY = [c["code"] for c in CIRCUMSTANCES if c["effect"] == "tier"]
NP_FIELDS = [
    "code",
    "entry_code",
    "matter",
    "circumstance_text",
    "no_penalty_basis_text",
    "decision",
    "requires_first_violation",
    "requires_corrected_in_time",
    "max_harm",
]


def rulebook() -> RuleBook:
    rules = {
        row["code"]: RuleValue(
            row["code"],
            Decimal(row["lower"]),
            Decimal(row["upper"]) if row["upper"] is not None else None,
            row["source"],
            row["verified"],
        )
        for row in RULES
        if row["effective_from"] <= ON and (row.get("effective_to") or ON) >= ON
    }
    circumstances = {
        row["code"]: CircumstanceValue(
            row["code"],
            row["name"],
            row["effect"],
            row["source"],
            row["verified"],
            row.get("same_as_stage", ""),
        )
        for row in CIRCUMSTANCES
    }
    no_penalty = [
        NoPenaltyValue(
            **{name: row[name] for name in NP_FIELDS},
            condition_fact=row.get("condition_fact", ""),
            condition_upper=row.get("condition_upper"),
        )
        for row in NO_PENALTY_ITEMS
    ]
    return RuleBook(on=ON, rules=rules, circumstances=circumstances, no_penalty=no_penalty)


RULEBOOK = rulebook()


def bounds_of(result: Calculation) -> tuple[Decimal, Decimal]:
    """The recommended range's (lower, upper)."""
    assert result.range is not None
    return result.range.lower, result.range.upper


@st.composite
def cases(
    draw: st.DrawFn, *, plain: bool = False, tiered: bool = False
) -> tuple[EntryData, Facts]:
    """An entry and facts for one of its statutory ranges.

    ``plain`` leaves out everything that decides the class (no-penalty and
    waiver grounds, circumstances, minors, mitigation).
    """
    entry = draw(st.sampled_from(TIERED if tiered else RANGED))
    bounds = draw(st.sampled_from([r for r in entry.ranges if r.measure in SIMPLE]))
    facts_names = sorted({t.condition_fact for t in entry.tiers if t.condition_fact})
    values = {
        name: Decimal(draw(st.integers(min_value=0, max_value=60)))
        for name in facts_names
        if draw(st.booleans())
    }
    orders = [t.order for t in entry.tiers]
    if entry.tier_required:  # e.g. 安全生产法 Art. 114: no range without the accident class
        tier: int | None = draw(st.sampled_from(orders))
    else:
        tier = draw(st.one_of(st.none(), st.sampled_from(orders))) if orders else None
    accident = draw(st.lists(st.sampled_from(TIER_ONLY), max_size=1))
    if plain:
        return entry, Facts(
            target=bounds.target,
            stage=bounds.stage,
            tier=tier,
            values=values,
            circumstances=frozenset(accident),
        )
    circumstances = draw(st.lists(st.sampled_from(MITIGATING + AGGRAVATING), max_size=3))
    return entry, Facts(
        target=bounds.target,
        stage=bounds.stage,
        tier=tier,
        values=values,
        circumstances=frozenset(circumstances + accident),
        first_violation=draw(st.booleans()),
        minor_violation=draw(st.booleans()),
        harm=draw(st.sampled_from(list(HarmLevel.values))),
        corrected_in_time=draw(st.booleans()),
        emergency=draw(st.booleans()),
        age=draw(st.one_of(st.none(), st.integers(min_value=10, max_value=70))),
        limited_capacity=draw(st.booleans()),
        mitigate=draw(st.booleans()),
    )


def test_every_seeded_entry_passes_the_validator() -> None:
    codes = {row["code"] for row in CIRCUMSTANCES}
    for entry in ENTRIES:
        assert discretion_validate(entry, circumstances=codes) == [], entry.code
    assert len(ENTRIES) >= 23


@given(cases())
@settings(max_examples=400, deadline=None)
def test_result_stays_inside_the_statutory_range_unless_mitigated(
    case: tuple[EntryData, Facts],
) -> None:
    entry, facts = case
    result = calculate(entry, facts, RULEBOOK)
    if result.decision_class == DecisionClass.NO_PENALTY:
        assert result.range is None
        return
    assert result.range is not None
    assert result.statutory_range is not None
    if result.range_class == DecisionClass.MITIGATED:
        assert result.decision_class in (DecisionClass.MITIGATED, DecisionClass.MAY_WAIVE)
        law = result.statutory_range
        assert result.range.upper <= law.lower
        assert result.range.lower >= 0
    else:
        assert result.range.within(result.statutory_range), (entry.code, facts, result.range)


@given(cases(plain=True, tiered=True), st.sampled_from(["", "confessed", "repeat_within_year"]))
@settings(max_examples=300, deadline=None)
def test_a_higher_tier_never_recommends_a_lower_range(
    case: tuple[EntryData, Facts], extra: str
) -> None:
    entry, facts = case
    assume(len(entry.tiers) > 1)
    circumstances = facts.circumstances | ({extra} if extra else set())
    previous: Range | None = None
    for tier in sorted(entry.tiers, key=lambda t: t.order):
        facts_at = Facts(
            target=facts.target,
            stage=facts.stage,
            tier=tier.order,
            values=facts.values,
            circumstances=frozenset(circumstances),
        )
        current = calculate(entry, facts_at, RULEBOOK).range
        assert current is not None
        if previous is not None:
            assert previous.lower <= current.lower, (entry.code, tier.order)
            assert previous.upper <= current.upper, (entry.code, tier.order)
        previous = current


@given(cases(plain=True))
@settings(max_examples=300, deadline=None)
def test_lenient_range_is_never_above_standard_nor_standard_above_severe(
    case: tuple[EntryData, Facts],
) -> None:
    entry, facts = case
    ranges = {}
    for name, extra in (
        ("lenient", "confessed"),
        ("standard", None),
        ("severe", "repeat_within_year"),
    ):
        shifted = Facts(
            target=facts.target,
            stage=facts.stage,
            tier=facts.tier,
            values=facts.values,
            circumstances=facts.circumstances | ({extra} if extra else set()),
        )
        result = calculate(entry, shifted, RULEBOOK)
        if entry.no_discretion:
            assert result.decision_class == DecisionClass.STANDARD
            assert not result.discretion_applies
        else:
            assert result.decision_class == name
        assert result.range is not None
        ranges[name] = result.range
    assert ranges["lenient"].lower <= ranges["standard"].lower <= ranges["severe"].lower
    assert ranges["lenient"].upper <= ranges["standard"].upper <= ranges["severe"].upper


def _no_penalty_match(entry: EntryData, facts: Facts) -> bool:
    return any(
        item.entry_code == entry.code
        and item.decision == DecisionClass.NO_PENALTY
        and item.matches(facts)
        for item in RULEBOOK.no_penalty
    )


@given(
    cases(plain=True),
    st.sampled_from([HarmLevel.NONE, HarmLevel.MINOR]),
    st.sampled_from(MITIGATING + AGGRAVATING + [""]),
)
@settings(max_examples=300, deadline=None)
def test_first_violation_with_minor_harm_corrected_in_time_may_be_waived(
    case: tuple[EntryData, Facts], harm: str, circumstance: str
) -> None:
    entry, base = case
    facts = Facts(
        target=base.target,
        stage=base.stage,
        tier=base.tier,
        values=base.values,
        circumstances=base.circumstances | ({circumstance} if circumstance else set()),
        first_violation=True,
        corrected_in_time=True,
        harm=harm,
        age=30,
    )
    result = calculate(entry, facts, RULEBOOK)
    expected = (
        DecisionClass.NO_PENALTY if _no_penalty_match(entry, facts) else DecisionClass.MAY_WAIVE
    )
    assert result.decision_class == expected
    if expected == DecisionClass.MAY_WAIVE:
        assert any(step.article == ART_33_1 for step in result.trace)
        assert result.range is not None
        assert result.statutory_range is not None
        assert result.range.within(result.statutory_range)


NO_PENALTY_ROWS = [row for row in NO_PENALTY_ITEMS if row["decision"] == DecisionClass.NO_PENALTY]


@given(
    st.sampled_from(NO_PENALTY_ROWS),
    st.integers(min_value=0, max_value=100),
    st.booleans(),
    st.sampled_from(MITIGATING + AGGRAVATING + [""]),
)
@settings(max_examples=200, deadline=None)
def test_a_matching_no_penalty_list_row_means_no_penalty(
    row: dict, percent: int, first: bool, circumstance: str
) -> None:
    entry = BY_CODE[row["entry_code"]]
    upper = row.get("condition_upper")
    values = {}
    if row.get("condition_fact"):
        values[row["condition_fact"]] = (upper or Decimal(0)) * Decimal(percent) / 100
    facts = Facts(
        values=values,
        circumstances=frozenset({circumstance} if circumstance else set()),
        first_violation=first or row["requires_first_violation"],
        corrected_in_time=True,
        harm=row["max_harm"],
    )
    result = calculate(entry, facts, RULEBOOK)
    assert result.decision_class == DecisionClass.NO_PENALTY
    assert result.range is None
    assert any(row["code"] in step.rule for step in result.trace)


def test_no_penalty_list_row_does_not_apply_above_its_bound() -> None:
    entry = BY_CODE["AQ097-04"]
    facts = Facts(
        values={"unrecorded_share": Decimal(6)}, corrected_in_time=True, harm=HarmLevel.NONE
    )
    result = calculate(entry, facts, RULEBOOK)
    assert result.decision_class == DecisionClass.STANDARD
    assert result.tier == 1


def test_shanxi_tiers_pick_the_tier_by_the_number_of_places() -> None:
    entry = BY_CODE["AQ099-01"]
    facts = Facts(values={"places_missing_sign": Decimal(3)})
    result = calculate(entry, facts, RULEBOOK)
    assert result.tier == 3
    assert result.base_range == Range(Decimal(20000), True, Decimal(30000), True)
    # 一般 = 30 %–70 % of the tier's range.
    assert bounds_of(result) == (Decimal(23000), Decimal(27000))
    assert result.unverified  # the bands are [U], and tier 3 was corrected


def test_yishang_yixia_include_the_number() -> None:
    # 《立法技术规范（试行）（一）》: “以上、以下、以内”均含本数 — so the published row
    # “未如实记录的人员占从业人员10%以上30%以下” includes 10 % and 30 %.
    entry = BY_CODE["AQ097-04"]
    tier_2 = next(t for t in entry.tiers if t.order == 2)
    assert tier_2.condition_text == "未如实记录的人员占从业人员10%以上30%以下"
    ten, thirty = Decimal(10), Decimal(30)
    assert tier_2.matches(Facts(values={"unrecorded_share": ten})) is True
    assert tier_2.matches(Facts(values={"unrecorded_share": thirty})) is True
    assert tier_2.matches(Facts(values={"unrecorded_share": Decimal("9.99")})) is False
    tier_3 = next(t for t in entry.tiers if t.order == 3)
    assert tier_3.condition_lower_inclusive


def test_missing_fact_falls_back_to_the_statutory_range() -> None:
    entry = BY_CODE["AQ099-01"]
    result = calculate(entry, Facts(), RULEBOOK)
    assert result.tier is None
    assert result.base_range == result.statutory_range
    assert any("places" in step.detail or "安全警示标志" in step.detail for step in result.trace)


def test_art_95_fixed_percentage_has_no_discretion() -> None:
    entry = BY_CODE["AQ095"]
    facts = Facts(
        target="principal",
        circumstances=frozenset({"accident_larger", "confessed"}),
        annual_income=Decimal(300000),
    )
    result = calculate(entry, facts, RULEBOOK)
    assert result.discretion_applies is False
    assert result.range == Range(Decimal(60), True, Decimal(60), True, FineMeasure.INCOME_PERCENT)
    assert result.amount_range is not None
    assert result.amount_range.lower == result.amount_range.upper == Decimal(180000)
    assert any("no discretion" in step.rule.lower() for step in result.trace)


def test_under_fourteen_is_not_punished() -> None:
    result = calculate(BY_CODE["AQ099-01"], Facts(age=13), RULEBOOK)
    assert result.decision_class == DecisionClass.NO_PENALTY
    assert any(step.article == ART_30 for step in result.trace)


def test_minor_between_fourteen_and_eighteen_is_lenient_or_mitigated() -> None:
    entry = BY_CODE["AQ099-01"]
    assert calculate(entry, Facts(age=16), RULEBOOK).decision_class == DecisionClass.LENIENT
    mitigated = calculate(entry, Facts(age=16, mitigate=True, stage="uncorrected"), RULEBOOK)
    assert mitigated.decision_class == DecisionClass.MITIGATED
    assert mitigated.range == Range(Decimal(0), True, Decimal(50000), False, has_minimum=False)
    assert mitigated.range.label() == "不满5万元"


def test_mitigation_without_a_ground_is_refused_in_the_trace() -> None:
    result = calculate(BY_CODE["AQ099-01"], Facts(mitigate=True), RULEBOOK)
    assert result.decision_class == DecisionClass.STANDARD
    assert any("no circumstance allows" in step.rule for step in result.trace)


def test_emergency_context_is_severe() -> None:
    result = calculate(BY_CODE["AQ101-02"], Facts(emergency=True), RULEBOOK)
    assert result.decision_class == DecisionClass.SEVERE
    assert any(step.article == ART_49 for step in result.trace)


def test_mitigating_and_aggravating_offset_to_standard() -> None:
    facts = Facts(circumstances=frozenset({"confessed", "destroyed_evidence"}))
    assert calculate(BY_CODE["AQ101-02"], facts, RULEBOOK).decision_class == DecisionClass.STANDARD


def test_time_barred_after_two_years_and_five_when_life_was_harmed() -> None:
    entry = BY_CODE["AQ099-01"]
    ended = datetime.date(2023, 3, 1)
    barred = Facts(violation_ended_on=ended, discovered_on=datetime.date(2025, 3, 2))
    within = Facts(violation_ended_on=ended, discovered_on=datetime.date(2025, 3, 1))
    extended = Facts(
        violation_ended_on=ended,
        discovered_on=datetime.date(2025, 3, 2),
        life_or_finance_harm=True,
        harm=HarmLevel.SERIOUS,
    )
    result = calculate(entry, barred, RULEBOOK)
    assert result.decision_class == DecisionClass.NO_PENALTY
    assert any(step.article == ART_36 for step in result.trace)
    assert calculate(entry, within, RULEBOOK).decision_class == DecisionClass.STANDARD
    assert calculate(entry, extended, RULEBOOK).decision_class == DecisionClass.STANDARD


def test_unknown_circumstance_and_missing_range_are_domain_errors() -> None:
    with pytest.raises(DomainError):
        calculate(
            BY_CODE["AQ099-01"], Facts(circumstances=frozenset({"bribed_the_cat"})), RULEBOOK
        )
    with pytest.raises(DomainError) as caught:
        calculate(BY_CODE["AQ099-01"], Facts(target="principal"), RULEBOOK)
    assert caught.value.field == "target"
    with pytest.raises(DomainError):
        calculate(BY_CODE["AQ099-01"], Facts(tier=9), RULEBOOK)


def test_a_missing_band_rule_is_reported_not_crashed() -> None:
    book = RuleBook(on=ON, rules={}, circumstances=RULEBOOK.circumstances)
    with pytest.raises(DomainError):
        calculate(BY_CODE["AQ099-01"], Facts(), book)


def test_bands_are_rule_data() -> None:
    rules = dict(RULEBOOK.rules)
    rules["severe_band"] = RuleValue("severe_band", Decimal(80), Decimal(100), "test", True)
    book = RuleBook(on=ON, rules=rules, circumstances=RULEBOOK.circumstances)
    facts = Facts(
        values={"places_missing_sign": Decimal(5)}, circumstances=frozenset({"retaliation"})
    )
    result = calculate(BY_CODE["AQ099-01"], facts, book)
    assert bounds_of(result) == (Decimal(46000), Decimal(50000))


def test_trace_names_every_article_applied() -> None:
    facts = Facts(
        values={"places_missing_sign": Decimal(2)},
        circumstances=frozenset({"eliminated_harm"}),
    )
    result = calculate(BY_CODE["AQ099-01"], facts, RULEBOOK)
    articles = [step.article for step in result.trace]
    assert articles[0].startswith("《中华人民共和国安全生产法》第九十九条")
    assert "《中华人民共和国行政处罚法》第三十二条第（一）项" in articles
    assert any("27号" in a for a in articles)
    assert all(step.rule for step in result.trace)


def test_officer_chosen_tier_is_traced() -> None:
    entry = BY_CODE["AQ099-01"]
    result = calculate(entry, Facts(tier=2, values={"places_missing_sign": Decimal(5)}), RULEBOOK)
    assert result.tier == 2
    assert "officer" in result.trace[1].rule


@pytest.mark.django_db
def test_calculator_db_uses_the_stored_rules(seeded: None) -> None:
    from fazhi.discretion.models import DiscretionEntry, DiscretionRule
    from fazhi.discretion.selectors import entry_calculate

    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=True)
    facts = Facts(values={"places_missing_sign": Decimal(3)})
    assert (
        entry_calculate(entry=entry, facts=facts).range
        == calculate(BY_CODE["AQ099-01"], facts, RULEBOOK).range
    )
    DiscretionRule.objects.filter(code="standard_band").update(lower=40, upper=60)
    result = entry_calculate(entry=entry, facts=facts)
    assert bounds_of(result) == (Decimal(24000), Decimal(26000))


@pytest.mark.django_db
def test_calculator_db_applies_rule_versions_by_date(seeded: None) -> None:
    from fazhi.core.tests.factories import SYSTEM
    from fazhi.discretion import services
    from fazhi.discretion.models import DiscretionEntry, DiscretionRule
    from fazhi.discretion.selectors import entry_calculate

    old = DiscretionRule.objects.get(code="lenient_band")
    services.discretion_rule_save(actor=SYSTEM, rule=old, effective_to=datetime.date(2025, 12, 31))
    services.discretion_rule_save(
        actor=SYSTEM,
        code="lenient_band",
        lower=Decimal(0),
        upper=Decimal(20),
        source="test rule",
        verified=True,
        effective_from=datetime.date(2026, 1, 1),
    )
    entry = DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=True)
    facts = Facts(
        values={"places_missing_sign": Decimal(5)}, circumstances=frozenset({"confessed"})
    )
    before = entry_calculate(entry=entry, facts=facts, on=datetime.date(2025, 6, 1))
    after = entry_calculate(entry=entry, facts=facts, on=datetime.date(2026, 6, 1))
    assert bounds_of(before)[1] == Decimal(36000)
    assert bounds_of(after)[1] == Decimal(34000)
