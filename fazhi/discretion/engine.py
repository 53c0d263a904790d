"""The discretion engine: validate a benchmark entry, calculate a fine.

Both work on plain data (``EntryData`` and ``RuleBook``) so that they are
fast and easy to test; ``fazhi.discretion.services`` and
``fazhi.discretion.selectors`` convert the stored rows.

Calculation order (each step is written to the trace with its article):

1. 不予处罚 — must not punish: under the minimum age (行政处罚法 Art. 30),
   mental illness (Art. 31), proven lack of fault (Art. 33 ¶2), time-barred
   (Art. 36), minor + corrected in time + no harm (Art. 33 ¶1), or a matching
   row of the no-penalty list with decision "no penalty".
2. 可不予处罚 — may waive: first violation, minor or no harm, corrected in
   time (Art. 33 ¶1 首违不罚), or a matching no-penalty-list row that says
   "may waive". The range that would apply is still given.
3. Fixed by statute (e.g. 安全生产法 Art. 95): no discretion; the fixed
   amount is reported.
4. Tier (裁量阶次): chosen by the officer or by the facts; its fine for the
   target and stage, else the statutory range.
5. Circumstances (DOMAIN §6.3): must/may-mitigate, aggravating, emergency
   (Art. 49), minors (Art. 30), limited capacity (Art. 31). Both mitigating and
   aggravating circumstances → standard; 减轻 only where the law allows it
   and the officer asks for it.
6. Band: the class's band (rule data, e.g. 从轻 = lowest 30 %) applied to the
   tier's range; 减轻 goes below the statutory minimum.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from fazhi.core.errors import DomainError
from fazhi.discretion.choices import (
    BAND_RULES,
    CircumstanceEffect,
    ConditionKind,
    DecisionClass,
    ExtraMeasure,
    FineMeasure,
    FineTarget,
    HarmLevel,
    RuleCode,
    Stage,
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Articles of 行政处罚法 (2021) the calculator applies. These are citations,
# not numbers: the numbers they carry (ages, years, bands) are rule data.
PENALTY_LAW = "《中华人民共和国行政处罚法》"
ART_30 = PENALTY_LAW + "第三十条"
ART_31 = PENALTY_LAW + "第三十一条"
ART_32 = PENALTY_LAW + "第三十二条"
ART_33_1 = PENALTY_LAW + "第三十三条第一款"
ART_33_2 = PENALTY_LAW + "第三十三条第二款"
ART_36 = PENALTY_LAW + "第三十六条"
ART_49 = PENALTY_LAW + "第四十九条"

HARM_ORDER = [HarmLevel.NONE, HarmLevel.MINOR, HarmLevel.GENERAL, HarmLevel.SERIOUS]


def number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 30, 12.5."""
    return f"{value.normalize():f}"


def money(value: Decimal | None, measure: str = FineMeasure.AMOUNT) -> str:
    """Format an amount for people: ¥50,000 or 40%."""
    if value is None:
        return "—"
    if measure == FineMeasure.INCOME_PERCENT:
        return f"{number(value)}%"
    if value == value.to_integral_value():
        return f"¥{int(value):,}"
    return f"¥{value:,.2f}"


# --- data -------------------------------------------------------------------


@dataclass
class BoundsData:
    """A fine range for one target and stage (statutory or a tier's)."""

    target: str
    stage: str
    min_amount: Decimal | None
    max_amount: Decimal | None
    min_inclusive: bool = True
    max_inclusive: bool = True
    measure: str = FineMeasure.AMOUNT
    extra_measures: list[str] = field(default_factory=list)
    ref: Any = None

    def as_range(self) -> Range:
        return Range(
            lower=self.min_amount if self.min_amount is not None else Decimal(0),
            lower_inclusive=self.min_inclusive if self.min_amount is not None else True,
            upper=self.max_amount if self.max_amount is not None else Decimal(0),
            upper_inclusive=self.max_inclusive,
            measure=self.measure,
            has_minimum=self.min_amount is not None,
        )


