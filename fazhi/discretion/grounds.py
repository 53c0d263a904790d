"""行政处罚法 Arts. 30–37 in the calculator: no penalty, waiver, circumstances.

应当 grounds apply by themselves; 可以 grounds (Art. 31's partial incapacity,
circumstances whose effect is "may mitigate") are offered to the officer,
who chooses (``Facts.apply_grounds``). Art. 33 ¶2's "另有规定的，从其规定"
yields to the provision an entry names; a circumstance that restates the
statute's own stage (逾期未改正) is not counted again as 从重.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from fazhi.core.errors import DomainError
from fazhi.core.formats import cn_date
from fazhi.discretion.calcdata import (
    EntryData,
    Facts,
    OfferedGround,
    RuleBook,
    TraceStep,
)
from fazhi.discretion.choices import (
    CircumstanceEffect,
    DecisionClass,
    HarmLevel,
    RuleCode,
    Stage,
)
from fazhi.discretion.ranges import number

# Articles of 行政处罚法 (2021) the calculator applies. These are citations,
# not numbers: the numbers they carry (ages, years, bands) are rule data.
PENALTY_LAW = "《中华人民共和国行政处罚法》"
ART_30 = PENALTY_LAW + "第三十条"
ART_31 = PENALTY_LAW + "第三十一条"
ART_32 = PENALTY_LAW + "第三十二条"
ART_33_1 = PENALTY_LAW + "第三十三条第一款"
ART_33_2 = PENALTY_LAW + "第三十三条第二款"
ART_36 = PENALTY_LAW + "第三十六条"
ART_37 = PENALTY_LAW + "第三十七条"
ART_49 = PENALTY_LAW + "第四十九条"
LIMITED_CAPACITY = "limited_capacity"


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def no_penalty_reason(
    entry: EntryData, facts: Facts, rules: RuleBook, trace: list[TraceStep]
) -> TraceStep | None:
    """Art. 30, 31, 33 ¶1–2, 36 and the no-penalty list: 不予处罚."""
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
        if not entry.no_fault_exception:
            return TraceStep(_("No subjective fault, proved by the party"), ART_33_2)
        trace.append(
            TraceStep(
                _("No fault proved, but the law provides otherwise (另有规定的，从其规定)"),
                entry.no_fault_exception,
                _("%(article)s: the exception applies; lack of fault does not bar the penalty.")
                % {"article": ART_33_2},
            )
        )
    if facts.violation_ended_on is not None:
        discovered = facts.discovered_on or rules.on
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
                    "discovered": cn_date(discovered),
                    "years": number(rule.lower),
                    "ended": cn_date(facts.violation_ended_on),
                },
                rule.verified,
            )
    if facts.minor_violation and facts.corrected_in_time and facts.harm == HarmLevel.NONE:
        return TraceStep(_("Minor violation, corrected in time, no harm"), ART_33_1)
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


def waiver_reason(entry: EntryData, facts: Facts, rules: RuleBook) -> TraceStep | None:
    """Art. 33 ¶1 首违不罚 and may-waive list rows: 可不予处罚."""
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


def circumstance_class(
    entry: EntryData, facts: Facts, rules: RuleBook, trace: list[TraceStep]
) -> tuple[str, bool, list[OfferedGround]]:
    """Return the class the circumstances call for, whether 减轻 is allowed, the offers."""
    mitigating = allows_mitigation = aggravating = False
    offered: list[OfferedGround] = []
    stages = {r.stage for r in entry.ranges} | {m["stage"] for m in entry.measures}
    for code in sorted(facts.circumstances):
        circumstance = rules.circumstances.get(code)
        if circumstance is None:
            raise DomainError(
                _("Unknown circumstance “%(code)s”.") % {"code": code}, field="circumstances"
            )
        if circumstance.effect == CircumstanceEffect.TIER:
            continue
        if circumstance.same_as_stage and circumstance.same_as_stage in stages:
            trace.append(
                TraceStep(
                    _("Not counted as a circumstance: the statute has its own stage"),
                    entry.penalty_basis_text,
                    _("“%(name)s” is the stage “%(stage)s”; choose that stage instead.")
                    % {
                        "name": circumstance.name,
                        "stage": Stage(circumstance.same_as_stage).label,
                    },
                    circumstance.verified,
                )
            )
            continue
        if circumstance.effect == CircumstanceEffect.MAY_MITIGATE:
            applied = code in facts.apply_grounds
            offered.append(
                OfferedGround(
                    code, circumstance.name, circumstance.source, applied, circumstance.verified
                )
            )
            if not applied:
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
        applied = LIMITED_CAPACITY in facts.apply_grounds
        offered.append(
            OfferedGround(
                LIMITED_CAPACITY,
                _("Limited capacity to recognise or control the conduct (may be lenient)"),
                ART_31,
                applied,
            )
        )
        if applied:
            mitigating = allows_mitigation = True
            trace.append(
                TraceStep(_("Limited capacity to recognise or control the conduct"), ART_31)
            )
    for ground in offered:
        if not ground.applied:
            trace.append(
                TraceStep(
                    _("May be lenient or mitigated: offered, not applied"),
                    ground.article,
                    ground.name,
                    ground.verified,
                )
            )
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
        return DecisionClass.STANDARD, allows_mitigation, offered
    if mitigating:
        return DecisionClass.LENIENT, allows_mitigation, offered
    if aggravating:
        return DecisionClass.SEVERE, False, offered
    return DecisionClass.STANDARD, False, offered
