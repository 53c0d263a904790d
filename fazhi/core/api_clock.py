"""API: due dates with their derivation, the time-limit rules, the calendar.

Mounted at /api/v1/clock with the router's default authentication (session or
Bearer token). Bad input gives 422 with ``{"detail": {field: [message]}}`` in
the user's language, the same shape as the API's ValidationError handler.
No ``from __future__ import annotations``: ninja must see real ``Query[...]``
annotations to build the OpenAPI schema.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from fazhi.core.calendar import WorkCalendar, calendar_year_source
from fazhi.core.choices import ClockUnit
from fazhi.core.clock_forms import DeadlineApiForm
from fazhi.core.clock_rules import clock_rule_list
from fazhi.core.clock_services import YEAR_RANGE

router = Router(tags=["clock"])


class ErrorOut(Schema):
    detail: dict[str, list[str]]


class StepOut(Schema):
    date: str | None
    kind: str
    text: str
    provisional: bool


class PauseOut(Schema):
    start: str
    end: str
    reason: str


class RuleRef(Schema):
    code: str
    name: str
    source: str
    verified: bool
    length: int
    unit: str
    pausable: bool
    effective_from: str
    effective_to: str | None


class DeadlineOut(Schema):
    start: str
    due: str
    length: int
    unit: str
    start_day_counts: bool
    roll_forward: bool
    pauses: list[PauseOut]
    provisional: bool
    unknown_years: list[int]
    warnings: list[str]
    derivation: list[StepOut]
    rule: RuleRef | None


class DeadlineQuery(Schema):
    start: str = ""
    rule: str = ""
    length: str = ""
    unit: str = ""
    start_day_counts: str = ""
    roll_forward: str = ""
    province: str = ""
    pause: list[str] = []


class RuleOut(Schema):
    id: int
    code: str
    name: str
    length: int
    unit: str
    start_day_counts: bool
    roll_forward: bool
    pausable: bool
    source: str
    province: str
    verified: bool
    effective_from: datetime.date
    effective_to: datetime.date | None
    notes: str


class RuleQuery(Schema):
    on: str = ""
    q: str = ""
    unit: str = ""
    verified: str = ""


class DayOut(Schema):
    date: str
    kind: str
    kind_label: str
    name: str
    source: str
    origin: str


class CalendarOut(Schema):
    year: int
    known: bool
    source: str
    days: list[DayOut]


def _errors(field: str, message: str) -> Status[dict[str, Any]]:
    return Status(422, {"detail": {field: [message]}})


@router.get("/deadline", response={200: DeadlineOut, 422: ErrorOut})
def deadline(request: HttpRequest, query: Query[DeadlineQuery]) -> Any:
    """Compute a due date from ``rule=<code>`` or ``length`` + ``unit``.

    ``pause=YYYY-MM-DD..YYYY-MM-DD[:reason]`` may be repeated.
    """
    form = DeadlineApiForm(request.GET)
    if not form.is_valid():
        errors = {field: list(messages) for field, messages in form.errors.items()}
        return Status(422, {"detail": errors})
    assert form.result is not None
    return form.result.as_dict()


@router.get("/rules", response={200: list[RuleOut], 422: ErrorOut})
def rules(request: HttpRequest, query: Query[RuleQuery]) -> Any:
    """List the rule versions in force on ``on`` (default: today)."""
    try:
        on = datetime.date.fromisoformat(query.on) if query.on else timezone.localdate()
    except ValueError:
        return _errors("on", _("Enter a valid date."))
    if query.unit and query.unit not in ClockUnit.values:
        return _errors("unit", _("Unknown unit %(unit)s.") % {"unit": query.unit})
    verified = {"true": True, "1": True, "false": False, "0": False}.get(query.verified.lower())
    return list(clock_rule_list(on=on, q=query.q, unit=query.unit, verified=verified))


@router.get("/calendar", response={200: CalendarOut, 422: ErrorOut})
def calendar(request: HttpRequest, year: str = "") -> Any:
    """List every holiday and make-up working day of ``year`` (default: this year)."""
    try:
        number = int(year) if year else timezone.localdate().year
    except ValueError:
        return _errors("year", _("Enter a whole number."))
    low, high = YEAR_RANGE
    if not low <= number <= high:
        return _errors(
            "year", _("Enter a year between %(low)d and %(high)d.") % {"low": low, "high": high}
        )
    work = WorkCalendar()
    return {
        "year": number,
        "known": work.is_known_year(number),
        "source": calendar_year_source(number),
        "days": [
            {
                "date": info.date.isoformat(),
                "kind": info.kind,
                "kind_label": info.get_kind_display(),
                "name": info.name,
                "source": info.source,
                "origin": info.origin,
            }
            for info in work.year_days(number)
        ],
    }