@dataclass
class TierData:
    order: int
    name: str
    condition_kind: str = ConditionKind.ALWAYS
    condition_text: str = ""
    condition_fact: str = ""
    condition_fact_label: str = ""
    condition_lower: Decimal | None = None
    condition_lower_inclusive: bool = True
    condition_upper: Decimal | None = None
    condition_upper_inclusive: bool = True
    condition_circumstance: str = ""
    mitigated: bool = False
    mitigation_ground: str = ""
    verified: bool = True
    source: str = ""
    notes: str = ""
    fines: list[BoundsData] = field(default_factory=list)
    ref: Any = None

    def fine_for(self, target: str, stage: str) -> BoundsData | None:
        return next((f for f in self.fines if f.target == target and f.stage == stage), None)

    def matches(self, facts: Facts) -> bool | None:
        """Return whether the facts meet the condition (None: the fact is missing)."""
        if self.condition_kind == ConditionKind.CIRCUMSTANCE:
            return self.condition_circumstance in facts.circumstances
        if self.condition_kind == ConditionKind.NUMERIC:
            value = facts.values.get(self.condition_fact)
            if value is None:
                return None
            return within_bounds(
                value,
                self.condition_lower,
                self.condition_lower_inclusive,
                self.condition_upper,
                self.condition_upper_inclusive,
            )
        return False

    def condition_label(self) -> str:
        return self.condition_text or self.name


@dataclass
class EntryData:
    """A discretion entry with its ranges and tiers, as plain data."""

    code: str
    violation: str
    penalty_basis_text: str
    effective_from: datetime.date
    effective_to: datetime.date | None = None
    legal_provision_text: str = ""
    penalty_clause: str = ""
    no_discretion: bool = False
    issuing_document: str = ""
    notes: str = ""
    ranges: list[BoundsData] = field(default_factory=list)
    tiers: list[TierData] = field(default_factory=list)
    tier_required: bool = False
    # Measures other than fines: {"target": …, "stage": …, "measure": …}.
    measures: list[dict[str, str]] = field(default_factory=list)
    baseline_id: int | None = None

    def range_for(self, target: str, stage: str) -> BoundsData | None:
        return next((r for r in self.ranges if r.target == target and r.stage == stage), None)


def within_bounds(
    value: Decimal,
    lower: Decimal | None,
    lower_inclusive: bool,
    upper: Decimal | None,
    upper_inclusive: bool,
) -> bool:
    if lower is not None and (value < lower or (value == lower and not lower_inclusive)):
        return False
    return not (upper is not None and (value > upper or (value == upper and not upper_inclusive)))


@dataclass(frozen=True)
class Range:
    """A fine range with inclusive flags on both ends."""

    lower: Decimal
    lower_inclusive: bool
    upper: Decimal
    upper_inclusive: bool
    measure: str = FineMeasure.AMOUNT
    has_minimum: bool = True

    def within(self, other: Range) -> bool:
        """Return whether every value of this range lies in ``other``."""
        low_ok = self.lower > other.lower or (
            self.lower == other.lower and (other.lower_inclusive or not self.lower_inclusive)
        )
        high_ok = self.upper < other.upper or (
            self.upper == other.upper and (other.upper_inclusive or not self.upper_inclusive)
        )
        return low_ok and high_ok

    def label(self) -> str:
        if self.lower == self.upper:
            return money(self.lower, self.measure)
        if not self.has_minimum and self.lower == 0:
            high = "≤" if self.upper_inclusive else "<"
            return f"x {high} {money(self.upper, self.measure)}"
        low = "≤" if self.lower_inclusive else "<"
        high = "≤" if self.upper_inclusive else "<"
        return (
            f"{money(self.lower, self.measure)} {low} x {high} {money(self.upper, self.measure)}"
        )

    def scaled(self, factor: Decimal) -> Range:
        """Convert a percentage range to amounts (``factor`` = income / 100)."""
        return Range(
            (self.lower * factor).quantize(CENT, ROUND_HALF_UP),
            self.lower_inclusive,
            (self.upper * factor).quantize(CENT, ROUND_HALF_UP),
            self.upper_inclusive,
            FineMeasure.AMOUNT,
            self.has_minimum,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "lower": self.lower,
            "lower_inclusive": self.lower_inclusive,
            "upper": self.upper,
            "upper_inclusive": self.upper_inclusive,
            "measure": self.measure,
            "label": self.label(),
        }


