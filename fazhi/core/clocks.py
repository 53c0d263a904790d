"""The statutory clock engine: one place that turns a rule into a due date.

Counting follows DOMAIN §1–2:

- working days (行政处罚法 Art. 85, 行政许可法 Art. 82, 行政强制法 Art. 69):
  count N working days after the start day, skipping weekends and statutory
  holidays and counting make-up working days (调休上班日);
- calendar days, months, years (民事诉讼法 Art. 85, applied by 行政复议法 Art.
  88): the start day is not counted; a month or year ends on the same day
  number (the month's last day if there is none); a period whose last day is a
  rest day ends on the next working day;
- pauses (行政许可法 Art. 45: 听证、检验、鉴定、专家评审 …): days inside a
  pause are not counted.

Every result carries its derivation — one step per skipped or counted day,
pause and roll-forward — so the UI can show how the date was computed, and is
flagged provisional when it depends on a year whose holidays are not known.

The steps and their words live in fazhi/core/clock_steps.py, the rule versions
in fazhi/core/clock_rules.py.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fazhi.core.calendar import DayInfo, WorkCalendar
from fazhi.core.choices import CalendarKind, ClockUnit
from fazhi.core.clock_rules import clock_rule_get
from fazhi.core.clock_steps import Pause, Step, StepKind
from fazhi.core.errors import DomainError
from fazhi.core.models import ClockRule

__all__ = [
    "MAX_LENGTH",
    "DeadlineResult",
    "Pause",
    "RuleInfo",
    "Step",
    "StepKind",
    "add_months",
    "deadline_compute",
    "deadline_compute_for_rule",
    "normalize_pauses",
    "working_days_between",
]

_ONE_DAY = datetime.timedelta(days=1)
_UNITS = frozenset(ClockUnit.values)

# Technical bounds that keep a request from looping for minutes; not legal numbers.
MAX_LENGTH: dict[str, int] = {
    ClockUnit.WORKDAY: 2500,
    ClockUnit.CALENDAR: 36500,
    ClockUnit.MONTH: 1200,
    ClockUnit.YEAR: 100,
}


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """The rule a result was computed from, detached from the database."""

    code: str
    name: str
    source: str
    verified: bool
    length: int
    unit: str
    pausable: bool
    effective_from: datetime.date
    effective_to: datetime.date | None
    notes: str

    @classmethod
    def of(cls, rule: ClockRule) -> RuleInfo:
        return cls(
            code=rule.code,
            name=rule.name,
            source=rule.source,
            verified=rule.verified,
            length=rule.length,
            unit=rule.unit,
            pausable=rule.pausable,
            effective_from=rule.effective_from,
            effective_to=rule.effective_to,
            notes=rule.notes,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "source": self.source,
            "verified": self.verified,
            "length": self.length,
            "unit": self.unit,
            "pausable": self.pausable,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
        }


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    """A due date with the derivation that produced it."""

    start: datetime.date
    due: datetime.date
    length: int
    unit: str
    start_day_counts: bool
    roll_forward: bool
    pauses: tuple[Pause, ...]
    derivation: tuple[Step, ...]
    warnings: tuple[str, ...]
    unknown_years: tuple[int, ...]
    rule: RuleInfo | None = None

    @property
    def provisional(self) -> bool:
        """True when a year the result depends on is beyond the known calendar."""
        return bool(self.unknown_years)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "length": self.length,
            "unit": self.unit,
            "start_day_counts": self.start_day_counts,
            "roll_forward": self.roll_forward,
            "pauses": [
                {"start": p.start.isoformat(), "end": p.end.isoformat(), "reason": p.reason}
                for p in self.pauses
            ],
            "provisional": self.provisional,
            "unknown_years": list(self.unknown_years),
            "warnings": list(self.warnings),
            "derivation": [step.as_dict() for step in self.derivation],
            "rule": self.rule.as_dict() if self.rule else None,
        }


# -- arithmetic ---------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> tuple[datetime.date, bool]:
    """Return the same day number ``months`` later, and whether it was clipped."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = std_calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last)), day.day > last


def working_days_between(
    start: datetime.date,
    end: datetime.date,
    *,
    calendar: WorkCalendar | None = None,
    pauses: Sequence[Pause] = (),
) -> int:
    """Count working days in (start, end], leaving out days inside ``pauses``."""
    calendar = calendar or WorkCalendar()
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        if calendar.is_workday(day) and not _paused(day, pauses):
            count += 1
        day += _ONE_DAY
    return count


def _paused(day: datetime.date, pauses: Sequence[Pause]) -> Pause | None:
    for pause in pauses:
        if pause.start <= day <= pause.end:
            return pause
    return None


