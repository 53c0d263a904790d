"""The calculator's plain data: entries, tiers, facts, rule books, results.

``fazhi.discretion.services`` and ``fazhi.discretion.selectors`` convert the
stored rows to these; the engine (``fazhi.discretion.engine``) and the
validator (``fazhi.discretion.validation``) work on them only.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from fazhi.core.errors import DomainError
from fazhi.discretion.choices import (
    ConditionKind,
    DecisionClass,
    ExtraMeasure,
    FineTarget,
    HarmLevel,
    RuleCode,
    Stage,
)
from fazhi.discretion.ranges import BoundsData, Range, condition_words, within_bounds

HARM_ORDER = [HarmLevel.NONE, HarmLevel.MINOR, HarmLevel.GENERAL, HarmLevel.SERIOUS]


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
        return self.condition_text or self.condition_words() or self.name

    def condition_words(self) -> str:
        """The structured condition in words: 报告失实的内容3项以上5项以下."""
        if self.condition_kind != ConditionKind.NUMERIC:
            return ""
        return condition_words(
            self.condition_fact_label or self.condition_fact,
            self.condition_lower,
            self.condition_lower_inclusive,
            self.condition_upper,
            self.condition_upper_inclusive,
        )


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
    # Measures other than fines: {"target": …, "stage": …, "measure": …,
    # optionally "condition": the statute's words for when it applies}.
    measures: list[dict[str, str]] = field(default_factory=list)
    baseline_id: int | None = None
    # 行政处罚法 Art. 33 ¶2: "法律、行政法规另有规定的，从其规定" — the provision
    # that makes the party liable without fault, if one does.
    no_fault_exception: str = ""

    def range_for(self, target: str, stage: str) -> BoundsData | None:
        return next((r for r in self.ranges if r.target == target and r.stage == stage), None)


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
    # The statute's own stage this circumstance restates (逾期未改正 →
    # "uncorrected"): where the entry has that stage it is not also 从重.
    same_as_stage: str = ""


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
    # 可以 grounds (行政处罚法 Arts. 31, 32 and listed circumstances) are offered;
    # only those the officer chooses here are applied.
    apply_grounds: frozenset[str] = frozenset()
    gains: Decimal | None = None  # 违法所得
    base_fine: Decimal | None = None  # 原处罚数额 / 前款罚款数额
    ordered_on: datetime.date | None = None  # 作出责令改正之日 (按日连续处罚)
    act_on: datetime.date | None = None  # 违法行为发生之日 (Art. 37)


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
    statutory_range: Range | None
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
    # 可以 grounds offered to the officer: (code, name, article, applied).
    offered: list[OfferedGround] = field(default_factory=list)
    # The conditions of the other measures, by measure code.
    measure_conditions: dict[str, str] = field(default_factory=dict)

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
                label = f"{FineTarget(target).label}：{ExtraMeasure(measure).label}"
                condition = self.measure_conditions.get(f"{target}:{measure}")
                labels.append(f"{label}（{condition}）" if condition else label)
        return labels


@dataclass(frozen=True)
class OfferedGround:
    """A ground the law says 可以 (may) apply: the officer decides."""

    code: str
    name: str
    article: str
    applied: bool
    verified: bool = True
