"""Validate a discretion entry before it is saved (``discretion_validate``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fazhi.discretion.calcdata import EntryData, TierData
from fazhi.discretion.choices import ConditionKind, ExtraMeasure, FineMeasure, FineTarget, Stage
from fazhi.discretion.ranges import BoundsData, Range, money


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
    problems: list[Problem] = []
    if bounds.measure == FineMeasure.DAILY:
        return problems
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
    if (
        bounds.alternative_min is not None
        and bounds.alternative_max is not None
        and bounds.alternative_min > bounds.alternative_max
    ):
        problems.append(
            Problem(_("The minimum is above the maximum."), section, bounds.ref, "alternative_min")
        )
    if bounds.measure == FineMeasure.FINE_MULTIPLE and not bounds.base_stage:
        problems.append(
            Problem(
                _("A multiple of another fine must name that fine's stage."),
                section,
                bounds.ref,
                "base_stage",
            )
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
    bad_measures = [
        row.get("measure", "")
        for row in entry.measures
        if row.get("measure") not in ExtraMeasure.values
        or row.get("stage") not in Stage.values
        or row.get("target") not in FineTarget.values
    ]
    if bad_measures:
        problems.append(
            Problem(
                _("Unknown measure: %(measures)s") % {"measures": ", ".join(bad_measures)},
                "entry",
                None,
                "measures",
            )
        )
    if not entry.ranges and not entry.measures:
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