# --- validation ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an entry; ``section`` + ``ref`` locate it in a form."""

    message: str
    section: str = "entry"
    ref: Any = None
    field: str | None = None

    def __str__(self) -> str:
        return self.message


def _who(bounds: BoundsData) -> dict[str, str]:
    return {
        "target": str(FineTarget(bounds.target).label),
        "stage": str(Stage(bounds.stage).label),
    }


def _check_bounds(bounds: BoundsData, section: str) -> list[Problem]:
    problems = []
    if bounds.max_amount is None:
        problems.append(
            Problem(_("A fine range needs a maximum."), section, bounds.ref, "max_amount")
        )
    for name in ("min_amount", "max_amount"):
        value = getattr(bounds, name)
        if value is not None and value < 0:
            problems.append(Problem(_("An amount cannot be negative."), section, bounds.ref, name))
    if bounds.min_amount is not None and bounds.max_amount is not None:
        if bounds.min_amount > bounds.max_amount:
            problems.append(
                Problem(_("The minimum is above the maximum."), section, bounds.ref, "min_amount")
            )
        elif bounds.min_amount == bounds.max_amount and not (
            bounds.min_inclusive and bounds.max_inclusive
        ):
            problems.append(
                Problem(_("The range is empty."), section, bounds.ref, "min_inclusive")
            )
    bad = [m for m in bounds.extra_measures if m not in ExtraMeasure.values]
    if bad:
        problems.append(
            Problem(
                _("Unknown measure: %(measures)s") % {"measures": ", ".join(bad)},
                section,
                bounds.ref,
                "extra_measures",
            )
        )
    return problems


def effective_tier_range(
    entry: EntryData, tier: TierData, target: str, stage: str
) -> Range | None:
    """Return the tier's fine for target and stage, falling back to the statute."""
    fine = tier.fine_for(target, stage) or entry.range_for(target, stage)
    return fine.as_range() if fine is not None and fine.max_amount is not None else None


