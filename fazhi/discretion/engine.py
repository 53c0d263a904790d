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
6. Band: the class's band (rule data, e.g. 从轻 = the lowest 30 per cent)
   applied to the tier's range; 减轻 goes below the statutory minimum.
7. Amounts: a share of income, a multiple of the illegal gains (or the
   statute's amount for no or small gains) or of another fine is converted
   to yuan; 按日连续处罚 multiplies the original fine by the days; a stage
   with no fine gives its other measures (责令停产停业整顿, bans …).

The data (``calcdata``), the ranges and their wording (``ranges``), the
grounds of 行政处罚法 Arts. 30–37 (``grounds``) and the validator
(``validation``) are separate modules; their names are re-exported here.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from fazhi.core.errors import DomainError
from fazhi.core.formats import cn_date, wan_yuan
from fazhi.discretion.calcdata import (
    HARM_ORDER,
    Calculation,
    CircumstanceValue,
    EntryData,
    Facts,
    NoPenaltyValue,
    OfferedGround,
    RuleBook,
    RuleValue,
    TierData,
    TraceStep,
)
from fazhi.discretion.choices import (
    BAND_RULES,
    ConditionKind,
    DecisionClass,
    FineMeasure,
    FineTarget,
    Stage,
)
from fazhi.discretion.grounds import (
    ART_30,
    ART_31,
    ART_32,
    ART_33_1,
    ART_33_2,
    ART_36,
    ART_37,
    ART_49,
    circumstance_class,
    no_penalty_reason,
    waiver_reason,
)
from fazhi.discretion.ranges import (
    CENT,
    HUNDRED,
    BoundsData,
    Range,
    money,
    number,
    within_bounds,
)
from fazhi.discretion.validation import Problem, discretion_validate, effective_tier_range

__all__ = [
    "ART_30",
    "ART_31",
    "ART_32",
    "ART_33_1",
    "ART_33_2",
    "ART_36",
    "ART_37",
    "ART_49",
    "HARM_ORDER",
    "BoundsData",
    "Calculation",
    "CircumstanceValue",
    "EntryData",
    "Facts",
    "NoPenaltyValue",
    "OfferedGround",
    "Problem",
    "Range",
    "RuleBook",
    "RuleValue",
    "TierData",
    "TraceStep",
    "calculate",
    "discretion_validate",
    "effective_tier_range",
    "money",
    "number",
    "within_bounds",
]


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


def _tier_step(rule: str, entry: EntryData, tier: TierData) -> TraceStep:
    return TraceStep(
        rule,
        entry.issuing_document,
        f"{tier.order}. {tier.name}：{tier.condition_label()}",
        tier.verified,
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
        trace.append(_tier_step(_("Tier chosen by the officer"), entry, chosen))
        return chosen
    matching = [t for t in tiers if t.matches(facts)]
    if matching:
        trace.append(_tier_step(_("Tier matched by the facts"), entry, matching[-1]))
        return matching[-1]
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


def _who(facts: Facts) -> str:
    return f"{FineTarget(facts.target).label}（{Stage(facts.stage).label}）"


def _other_measures(entry: EntryData, facts: Facts, result: Calculation) -> None:
    rows = [row for row in entry.measures if row["stage"] == facts.stage]
    result.other_measures = [(row["target"], row["measure"]) for row in rows]
    result.measure_conditions = {
        f"{row['target']}:{row['measure']}": row["condition"]
        for row in rows
        if row.get("condition")
    }


def _measures_only(entry: EntryData, facts: Facts, result: Calculation) -> Calculation:
    """A stage the statute sets no fine for, only other measures (责令停产停业整顿 …)."""
    _other_measures(entry, facts, result)
    if not result.other_measures:
        raise DomainError(
            _("This entry sets no fine for %(who)s.") % {"who": _who(facts)}, field="target"
        )
    result.discretion_applies = False
    result.trace.append(
        TraceStep(
            _("The statute sets no fine at this stage, only other measures"),
            entry.penalty_basis_text,
            "；".join(result.measure_labels),
        )
    )
    return result


def provision_of(entry: EntryData, bounds: BoundsData) -> str:
    """The provision a range comes from: its own paragraph, else the entry's penalty provision."""
    return bounds.provision or entry.penalty_basis_text


def calculate(entry: EntryData, facts: Facts, rules: RuleBook) -> Calculation:
    """Return the decision class and recommended range for ``facts``."""
    statutory = entry.range_for(facts.target, facts.stage)
    result = Calculation(
        entry_code=entry.code,
        decision_class=DecisionClass.STANDARD,
        range=None,
        statutory_range=None,
    )
    trace = result.trace
    if statutory is None or (
        statutory.max_amount is None and statutory.measure != FineMeasure.DAILY
    ):
        return _measures_only(entry, facts, result)
    if statutory.measure == FineMeasure.DAILY:
        return _daily(entry, statutory, facts, result, rules.on)
    law_range = statutory.as_range()
    result.statutory_range = law_range
    trace.append(
        TraceStep(
            _("Statutory range"),
            provision_of(entry, statutory),
            f"{_who(facts)}：{law_range.label()}",
        )
    )
    reason = no_penalty_reason(entry, facts, rules, trace)
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

    waiver = waiver_reason(entry, facts, rules)
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
    bounds = fine or statutory
    base = _base_range(entry, bounds, tier, facts, trace)
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
    result.measures = list(bounds.extra_measures)
    _other_measures(entry, facts, result)

    if entry.no_discretion:
        trace.append(
            TraceStep(
                _("Fixed by statute: no discretion applies"),
                provision_of(entry, bounds),
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
        cls, allows_mitigation, result.offered = circumstance_class(entry, facts, rules, trace)
        if facts.mitigate and allows_mitigation:
            cls = DecisionClass.MITIGATED
            law = law_range if base.measure == law_range.measure else base
            result.range = _mitigated_range(law, trace)
        else:
            if facts.mitigate:
                trace.append(
                    TraceStep(_("Mitigation asked for, but no circumstance allows it"), ART_32)
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
    _to_amounts(entry, bounds, facts, result)
    return result


def _base_range(
    entry: EntryData,
    bounds: BoundsData,
    tier: TierData | None,
    facts: Facts,
    trace: list[TraceStep],
) -> Range:
    """The range bands apply to; a multiple of the gains may give way to its alternative."""
    base = bounds.as_range()
    if bounds.measure != FineMeasure.GAINS_MULTIPLE:
        return base
    if facts.gains is None:
        raise DomainError(
            _("The fine is a multiple of the illegal gains: enter the gains (0 if none)."),
            field="gains",
        )
    alternative = bounds.alternative_range()
    threshold = bounds.gains_threshold or Decimal(0)
    if alternative is not None and (facts.gains == 0 or facts.gains < threshold):
        trace.append(
            TraceStep(
                _("No or small illegal gains: the statute's amount applies"),
                provision_of(entry, bounds),
                _("Gains of %(gains)s, less than %(threshold)s: %(range)s (alone or with others)")
                % {
                    "gains": wan_yuan(facts.gains),
                    "threshold": wan_yuan(threshold),
                    "range": alternative.label(),
                },
            )
        )
        return alternative
    trace.append(
        TraceStep(
            _("Fine as a multiple of the illegal gains"),
            provision_of(entry, bounds),
            _("Gains of %(gains)s: %(range)s")
            % {"gains": wan_yuan(facts.gains), "range": base.label()},
        )
    )
    return base


def _to_amounts(entry: EntryData, bounds: BoundsData, facts: Facts, result: Calculation) -> None:
    """Convert a share of income or a multiple into yuan, where the base is known."""
    rng = result.range
    if rng is None or rng.measure == FineMeasure.AMOUNT:
        return
    if rng.measure == FineMeasure.INCOME_PERCENT:
        if facts.annual_income is None:
            return
        result.amount_range = rng.scaled(facts.annual_income / HUNDRED)
        detail = _("Converted with last year's income of %(income)s") % {
            "income": wan_yuan(facts.annual_income)
        }
    elif rng.measure == FineMeasure.GAINS_MULTIPLE:
        assert facts.gains is not None
        result.amount_range = rng.scaled(facts.gains)
        detail = _("Converted with illegal gains of %(gains)s") % {"gains": wan_yuan(facts.gains)}
    elif rng.measure == FineMeasure.FINE_MULTIPLE:
        if facts.base_fine is not None:
            result.amount_range = rng.scaled(facts.base_fine)
            detail = _("Converted with the fine of %(fine)s") % {"fine": wan_yuan(facts.base_fine)}
        else:
            base = _base_stage_range(entry, bounds, facts, result)
            result.amount_range = Range(
                (rng.lower * base.lower).quantize(CENT, ROUND_HALF_UP),
                True,
                (rng.upper * base.upper).quantize(CENT, ROUND_HALF_UP),
                True,
            )
            detail = _("Applied to the fine of %(stage)s: %(range)s") % {
                "stage": Stage(bounds.base_stage).label,
                "range": base.label(),
            }
    else:
        return
    result.trace.append(
        TraceStep(detail, provision_of(entry, bounds), result.amount_range.label())
    )


def _base_stage_range(
    entry: EntryData, bounds: BoundsData, facts: Facts, result: Calculation
) -> Range:
    tier = next((t for t in entry.tiers if t.order == result.tier), None)
    base = (tier.fine_for(facts.target, bounds.base_stage) if tier else None) or entry.range_for(
        facts.target, bounds.base_stage
    )
    if base is None or base.max_amount is None:
        raise DomainError(
            _("Enter the fine this one multiplies (%(stage)s).")
            % {"stage": Stage(bounds.base_stage or Stage.INITIAL).label},
            field="base_fine",
        )
    return base.as_range()


def _daily(
    entry: EntryData, bounds: BoundsData, facts: Facts, result: Calculation, on: datetime.date
) -> Calculation:
    """按日连续处罚: the original fine for every day from the day after the order."""
    if facts.base_fine is None or facts.ordered_on is None:
        raise DomainError(
            _("Enter the original fine and the day correction was ordered."), field="base_fine"
        )
    until = on
    days = (until - facts.ordered_on).days
    if days < 1:
        raise DomainError(
            _("Daily fines start the day after the order to correct."), field="ordered_on"
        )
    total = facts.base_fine * days
    result.discretion_applies = False
    result.range = result.amount_range = Range(total, True, total, True)
    _other_measures(entry, facts, result)
    result.trace.append(
        TraceStep(
            _("Daily fine at the original amount (可以按日连续处罚)"),
            provision_of(entry, bounds),
            _("%(fine)s a day from %(start)s to %(end)s: %(days)s days, %(total)s")
            % {
                "fine": wan_yuan(facts.base_fine),
                "start": cn_date(facts.ordered_on + datetime.timedelta(days=1)),
                "end": cn_date(until),
                "days": days,
                "total": wan_yuan(total),
            },
        )
    )
    return result


def _mitigated_range(law: Range, trace: list[TraceStep]) -> Range:
    if law.lower > 0:
        mitigated = Range(Decimal(0), True, law.lower, not law.lower_inclusive, law.measure, False)
        detail = _("Below the statutory minimum: %(range)s") % {"range": mitigated.label()}
    else:
        mitigated = Range(Decimal(0), True, Decimal(0), True, law.measure)
        detail = _("The statute sets no minimum fine: mitigation means a lighter kind of penalty.")
    trace.append(TraceStep(_("Mitigated (减轻)"), ART_32, detail))
    return mitigated
