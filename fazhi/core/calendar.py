"""The working-day calendar: 工作日、周末、法定节假日、调休上班日.

The State Council's holiday notices come from the ``chinesecalendar`` package;
an administrator's ``CalendarDay`` rows win over it, and a ``CalendarYear`` row
marks a year the package does not know as entered. A day in a year that is
known by neither is answered from the weekday alone and flagged ``ASSUMED``, so
that every computation touching it can say it is provisional.
"""

from __future__ import annotations

import datetime
import importlib.metadata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from chinese_calendar import constants as cc
from django.db.models import QuerySet

from fazhi.core.choices import CalendarKind, DayKind, DayOrigin
from fazhi.core.models import CalendarDay, CalendarYear

PACKAGE_MIN_YEAR: int = min(cc.holidays).year
PACKAGE_MAX_YEAR: int = max(cc.holidays).year
PACKAGE_VERSION: str = importlib.metadata.version("chinesecalendar")

_CHINESE_NAMES: dict[str, str] = {h.value: h.chinese for h in cc.Holiday}
_ONE_DAY = datetime.timedelta(days=1)


def package_source(year: int) -> str:
    """Return the citation for a year's package data (the notice's title)."""
    return f"国务院办公厅关于{year}年部分节假日安排的通知（chinesecalendar {PACKAGE_VERSION}）"


class Override(NamedTuple):
    """One administrator override, detached from the database row."""

    kind: str
    name: str
    source: str


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What one day is, and where that answer comes from."""

    date: datetime.date
    kind: str
    name: str
    source: str
    origin: str
    # Derived once here: the engine asks these for every day it walks.
    is_workday: bool = field(init=False)
    assumed: bool = field(init=False)  # the day's year is beyond the known calendar

    def __post_init__(self) -> None:
        workday = self.kind in (CalendarKind.WORKDAY, CalendarKind.MAKEUP_WORKDAY)
        object.__setattr__(self, "is_workday", workday)
        object.__setattr__(self, "assumed", self.origin == DayOrigin.ASSUMED)

    @property
    def is_rest_day(self) -> bool:
        return not self.is_workday

    def get_kind_display(self) -> str:
        return str(CalendarKind(self.kind).label)

    def get_origin_display(self) -> str:
        return str(DayOrigin(self.origin).label)


def package_day(day: datetime.date) -> DayInfo | None:
    """Return the package's entry for ``day`` (holiday or make-up day), if any."""
    weekend = day.weekday() >= 5
    if day in cc.workdays:
        kind = CalendarKind.MAKEUP_WORKDAY if weekend else CalendarKind.WORKDAY
        name = _CHINESE_NAMES.get(cc.workdays[day], cc.workdays[day])
    elif day in cc.holidays:
        kind = CalendarKind.HOLIDAY
        name = _CHINESE_NAMES.get(cc.holidays[day], cc.holidays[day])
    else:
        return None
    return DayInfo(day, kind, name, package_source(day.year), DayOrigin.PACKAGE)


class WorkCalendar:
    """Answer what a day is; load overrides once, not once per day.

    Without arguments the calendar reads ``CalendarDay`` (one query, on first
    use) and ``CalendarYear`` (one more query, only when a day outside the
    package's years is asked about). Tests and batch jobs may pass
    ``overrides`` and ``extra_known_years`` to avoid the database entirely.
    """

    def __init__(
        self,
        *,
        overrides: Mapping[datetime.date, Override] | None = None,
        extra_known_years: Iterable[int] | None = None,
    ) -> None:
        self._overrides: dict[datetime.date, Override] | None = (
            dict(overrides) if overrides is not None else None
        )
        self._extra_years: frozenset[int] | None = (
            frozenset(extra_known_years) if extra_known_years is not None else None
        )
        self._cache: dict[datetime.date, DayInfo] = {}

    # -- loading -----------------------------------------------------------

    @property
    def overrides(self) -> dict[datetime.date, Override]:
        if self._overrides is None:
            self._overrides = {
                date: Override(kind, name, source)
                for date, kind, name, source in CalendarDay.objects.values_list(
                    "date", "kind", "name", "source"
                )
            }
        return self._overrides

    @property
    def extra_known_years(self) -> frozenset[int]:
        if self._extra_years is None:
            self._extra_years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        return self._extra_years

    # -- questions ---------------------------------------------------------

    def is_known_year(self, year: int) -> bool:
        """Return whether the year's holidays are known (package or administrator)."""
        return PACKAGE_MIN_YEAR <= year <= PACKAGE_MAX_YEAR or year in self.extra_known_years

    def known_years(self) -> list[int]:
        years = set(range(PACKAGE_MIN_YEAR, PACKAGE_MAX_YEAR + 1)) | self.extra_known_years
        return sorted(years)

    def kind(self, day: datetime.date) -> DayInfo:
        """Return what ``day`` is: kind, name, source and origin."""
        info = self._cache.get(day)
        if info is None:
            info = self._compute(day)
            self._cache[day] = info
        return info

    def is_workday(self, day: datetime.date) -> bool:
        return self.kind(day).is_workday

    def next_workday(self, day: datetime.date) -> datetime.date:
        """Return the first working day strictly after ``day``."""
        day += _ONE_DAY
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def year_days(self, year: int) -> list[DayInfo]:
        """Return every day of ``year`` that is not an ordinary weekday or weekend.

        Holidays and make-up working days from the package and the overrides,
        plus any override (even one that agrees with the weekday rule).
        """
        day = datetime.date(year, 1, 1)
        result = []
        while day.year == year:
            info = self.kind(day)
            if info.origin in (DayOrigin.OVERRIDE, DayOrigin.PACKAGE):
                result.append(info)
            day += _ONE_DAY
        return result

    def _compute(self, day: datetime.date) -> DayInfo:
        weekend = day.weekday() >= 5
        override = self.overrides.get(day)
        if override is not None:
            if override.kind == DayKind.HOLIDAY:
                kind = CalendarKind.HOLIDAY
            else:
                kind = CalendarKind.MAKEUP_WORKDAY if weekend else CalendarKind.WORKDAY
            return DayInfo(day, kind, override.name, override.source, DayOrigin.OVERRIDE)
        if PACKAGE_MIN_YEAR <= day.year <= PACKAGE_MAX_YEAR:
            info = package_day(day)
            if info is not None:
                return info
            origin = DayOrigin.WEEKDAY
        else:
            origin = DayOrigin.WEEKDAY if day.year in self.extra_known_years else DayOrigin.ASSUMED
        kind = CalendarKind.WEEKEND if weekend else CalendarKind.WORKDAY
        return DayInfo(day, kind, "", "", origin)


def calendar_year_list() -> QuerySet[CalendarYear]:
    """Return the years an administrator has marked known, newest first."""
    return CalendarYear.objects.order_by("-year")


def calendar_year_source(year: int) -> str:
    """Return the citation for a year's holidays, or "" when it is unknown."""
    if PACKAGE_MIN_YEAR <= year <= PACKAGE_MAX_YEAR:
        return package_source(year)
    row = CalendarYear.objects.filter(year=year).first()
    return row.source if row is not None else ""