def discretion_validate(
    entry: EntryData, *, circumstances: Iterable[str] | None = None
) -> list[Problem]:
    """Return every problem of ``entry``; an empty list means it may be saved.

    Refuses any tier fine outside the statutory range for its target and
    stage, unless the tier is marked 减轻 (mitigated, only below the minimum)
    and names its legal ground; and any tier that allows a lower fine than
    the tier below it.
    """
    problems: list[Problem] = []
    if not entry.ranges:
        problems.append(Problem(_("Enter at least one statutory range."), "entry", None, "ranges"))
    seen: set[tuple[str, str]] = set()
    for bounds in entry.ranges:
        key = (bounds.target, bounds.stage)
        if key in seen:
            problems.append(
                Problem(
                    _("There are two statutory ranges for %(target)s (%(stage)s).") % _who(bounds),
                    "ranges",
                    bounds.ref,
                    "target",
                )
            )
        seen.add(key)
        problems.extend(_check_bounds(bounds, "ranges"))
    known = set(circumstances) if circumstances is not None else None
    orders: set[int] = set()
    for tier in entry.tiers:
        label = {"tier": tier.order}
        if tier.order in orders:
            problems.append(
                Problem(
                    _("Two tiers have the number %(tier)s.") % label, "tiers", tier.ref, "order"
                )
            )
        orders.add(tier.order)
        if tier.condition_kind == ConditionKind.NUMERIC:
            if not tier.condition_fact or (
                tier.condition_lower is None and tier.condition_upper is None
            ):
                problems.append(
                    Problem(
                        _("Tier %(tier)s: a counted condition needs the fact and a bound.")
                        % label,
                        "tiers",
                        tier.ref,
                        "condition_fact",
                    )
                )
            elif (
                tier.condition_lower is not None
                and tier.condition_upper is not None
                and tier.condition_lower > tier.condition_upper
            ):
                problems.append(
                    Problem(
                        _("Tier %(tier)s: the condition's lower bound is above its upper bound.")
                        % label,
                        "tiers",
                        tier.ref,
                        "condition_lower",
                    )
                )
        elif tier.condition_kind == ConditionKind.CIRCUMSTANCE and (
            not tier.condition_circumstance
            or (known is not None and tier.condition_circumstance not in known)
        ):
            problems.append(
                Problem(
                    _("Tier %(tier)s: unknown circumstance “%(code)s”.")
                    % {"tier": tier.order, "code": tier.condition_circumstance},
                    "tiers",
                    tier.ref,
                    "condition_circumstance",
                )
            )
        if tier.mitigated and not tier.mitigation_ground.strip():
            problems.append(
                Problem(
                    _("Tier %(tier)s is marked as mitigated (减轻) but names no legal ground.")
                    % label,
                    "tiers",
                    tier.ref,
                    "mitigation_ground",
                )
            )
        fine_keys: set[tuple[str, str]] = set()
        for fine in tier.fines:
            who = {**_who(fine), "tier": str(tier.order)}
            if (fine.target, fine.stage) in fine_keys:
                problems.append(
                    Problem(
                        _("Tier %(tier)s has two fines for %(target)s (%(stage)s).") % who,
                        "fines",
                        fine.ref,
                        "target",
                    )
                )
            fine_keys.add((fine.target, fine.stage))
            problems.extend(_check_bounds(fine, "fines"))
            statutory = entry.range_for(fine.target, fine.stage)
            if statutory is None:
                problems.append(
                    Problem(
                        _("Tier %(tier)s: the statute sets no fine for %(target)s (%(stage)s).")
                        % who,
                        "fines",
                        fine.ref,
                        "target",
                    )
                )
                continue
            if fine.measure != statutory.measure:
                problems.append(
                    Problem(
                        _("Tier %(tier)s: the fine must be counted like the statutory range.")
                        % who,
                        "fines",
                        fine.ref,
                        "measure",
                    )
                )
                continue
            if fine.max_amount is None or statutory.max_amount is None:
                continue
            mine, law = fine.as_range(), statutory.as_range()
            below = mine.lower < law.lower or (
                mine.lower == law.lower and mine.lower_inclusive and not law.lower_inclusive
            )
            above = mine.upper > law.upper or (
                mine.upper == law.upper and mine.upper_inclusive and not law.upper_inclusive
            )
            if below and not tier.mitigated:
                problems.append(
                    Problem(
                        _(
                            "Tier %(tier)s: the fine for %(target)s (%(stage)s) goes below "
                            "the statutory minimum of %(bound)s; mark the tier as mitigated "
                            "(减轻) with its legal ground, or correct it."
                        )
                        % {**who, "bound": money(law.lower, law.measure)},
                        "fines",
                        fine.ref,
                        "min_amount",
                    )
                )
            if above:
                problems.append(
                    Problem(
                        _(
                            "Tier %(tier)s: the fine for %(target)s (%(stage)s) goes above "
                            "the statutory maximum of %(bound)s."
                        )
                        % {**who, "bound": money(law.upper, law.measure)},
                        "fines",
                        fine.ref,
                        "max_amount",
                    )
                )
    problems.extend(_check_monotone(entry))
    return problems


def _check_monotone(entry: EntryData) -> list[Problem]:
    """A higher tier must never allow a lower fine than the tier below it."""
    problems = []
    tiers = sorted(entry.tiers, key=lambda t: t.order)
    for statutory in entry.ranges:
        previous: tuple[TierData, Range] | None = None
        for tier in tiers:
            current = effective_tier_range(entry, tier, statutory.target, statutory.stage)
            if current is None:
                continue
            if previous is not None:
                before = previous[1]
                if current.lower < before.lower or current.upper < before.upper:
                    fine = tier.fine_for(statutory.target, statutory.stage)
                    problems.append(
                        Problem(
                            _(
                                "Tier %(tier)s allows a lower fine for %(target)s (%(stage)s) "
                                "than tier %(previous)s: %(this)s against %(that)s."
                            )
                            % {
                                **_who(statutory),
                                "tier": tier.order,
                                "previous": previous[0].order,
                                "this": current.label(),
                                "that": before.label(),
                            },
                            "fines" if fine is not None else "tiers",
                            fine.ref if fine is not None else tier.ref,
                            "min_amount" if current.lower < before.lower else "max_amount",
                        )
                    )
            previous = (tier, current)
    return problems


# --- calculation --------------------------------------------------------------


@dataclass(frozen=True)
class RuleValue:
    code: str
    lower: Decimal
    upper: Decimal | None
    source: str
    verified: bool