def _paused_days(pauses: Sequence[Pause], low: datetime.date, high: datetime.date) -> int:
    """Count distinct days in [low, high] covered by at least one pause."""
    spans = sorted(
        (max(p.start, low), min(p.end, high)) for p in pauses if p.end >= low and p.start <= high
    )
    total = 0
    cursor: datetime.date | None = None
    for first, last in spans:
        if cursor is not None and first <= cursor:
            first = cursor + _ONE_DAY
        if first <= last:
            total += (last - first).days + 1
        cursor = last if cursor is None else max(cursor, last)
    return total


def normalize_pauses(pauses: Iterable[Pause | Sequence[Any]]) -> tuple[Pause, ...]:
    """Accept ``Pause`` objects or ``(from, to[, reason])`` tuples; check them."""
    result = []
    for item in pauses:
        pause = item if isinstance(item, Pause) else Pause(*item)
        if pause.end < pause.start:
            raise DomainError(
                _("A pause cannot end (%(end)s) before it starts (%(start)s).")
                % {"start": pause.start.isoformat(), "end": pause.end.isoformat()},
                field="pause",
            )
        result.append(pause)
    return tuple(sorted(result, key=lambda p: (p.start, p.end)))


# -- the engine -----------------------------------------------------------------


def deadline_compute(
    *,
    start: datetime.date,
    length: int | None = None,
    unit: ClockUnit | str | None = None,
    start_day_counts: bool | None = None,
    roll_forward: bool | None = None,
    pauses: Iterable[Pause | Sequence[Any]] = (),
    rule: ClockRule | None = None,
    calendar: WorkCalendar | None = None,
) -> DeadlineResult:
    """Compute the due date of a period starting on ``start``.

    With ``rule``, length, unit, start-day and roll-forward come from the rule
    unless given explicitly. ``pauses`` are ``Pause`` objects or ``(from, to,
    reason)`` tuples, both ends included. Pass one ``calendar`` when computing
    many deadlines so the overrides are read once.
    """
    if rule is not None:
        length = rule.length if length is None else length
        unit = rule.unit if unit is None else unit
        start_day_counts = rule.start_day_counts if start_day_counts is None else start_day_counts
        roll_forward = rule.roll_forward if roll_forward is None else roll_forward
    if length is None or unit is None:
        raise DomainError(_("Give a rule, or a length and a unit."), field="rule")
    if unit not in _UNITS:
        raise DomainError(_("Unknown unit %(unit)s.") % {"unit": unit}, field="unit")
    unit = ClockUnit(unit)
    if length < 1:
        raise DomainError(_("A time limit must be at least 1."), field="length")
    if length > MAX_LENGTH[unit]:
        raise DomainError(
            _("A time limit in %(unit)s may be at most %(max)d.")
            % {"unit": unit.label, "max": MAX_LENGTH[unit]},
            field="length",
        )
    start_day_counts = bool(start_day_counts)
    roll_forward = True if roll_forward is None else roll_forward
    pause_list = normalize_pauses(pauses)
    calendar = calendar or WorkCalendar()

    run = _Run(calendar)
    try:
        if unit == ClockUnit.WORKDAY:
            due = _count_workdays(run, start, length, start_day_counts, pause_list)
        else:
            due = _count_calendar(
                run, start, length, unit, start_day_counts, roll_forward, pause_list
            )
    except (OverflowError, ValueError) as exc:
        raise DomainError(
            _("The due date falls outside the dates this system can handle."), field="length"
        ) from exc
    run.steps.append(Step(due, StepKind.DUE, {}, run.calendar.kind(due).assumed))

    warnings = []
    unknown = tuple(sorted(run.unknown_years))
    if unknown:
        warnings.append(
            _(
                "The holiday calendar for %(years)s is not known yet: only weekends were "
                "skipped, so this date is provisional. An administrator can enter the "
                "State Council holiday notice for that year."
            )
            % {"years": ", ".join(str(y) for y in unknown)}
        )
    if rule is not None and not rule.verified:
        warnings.append(
            _(
                "The rule %(code)s is not verified against the official text (%(source)s): "
                "check it before relying on the date."
            )
            % {"code": rule.code, "source": rule.source}
        )
    if rule is not None and pause_list and not rule.pausable:
        warnings.append(
            _("The rule %(code)s is not marked pausable; the pauses were applied as entered.")
            % {"code": rule.code}
        )
    return DeadlineResult(
        start=start,
        due=due,
        length=length,
        unit=str(unit),
        start_day_counts=start_day_counts,
        roll_forward=roll_forward,
        pauses=pause_list,
        derivation=tuple(run.steps),
        warnings=tuple(warnings),
        unknown_years=unknown,
        rule=RuleInfo.of(rule) if rule is not None else None,
    )


