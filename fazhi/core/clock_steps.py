"""The derivation of a due date: its steps, the pauses it skips, and their words.

A ``Step`` is one line of "how this date was computed" (fazhi/core/clocks.py
writes them); its ``text`` is written here, in the language in use when read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fazhi.core.choices import CalendarKind, ClockUnit


class StepKind(StrEnum):
    """What one derivation step records."""

    START = "start"
    COUNTED = "counted"
    MAKEUP = "makeup_workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    PAUSED = "paused"
    PAUSE_SHIFT = "pause_shift"
    PAUSE_IGNORED = "pause_ignored"
    EXTENDED = "extended"
    TARGET = "target"
    CLIPPED = "clipped"
    ROLLED = "rolled"
    NOT_ROLLED = "not_rolled"
    DUE = "due"


@dataclass(frozen=True, slots=True)
class Pause:
    """An interval (both ends included) during which the clock does not run."""

    start: datetime.date
    end: datetime.date
    reason: str = ""

    def days_within(self, low: datetime.date, high: datetime.date) -> int:
        """Return how many days of this pause fall in [low, high]."""
        first = max(self.start, low)
        last = min(self.end, high)
        return max((last - first).days + 1, 0)


@dataclass(frozen=True, slots=True)
class Step:
    """One line of "how this date was computed"; ``text`` is translated on use."""

    date: datetime.date | None
    kind: StepKind
    params: dict[str, Any] = field(default_factory=dict)
    provisional: bool = False

    @property
    def text(self) -> str:
        return _step_text(self)

    @property
    def skipped(self) -> bool:
        return self.kind in (StepKind.WEEKEND, StepKind.HOLIDAY, StepKind.PAUSED, StepKind.ROLLED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat() if self.date else None,
            "kind": str(self.kind),
            "text": self.text,
            "provisional": self.provisional,
        }


# -- words ----------------------------------------------------------------------


def _d(value: datetime.date) -> str:
    return value.isoformat()


def _unit_words(unit: str, length: int) -> str:
    if unit == ClockUnit.WORKDAY:
        return ngettext("%(n)d working day", "%(n)d working days", length) % {"n": length}
    if unit == ClockUnit.CALENDAR:
        return ngettext("%(n)d calendar day", "%(n)d calendar days", length) % {"n": length}
    if unit == ClockUnit.MONTH:
        return ngettext("%(n)d month", "%(n)d months", length) % {"n": length}
    return ngettext("%(n)d year", "%(n)d years", length) % {"n": length}


def _rest_words(kind: str, name: str) -> str:
    if kind == CalendarKind.HOLIDAY:
        return (
            _("statutory holiday (%(name)s)") % {"name": name} if name else _("statutory holiday")
        )
    return _("weekend")


def _step_text(step: Step) -> str:
    p = step.params
    kind = step.kind
    if kind == StepKind.START:
        if p["counts"]:
            return _("Start date; the start day counts as the first day.")
        return _("Start date; the start day itself is not counted.")
    if kind == StepKind.COUNTED:
        return _("Working day %(n)d of %(total)d.") % p
    if kind == StepKind.MAKEUP:
        return _("Make-up working day (%(name)s): counted as working day %(n)d of %(total)d.") % p
    if kind == StepKind.WEEKEND:
        return _("Weekend: not counted.")
    if kind == StepKind.HOLIDAY:
        return _("Statutory holiday (%(name)s): not counted.") % p
    if kind == StepKind.PAUSED:
        if p["reason"]:
            return _("Clock paused (%(reason)s): not counted.") % p
        return _("Clock paused: not counted.")
    if kind == StepKind.TARGET:
        return _("%(start)s plus %(period)s.") % {
            "start": _d(p["start"]),
            "period": _unit_words(p["unit"], p["length"]),
        }
    if kind == StepKind.CLIPPED:
        return _("That month has no day %(day)d: the period ends on its last day.") % p
    if kind in (StepKind.PAUSE_SHIFT, StepKind.PAUSE_IGNORED):
        values = {
            "start": _d(p["start"]),
            "end": _d(p["end"]),
            "reason": p["reason"] or _("no reason given"),
            "days": p["days"],
        }
        if kind == StepKind.PAUSE_IGNORED:
            return (
                _("Clock paused %(start)s to %(end)s (%(reason)s): outside the period, no effect.")
                % values
            )
        return (
            ngettext(
                "Clock paused %(start)s to %(end)s (%(reason)s): "
                "%(days)d day is not counted, the end moves out.",
                "Clock paused %(start)s to %(end)s (%(reason)s): "
                "%(days)d days are not counted, the end moves out.",
                p["days"],
            )
            % values
        )
    if kind == StepKind.ROLLED:
        return _("The period would end on a %(rest)s: it moves to the next day.") % {
            "rest": _rest_words(p["kind"], p["name"])
        }
    if kind == StepKind.NOT_ROLLED:
        return _("The period ends on a %(rest)s; this rule does not move it to a working day.") % {
            "rest": _rest_words(p["kind"], p["name"])
        }
    if kind == StepKind.EXTENDED:
        return ngettext(
            "Without the paused day, the period ends %(days)d day later.",
            "Without the paused days, the period ends %(days)d days later.",
            p["days"],
        ) % {"days": p["days"]}
    return _("Due date: the period ends on this day.")