@dataclass(frozen=True)
class CircumstanceValue:
    code: str
    name: str
    effect: str
    source: str
    verified: bool


@dataclass(frozen=True)
class NoPenaltyValue:
    code: str
    entry_code: str
    matter: str
    circumstance_text: str
    no_penalty_basis_text: str
    decision: str
    requires_first_violation: bool
    requires_corrected_in_time: bool
    max_harm: str
    condition_fact: str = ""
    condition_upper: Decimal | None = None
    condition_upper_inclusive: bool = True
    verified: bool = False

    def matches(self, facts: Facts) -> bool:
        if self.requires_first_violation and not facts.first_violation:
            return False
        if self.requires_corrected_in_time and not facts.corrected_in_time:
            return False
        if HARM_ORDER.index(HarmLevel(facts.harm)) > HARM_ORDER.index(HarmLevel(self.max_harm)):
            return False
        if self.condition_fact:
            value = facts.values.get(self.condition_fact)
            if value is None:
                return False
            return within_bounds(
                value, None, True, self.condition_upper, self.condition_upper_inclusive
            )
        return True


@dataclass
class RuleBook:
    """The rule data in force on one day."""

    on: datetime.date
    rules: dict[str, RuleValue]
    circumstances: dict[str, CircumstanceValue]
    no_penalty: list[NoPenaltyValue] = field(default_factory=list)

    def rule(self, code: str) -> RuleValue:
        try:
            return self.rules[code]
        except KeyError:
            raise DomainError(
                _("No rule “%(rule)s” is in force on %(day)s; an administrator must enter it.")
                % {"rule": RuleCode(code).label, "day": self.on.isoformat()}
            ) from None


@dataclass(frozen=True)
class Facts:
    """What the officer found; the calculator's input."""

    target: str = FineTarget.UNIT
    stage: str = Stage.INITIAL
    tier: int | None = None
    values: Mapping[str, Decimal] = field(default_factory=dict)
    circumstances: frozenset[str] = frozenset()
    first_violation: bool = False
    minor_violation: bool = False
    harm: str = HarmLevel.GENERAL
    corrected_in_time: bool = False
    emergency: bool = False
    age: int | None = None
    mental_illness: bool = False
    limited_capacity: bool = False
    no_fault: bool = False
    violation_ended_on: datetime.date | None = None
    discovered_on: datetime.date | None = None
    life_or_finance_harm: bool = False
    mitigate: bool = False
    annual_income: Decimal | None = None


@dataclass(frozen=True)
class TraceStep:
    """One rule the calculator applied, with the article or document behind it."""

    rule: str
    article: str
    detail: str = ""
    verified: bool = True
    # The baseline document the calculation was made under (裁量基准文件).
    document: str = ""


@dataclass
class Calculation:
    entry_code: str
    decision_class: str
    range: Range | None
    statutory_range: Range
    # The class the range was computed for; differs from decision_class only
    # when the penalty may be waived (the range then applies if one is imposed).
    range_class: str = DecisionClass.STANDARD
    base_range: Range | None = None
    tier: int | None = None
    tier_name: str = ""
    discretion_applies: bool = True
    amount_range: Range | None = None
    measures: list[str] = field(default_factory=list)
    trace: list[TraceStep] = field(default_factory=list)
    # The baseline document (citation) the entry belongs to, and the stored
    # entry's id (set by ``services.discretion_calculate``).
    document: str = ""
    entry_id: int | None = None
    # Measures other than fines at this stage, as (target, measure), e.g. the
    # unit's 责令停产停业整顿 when its person in charge is fined.
    other_measures: list[tuple[str, str]] = field(default_factory=list)

    def under(self, document: str) -> Calculation:
        """Name ``document`` on the calculation and on every trace line."""
        self.document = document
        self.trace = [replace(step, document=document) for step in self.trace]
        return self

    @property
    def decision_label(self) -> str:
        return str(DecisionClass(self.decision_class).label)

    @property
    def unverified(self) -> bool:
        return any(not step.verified for step in self.trace)

    @property
    def measure_labels(self) -> list[str]:
        labels = [str(ExtraMeasure(m).label) for m in self.measures if m in ExtraMeasure.values]
        for target, measure in self.other_measures:
            if measure in ExtraMeasure.values and target in FineTarget.values:
                labels.append(f"{FineTarget(target).label}：{ExtraMeasure(measure).label}")
        return labels


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _band(base: Range, rule: RuleValue) -> Range:
    """Apply a band (percentages of the range) to ``base``."""
    low_pct = rule.lower / HUNDRED
    high_pct = (rule.upper if rule.upper is not None else rule.lower) / HUNDRED
    width = base.upper - base.lower
    lower = (base.lower + width * low_pct).quantize(CENT, ROUND_HALF_UP)
    upper = (base.lower + width * high_pct).quantize(CENT, ROUND_HALF_UP)
    return Range(
        lower=lower,
        lower_inclusive=base.lower_inclusive if low_pct == 0 else True,
        upper=upper,
        upper_inclusive=base.upper_inclusive if high_pct == 1 else True,
        measure=base.measure,
        has_minimum=base.has_minimum or lower > base.lower,
    )