def deadline_compute_for_rule(
    *,
    code: str,
    start: datetime.date,
    pauses: Iterable[Pause | Sequence[Any]] = (),
    on: datetime.date | None = None,
    calendar: WorkCalendar | None = None,
    province: str = "",
) -> DeadlineResult:
    """Look up the rule ``code`` in force on ``on`` (default: ``start``) and apply it."""
    rule = clock_rule_get(code, on=on or start, province=province)
    return deadline_compute(start=start, pauses=pauses, rule=rule, calendar=calendar)


class _Run:
    """Collect the steps and unknown years of one computation."""

    __slots__ = ("calendar", "steps", "unknown_years")

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.steps: list[Step] = []
        self.unknown_years: set[int] = set()

    def look(self, day: datetime.date) -> DayInfo:
        info = self.calendar.kind(day)
        if info.assumed:
            self.unknown_years.add(day.year)
        return info


def _rest_step(day: datetime.date, info: DayInfo) -> Step:
    if info.kind == CalendarKind.HOLIDAY:
        return Step(day, StepKind.HOLIDAY, {"name": info.name}, info.assumed)
    return Step(day, StepKind.WEEKEND, {}, info.assumed)


def _count_workdays(
    run: _Run,
    start: datetime.date,
    length: int,
    start_day_counts: bool,
    pauses: tuple[Pause, ...],
) -> datetime.date:
    run.steps.append(
        Step(start, StepKind.START, {"counts": start_day_counts, "unit": ClockUnit.WORKDAY})
    )
    counted = 0
    day = start if start_day_counts else start + _ONE_DAY
    while True:
        info = run.look(day)
        if info.is_rest_day:
            run.steps.append(_rest_step(day, info))
        elif (pause := _paused(day, pauses)) is not None:
            run.steps.append(Step(day, StepKind.PAUSED, {"reason": pause.reason}, info.assumed))
        else:
            counted += 1
            params = {"n": counted, "total": length, "name": info.name}
            kind = (
                StepKind.MAKEUP if info.kind == CalendarKind.MAKEUP_WORKDAY else StepKind.COUNTED
            )
            run.steps.append(Step(day, kind, params, info.assumed))
            if counted == length:
                break
        day += _ONE_DAY
    first = start if start_day_counts else start + _ONE_DAY
    for pause in pauses:
        if pause.end < first or pause.start > day:
            params = {"start": pause.start, "end": pause.end, "reason": pause.reason, "days": 0}
            run.steps.append(Step(pause.start, StepKind.PAUSE_IGNORED, params))
    return day


def _count_calendar(
    run: _Run,
    start: datetime.date,
    length: int,
    unit: ClockUnit,
    start_day_counts: bool,
    roll_forward: bool,
    pauses: tuple[Pause, ...],
) -> datetime.date:
    run.steps.append(Step(start, StepKind.START, {"counts": start_day_counts, "unit": unit}))
    clipped = False
    if unit == ClockUnit.CALENDAR:
        target = start + datetime.timedelta(days=length)
    else:
        target, clipped = add_months(start, length * 12 if unit == ClockUnit.YEAR else length)
    if start_day_counts:
        target -= _ONE_DAY
    run.steps.append(
        Step(target, StepKind.TARGET, {"start": start, "length": length, "unit": unit})
    )
    if clipped:
        run.steps.append(Step(target, StepKind.CLIPPED, {"day": start.day}))

    first_counted = start if start_day_counts else start + _ONE_DAY
    if pauses:
        base = target
        while True:
            moved = base + datetime.timedelta(days=_paused_days(pauses, first_counted, target))
            if moved == target:
                break
            target = moved
        for pause in pauses:
            inside = pause.days_within(first_counted, target)
            params = {
                "start": pause.start,
                "end": pause.end,
                "reason": pause.reason,
                "days": inside,
            }
            if inside:
                run.steps.append(Step(pause.start, StepKind.PAUSE_SHIFT, params))
            else:
                run.steps.append(Step(pause.start, StepKind.PAUSE_IGNORED, params))
        if target != base:
            run.steps.append(Step(target, StepKind.EXTENDED, {"days": (target - base).days}))

    info = run.look(target)
    if info.is_workday:
        return target
    if not roll_forward:
        run.steps.append(
            Step(target, StepKind.NOT_ROLLED, {"name": info.name, "kind": info.kind}, info.assumed)
        )
        return target
    day = target
    while info.is_rest_day:
        run.steps.append(
            Step(day, StepKind.ROLLED, {"name": info.name, "kind": info.kind}, info.assumed)
        )
        day += _ONE_DAY
        info = run.look(day)
    return day
