"""The working-day calendar: package data, administrator overrides, known years."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.core import clock_services
from fazhi.core.calendar import PACKAGE_MAX_YEAR, PACKAGE_MIN_YEAR, WorkCalendar
from fazhi.core.choices import CalendarKind, DayOrigin
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.models import AuditEvent, CalendarDay, CalendarYear

D = datetime.date
UNKNOWN_YEAR = PACKAGE_MAX_YEAR + 1


def pure() -> WorkCalendar:
    return WorkCalendar(overrides={}, extra_known_years=())


def test_package_knows_2026_and_not_later() -> None:
    assert PACKAGE_MAX_YEAR >= 2026
    assert PACKAGE_MIN_YEAR <= 2021
    cal = pure()
    assert cal.is_known_year(2026)
    assert not cal.is_known_year(UNKNOWN_YEAR)


def test_spring_festival_2026_holidays_and_makeup_days() -> None:
    cal = pure()
    for offset in range(9):
        day = D(2026, 2, 15) + datetime.timedelta(days=offset)
        info = cal.kind(day)
        assert info.kind == CalendarKind.HOLIDAY, day
        assert info.name == "春节"
        assert info.origin == DayOrigin.PACKAGE
        assert "2026" in info.source
    for day in (D(2026, 2, 14), D(2026, 2, 28)):
        assert day.weekday() == 5
        info = cal.kind(day)
        assert info.kind == CalendarKind.MAKEUP_WORKDAY
        assert cal.is_workday(day)
    assert cal.is_workday(D(2026, 2, 24))
    assert not cal.is_workday(D(2026, 2, 14) - datetime.timedelta(days=6))  # Sunday 02-08


def test_national_day_2025() -> None:
    cal = pure()
    assert all(not cal.is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert cal.kind(D(2025, 10, 6)).name == "中秋"
    assert cal.kind(D(2025, 9, 28)).kind == CalendarKind.MAKEUP_WORKDAY
    assert cal.kind(D(2025, 10, 11)).kind == CalendarKind.MAKEUP_WORKDAY
    assert cal.kind(D(2025, 10, 12)).kind == CalendarKind.WEEKEND


def test_ordinary_days_come_from_the_weekday() -> None:
    cal = pure()
    monday = cal.kind(D(2025, 6, 9))
    sunday = cal.kind(D(2025, 6, 8))
    assert (monday.kind, monday.origin) == (CalendarKind.WORKDAY, DayOrigin.WEEKDAY)
    assert (sunday.kind, sunday.origin) == (CalendarKind.WEEKEND, DayOrigin.WEEKDAY)


def test_unknown_year_is_answered_from_weekday_and_flagged_assumed() -> None:
    cal = pure()
    day = D(UNKNOWN_YEAR, 1, 1)
    info = cal.kind(day)
    assert info.assumed
    assert info.kind in (CalendarKind.WORKDAY, CalendarKind.WEEKEND)
    assert info.is_workday == (day.weekday() < 5)


def test_next_workday_skips_the_whole_holiday() -> None:
    assert pure().next_workday(D(2025, 9, 30)) == D(2025, 10, 9)


def test_year_days_lists_holidays_and_makeup_days() -> None:
    days = pure().year_days(2026)
    kinds = {d.date: d.kind for d in days}
    assert kinds[D(2026, 2, 14)] == CalendarKind.MAKEUP_WORKDAY
    assert kinds[D(2026, 10, 1)] == CalendarKind.HOLIDAY
    assert D(2026, 3, 3) not in kinds
    assert pure().year_days(UNKNOWN_YEAR) == []


@pytest.mark.django_db
def test_overrides_win_over_the_package_and_load_in_one_query(personas) -> None:
    clock_services.calendar_day_set(
        actor=personas.admin,
        date=D(2026, 2, 24),
        kind="holiday",
        name="春节（延长）",
        source="测试通知",
    )
    clock_services.calendar_day_set(
        actor=personas.admin, date=D(2026, 2, 21), kind="workday", name="调休", source="测试通知"
    )
    cal = WorkCalendar()
    with CaptureQueriesContext(connection) as queries:
        for offset in range(60):
            cal.kind(D(2026, 2, 1) + datetime.timedelta(days=offset))
    assert len(queries) == 1
    extended = cal.kind(D(2026, 2, 24))
    assert (extended.kind, extended.origin, extended.name) == (
        CalendarKind.HOLIDAY,
        DayOrigin.OVERRIDE,
        "春节（延长）",
    )
    assert cal.kind(D(2026, 2, 21)).kind == CalendarKind.MAKEUP_WORKDAY
    assert cal.kind(D(2026, 2, 21)).source == "测试通知"


@pytest.mark.django_db
def test_calendar_year_makes_a_year_known(personas) -> None:
    assert not WorkCalendar().is_known_year(UNKNOWN_YEAR)
    clock_services.calendar_year_mark_known(
        actor=personas.admin, year=UNKNOWN_YEAR, source="国务院办公厅关于部分节假日安排的通知"
    )
    cal = WorkCalendar()
    assert cal.is_known_year(UNKNOWN_YEAR)
    assert not cal.kind(D(UNKNOWN_YEAR, 3, 1)).assumed


@pytest.mark.django_db
def test_calendar_services_record_audit_events(personas) -> None:
    day = clock_services.calendar_day_set(
        actor=personas.admin, date=D(2026, 3, 4), kind="holiday", name="测试", source="通知"
    )
    clock_services.calendar_day_set(
        actor=personas.admin, date=D(2026, 3, 4), kind="holiday", name="测试2", source="通知"
    )
    assert CalendarDay.objects.get().name == "测试2"
    clock_services.calendar_day_delete(actor=personas.admin, day=day)
    assert not CalendarDay.objects.exists()
    clock_services.calendar_year_mark_known(actor=personas.admin, year=UNKNOWN_YEAR, source="通知")
    verbs = list(
        AuditEvent.objects.filter(object_type__in=["core.calendarday", "core.calendaryear"])
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "core.calendarday.set",
        "core.calendarday.set",
        "core.calendarday.delete",
        "core.calendaryear.mark_known",
    ]
    update = AuditEvent.objects.filter(verb="core.calendarday.set").order_by("seq").last()
    assert update is not None
    assert update.before is not None
    assert update.after is not None
    assert (update.before["name"], update.after["name"]) == ("测试", "测试2")


@pytest.mark.django_db
def test_officer_may_not_change_the_calendar(personas) -> None:
    with pytest.raises(NotAllowed):
        clock_services.calendar_day_set(
            actor=personas.county_a_officer, date=D(2026, 3, 4), kind="holiday", source="x"
        )
    with pytest.raises(NotAllowed):
        clock_services.calendar_year_mark_known(
            actor=personas.county_a_officer, year=UNKNOWN_YEAR, source="x"
        )
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_only_system_administrators_own_the_calendar(personas) -> None:
    """The reported bug: a county legal reviewer made 2027-03-02 a holiday for everyone."""
    from fazhi.core.tests import factories

    county_legal = factories.unit("法规股", personas.county_a)
    county_reviewer = factories.user("a_reviewer", county_legal, "legal_reviewer")
    for actor in (county_reviewer, personas.city_reviewer):
        with pytest.raises(NotAllowed):
            clock_services.calendar_day_set(
                actor=actor, date=D(2027, 3, 2), kind="holiday", source="通知"
            )
        with pytest.raises(NotAllowed):
            clock_services.calendar_year_mark_known(actor=actor, year=UNKNOWN_YEAR, source="x")
        assert not clock_services.may_edit(actor, "core.add_calendarday")
    assert not CalendarDay.objects.exists()
    day = clock_services.calendar_day_set(
        actor=personas.admin, date=D(2027, 3, 2), kind="holiday", source="通知"
    )
    with pytest.raises(NotAllowed):
        clock_services.calendar_day_delete(actor=county_reviewer, day=day)
    assert AuditEvent.objects.filter(verb="core.calendarday.set", actor=personas.admin).exists()
    # The page shows the reviewer no form to enter one.
    page = personas.client(personas.city_reviewer).get("/core/calendar/?year=2027")
    assert page.status_code == 200
    assert not page.context["may_set_day"]


@pytest.mark.django_db
def test_only_system_administrators_own_the_clock_rules(personas) -> None:
    from fazhi.core.models import ClockRule

    rule = ClockRule.objects.order_by("pk")[0]
    with pytest.raises(NotAllowed):
        clock_services.clock_rule_update(actor=personas.city_reviewer, rule=rule, notes="x")
    with pytest.raises(NotAllowed):
        clock_services.clock_rule_add_version(
            actor=personas.city_reviewer,
            code=rule.code,
            name=rule.name,
            length=rule.length,
            unit=rule.unit,
            source=rule.source,
            effective_from=D(2031, 1, 1),
        )
    clock_services.clock_rule_update(actor=personas.admin, rule=rule, notes="核对")


@pytest.mark.django_db
def test_marking_a_bundled_year_known_is_refused(personas) -> None:
    with pytest.raises(DomainError) as exc:
        clock_services.calendar_year_mark_known(actor=personas.admin, year=2025, source="x")
    assert exc.value.field == "year"
    assert not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_override_needs_a_source(personas) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        clock_services.calendar_day_set(
            actor=personas.admin, date=D(2026, 3, 4), kind="holiday", source=" "
        )
    assert "source" in exc.value.message_dict