def _choose_tier(entry: EntryData, facts: Facts, trace: list[TraceStep]) -> TierData | None:
    tiers = sorted(entry.tiers, key=lambda t: t.order)
    if not tiers and facts.tier is None:
        return None
    if facts.tier is not None:
        chosen = next((t for t in tiers if t.order == facts.tier), None)
        if chosen is None:
            raise DomainError(
                _("This entry has no tier %(tier)s.") % {"tier": facts.tier}, field="tier"
            )
        trace.append(
            TraceStep(
                _("Tier chosen by the officer"),
                entry.issuing_document,
                f"{chosen.order}. {chosen.name}: {chosen.condition_label()}",
                chosen.verified,
            )
        )
        return chosen
    matching = [t for t in tiers if t.matches(facts)]
    if matching:
        chosen = matching[-1]
        trace.append(
            TraceStep(
                _("Tier matched by the facts"),
                entry.issuing_document,
                f"{chosen.order}. {chosen.name}: {chosen.condition_label()}",
                chosen.verified,
            )
        )
        return chosen
    missing = sorted(
        {
            t.condition_fact_label or t.condition_fact
            for t in tiers
            if t.condition_kind == ConditionKind.NUMERIC and t.matches(facts) is None
        }
    )
    detail = (
        _("Facts missing: %(facts)s") % {"facts": "、".join(missing)}
        if missing
        else _("No tier's condition is met.")
    )
    trace.append(TraceStep(_("No tier applies; the statutory range is used"), "", detail))
    return None


def _no_penalty_reason(
    entry: EntryData, facts: Facts, rules: RuleBook, on: datetime.date
) -> TraceStep | None:
    if facts.age is not None:
        min_age = rules.rule(RuleCode.MIN_AGE)
        if facts.age < min_age.lower:
            return TraceStep(
                _("Under the age of administrative responsibility"),
                ART_30,
                _("Age %(age)s, below %(limit)s")
                % {"age": facts.age, "limit": number(min_age.lower)},
                min_age.verified,
            )
    if facts.mental_illness:
        return TraceStep(_("Could not recognise or control the conduct (mental illness)"), ART_31)
    if facts.no_fault:
        return TraceStep(_("No subjective fault, proved by the party"), ART_33_2)
    if facts.violation_ended_on is not None:
        discovered = facts.discovered_on or on
        extended = facts.life_or_finance_harm and facts.harm != HarmLevel.NONE
        rule = rules.rule(
            RuleCode.EXTENDED_LIMITATION_YEARS if extended else RuleCode.LIMITATION_YEARS
        )
        limit = _add_years(facts.violation_ended_on, int(rule.lower))
        if discovered > limit:
            return TraceStep(
                _("Time-barred"),
                ART_36,
                _("Discovered on %(discovered)s, more than %(years)s years after %(ended)s")
                % {
                    "discovered": discovered.isoformat(),
                    "years": number(rule.lower),
                    "ended": facts.violation_ended_on.isoformat(),
                },
                rule.verified,
            )
    if facts.minor_violation and facts.corrected_in_time and facts.harm == HarmLevel.NONE:
        return TraceStep(
            _("Minor violation, corrected in time, no harm"),
            ART_33_1,
        )
    for item in rules.no_penalty:
        if (
            item.entry_code == entry.code
            and item.decision == DecisionClass.NO_PENALTY
            and item.matches(facts)
        ):
            return TraceStep(
                _("No-penalty list: %(code)s") % {"code": item.code},
                item.no_penalty_basis_text,
                f"{item.matter}：{item.circumstance_text}",
                item.verified,
            )
    return None


def _waiver_reason(entry: EntryData, facts: Facts, rules: RuleBook) -> TraceStep | None:
    if (
        facts.first_violation
        and facts.corrected_in_time
        and facts.harm in (HarmLevel.NONE, HarmLevel.MINOR)
    ):
        return TraceStep(
            _("First violation with minor harm, corrected in time (首违不罚)"), ART_33_1
        )
    for item in rules.no_penalty:
        if (
            item.entry_code == entry.code
            and item.decision == DecisionClass.MAY_WAIVE
            and item.matches(facts)
        ):
            return TraceStep(
                _("No-penalty list: %(code)s") % {"code": item.code},
                item.no_penalty_basis_text,
                f"{item.matter}：{item.circumstance_text}",
                item.verified,
            )
    return None


def _circumstance_class(facts: Facts, rules: RuleBook, trace: list[TraceStep]) -> tuple[str, bool]:
    """Return the class the circumstances call for, and whether 减轻 is allowed."""
    mitigating = False
    allows_mitigation = False
    aggravating = False
    for code in sorted(facts.circumstances):
        circumstance = rules.circumstances.get(code)
        if circumstance is None:
            raise DomainError(
                _("Unknown circumstance “%(code)s”.") % {"code": code}, field="circumstances"
            )
        if circumstance.effect == CircumstanceEffect.TIER:
            continue
        trace.append(
            TraceStep(
                str(CircumstanceEffect(circumstance.effect).label),
                circumstance.source,
                circumstance.name,
                circumstance.verified,
            )
        )
        if circumstance.effect in (
            CircumstanceEffect.MUST_MITIGATE,
            CircumstanceEffect.MAY_MITIGATE,
        ):
            mitigating = allows_mitigation = True
        elif circumstance.effect == CircumstanceEffect.AGGRAVATE:
            aggravating = True
    if facts.age is not None:
        adult = rules.rule(RuleCode.ADULT_AGE)
        if facts.age < adult.lower:
            mitigating = allows_mitigation = True
            trace.append(
                TraceStep(
                    _("Minor: must be lenient or mitigated"),
                    ART_30,
                    _("Age %(age)s, below %(limit)s")
                    % {"age": facts.age, "limit": number(adult.lower)},
                    adult.verified,
                )
            )
    if facts.limited_capacity:
        mitigating = allows_mitigation = True
        trace.append(TraceStep(_("Limited capacity to recognise or control the conduct"), ART_31))
    if facts.emergency:
        aggravating = True
        trace.append(TraceStep(_("Violation of emergency-response measures: severe"), ART_49))
    if mitigating and aggravating:
        trace.append(
            TraceStep(
                _("Mitigating and aggravating circumstances offset each other"),
                "",
                _("The standard band applies."),
            )
        )
        return DecisionClass.STANDARD, allows_mitigation
    if mitigating:
        return DecisionClass.LENIENT, allows_mitigation
    if aggravating:
        return DecisionClass.SEVERE, False
    return DecisionClass.STANDARD, False


def calculate(entry: EntryData, facts: Facts, rules: RuleBook) -> Calculation:
    """Return the decision class and recommended range for ``facts``."""
    statutory = entry.range_for(facts.target, facts.stage)
    if statutory is None or statutory.max_amount is None:
        raise DomainError(
            _("This entry sets no fine for %(target)s (%(stage)s).")
            % {
                "target": FineTarget(facts.target).label,
                "stage": Stage(facts.stage).label,
            },
            field="target",
        )
    law_range = statutory.as_range()
    trace = [
        TraceStep(
            _("Statutory range"),
            entry.penalty_basis_text,
            f"{FineTarget(facts.target).label} / {Stage(facts.stage).label}: {law_range.label()}",
        )
    ]
    result = Calculation(
        entry_code=entry.code,
        decision_class=DecisionClass.STANDARD,
        range=None,
        statutory_range=law_range,
        trace=trace,
    )

    reason = _no_penalty_reason(entry, facts, rules, rules.on)
    if reason is not None:
        trace.append(reason)
        result.decision_class = DecisionClass.NO_PENALTY
        trace.append(
            TraceStep(
                _("No penalty; the party must be educated"),
                ART_33_1,
                _("No fine is recommended."),
            )
        )
        return result

    waiver = _waiver_reason(entry, facts, rules)
    if waiver is not None:
        trace.append(waiver)

    tier = _choose_tier(entry, facts, trace)
    if tier is None and entry.tier_required:
        raise DomainError(
            _("The statute sets the fine by %(options)s: state which applies.")
            % {"options": "、".join(t.condition_label() for t in entry.tiers)},
            field="tier",
        )
    fine = tier.fine_for(facts.target, facts.stage) if tier is not None else None
    base = fine.as_range() if fine is not None else law_range
    result.base_range = base
    if tier is not None:
        result.tier, result.tier_name = tier.order, tier.name
        trace.append(
            TraceStep(
                _("Tier range")
                if fine is not None
                else _("The tier sets no fine here; statutory range"),
                tier.source or entry.issuing_document,
                base.label(),
                tier.verified,
            )
        )
    result.measures = list((fine or statutory).extra_measures)
    result.other_measures = [
        (row["target"], row["measure"]) for row in entry.measures if row["stage"] == facts.stage
    ]

    if entry.no_discretion:
        trace.append(
            TraceStep(
                _("Fixed by statute: no discretion applies"),
                entry.penalty_basis_text,
                base.label(),
            )
        )
        result.discretion_applies = False
        result.range = base
        cls: str = DecisionClass.STANDARD
    elif tier is not None and tier.mitigated:
        trace.append(
            TraceStep(
                _("Mitigated tier (减轻)"), tier.mitigation_ground, base.label(), tier.verified
            )
        )
        result.range = base
        cls = DecisionClass.MITIGATED
    else:
        cls, allows_mitigation = _circumstance_class(facts, rules, trace)
        if facts.mitigate and allows_mitigation:
            cls = DecisionClass.MITIGATED
            result.range = _mitigated_range(law_range, trace)
        else:
            if facts.mitigate:
                trace.append(
                    TraceStep(
                        _("Mitigation asked for, but no circumstance allows it"),
                        ART_32,
                    )
                )
            rule = rules.rule(BAND_RULES[cls])
            result.range = _band(base, rule)
            trace.append(
                TraceStep(
                    _("Band: %(band)s") % {"band": DecisionClass(cls).label},
                    rule.source,
                    _("%(lower)s%%–%(upper)s%% of %(range)s → %(result)s")
                    % {
                        "lower": number(rule.lower),
                        "upper": number(rule.upper if rule.upper is not None else rule.lower),
                        "range": base.label(),
                        "result": result.range.label(),
                    },
                    rule.verified,
                )
            )
    result.range_class = cls
    result.decision_class = DecisionClass.MAY_WAIVE if waiver is not None else cls
    if waiver is not None:
        trace.append(
            TraceStep(
                _("The penalty may be waived; if imposed, this range applies"),
                ART_33_1,
                result.range.label() if result.range else "",
            )
        )
    if (
        result.range is not None
        and result.range.measure == FineMeasure.INCOME_PERCENT
        and facts.annual_income is not None
    ):
        result.amount_range = result.range.scaled(facts.annual_income / HUNDRED)
        trace.append(
            TraceStep(
                _("Converted with last year's income of %(income)s")
                % {"income": money(facts.annual_income)},
                entry.penalty_basis_text,
                result.amount_range.label(),
            )
        )
    return result


def _mitigated_range(law: Range, trace: list[TraceStep]) -> Range:
    if law.lower > 0:
        mitigated = Range(Decimal(0), True, law.lower, not law.lower_inclusive, law.measure)
        detail = _("Below the statutory minimum: %(range)s") % {"range": mitigated.label()}
    else:
        mitigated = Range(Decimal(0), True, Decimal(0), True, law.measure)
        detail = _("The statute sets no minimum fine: mitigation means a lighter kind of penalty.")
    trace.append(TraceStep(_("Mitigated (减轻)"), ART_32, detail))
    return mitigated
