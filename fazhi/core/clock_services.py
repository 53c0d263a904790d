"""Writes for the calendar and the time-limit rules, each with its audit event.

These records are shared by every agency (a holiday is a holiday for all) and
come from national law (the State Council's holiday notice, statutes), so they
are national rule data: besides the permission, ``policy.require_rule_owner``
keeps every change to the system administrators. A county or the city asks
for a change through a rule proposal (``fazhi.core.proposals``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core import policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.calendar import PACKAGE_MAX_YEAR, PACKAGE_MIN_YEAR
from fazhi.core.clocks import MAX_LENGTH
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.models import CalendarDay, CalendarYear, ClockRule

DAY_FIELDS = ["date", "kind", "name", "source"]
YEAR_FIELDS = ["year", "source"]
RULE_FIELDS = [
    "code",
    "name",
    "length",
    "unit",
    "start_day_counts",
    "roll_forward",
    "pausable",
    "source",
    "province",
    "verified",
    "effective_from",
    "effective_to",
    "notes",
]
RULE_METADATA_FIELDS = ["name", "source", "verified", "notes"]
# Years an administrator may enter: a sanity bound against typos, not a legal rule.
YEAR_RANGE = (1990, 2100)


REFUSED = gettext_lazy("You may not change the calendar or the time-limit rules.")


def _require(actor: Any, permission: str) -> None:
    # National data: a legal reviewer of a city or county may read it, not change it.
    policy.require_rule_change(actor, permission, level_unit=None, message=REFUSED)


def may_edit(actor: Any, permission: str) -> bool:
    """Answer ``_require`` as a boolean, for the pages' buttons."""
    return policy.may_change_rules(actor, permission, level_unit=None)


def _check_year(year: int, field: str) -> None:
    low, high = YEAR_RANGE
    if not low <= year <= high:
        raise DomainError(
            _("Enter a year between %(low)d and %(high)d.") % {"low": low, "high": high},
            field=field,
        )


@policy.requires_any("core.add_calendarday", "core.change_calendarday", message=REFUSED)
@transaction.atomic
def calendar_day_set(
    *, actor: Any, date: datetime.date, kind: str, name: str = "", source: str
) -> CalendarDay:
    """Enter or change the override for one day (法定节假日 or 调休上班日)."""
    _check_year(date.year, "date")
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        _require(actor, "core.add_calendarday")
        day = CalendarDay(date=date)
        before = None
    else:
        _require(actor, "core.change_calendarday")
        before = snapshot(day, DAY_FIELDS)
    day.kind = kind
    day.name = name.strip()
    day.source = source.strip()
    day.full_clean()
    day.save()
    audit_record(
        actor=actor,
        verb="core.calendarday.set",
        obj=day,
        before=before,
        after=snapshot(day, DAY_FIELDS),
    )
    return day


@policy.requires("core.delete_calendarday", message=REFUSED)
@transaction.atomic
def calendar_day_delete(*, actor: Any, day: CalendarDay) -> None:
    """Remove an override; the day falls back to the State Council notice."""
    _require(actor, "core.delete_calendarday")
    day = CalendarDay.objects.select_for_update().get(pk=day.pk)
    before = snapshot(day, DAY_FIELDS)
    audit_record(actor=actor, verb="core.calendarday.delete", obj=day, before=before)
    day.delete()


@policy.requires("core.add_calendaryear", message=REFUSED)
@transaction.atomic
def calendar_year_mark_known(*, actor: Any, year: int, source: str) -> CalendarYear:
    """Record that a year's holiday notice has been entered (or fix its citation)."""
    _require(actor, "core.add_calendaryear")
    _check_year(year, "year")
    if PACKAGE_MIN_YEAR <= year <= PACKAGE_MAX_YEAR:
        raise DomainError(
            _("The holidays of %(year)d are already known from the bundled State Council notices.")
            % {"year": year},
            field="year",
        )
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = snapshot(row, YEAR_FIELDS) if row is not None else None
    if row is None:
        row = CalendarYear(year=year)
    row.source = source.strip()
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        verb="core.calendaryear.mark_known",
        obj=row,
        before=before,
        after=snapshot(row, YEAR_FIELDS),
    )
    return row


@policy.requires_any("core.add_clockrule", "core.change_clockrule", message=REFUSED)
@transaction.atomic
def clock_rule_add_version(
    *,
    actor: Any,
    code: str,
    name: str,
    length: int,
    unit: str,
    source: str,
    effective_from: datetime.date,
    effective_to: datetime.date | None = None,
    start_day_counts: bool = False,
    roll_forward: bool = True,
    pausable: bool = False,
    verified: bool = False,
    notes: str = "",
    province: str = "",
) -> ClockRule:
    """Add a version of rule ``code`` in force from ``effective_from``.

    The version in force before it is closed the day before; a version that
    starts later is left alone, so the new one must end before it. A
    province's versions (``province``) form their own line beside the national one.
    """
    versions = list(
        ClockRule.objects.select_for_update()
        .filter(code=code, province=province)
        .order_by("effective_from")
    )
    _require(actor, "core.change_clockrule" if versions else "core.add_clockrule")
    if any(v.effective_from == effective_from for v in versions):
        raise Conflict(
            _("A version of this rule already starts on %(date)s.")
            % {"date": effective_from.isoformat()},
            field="effective_from",
        )
    earlier = [v for v in versions if v.effective_from < effective_from]
    later = [v for v in versions if v.effective_from > effective_from]
    if later and (effective_to is None or effective_to >= later[0].effective_from):
        raise DomainError(
            _("A later version starts on %(date)s: this version must end before that day.")
            % {"date": later[0].effective_from.isoformat()},
            field="effective_to",
        )
    rule = ClockRule(
        code=code,
        name=name.strip(),
        length=length,
        unit=unit,
        start_day_counts=start_day_counts,
        roll_forward=roll_forward,
        pausable=pausable,
        source=source.strip(),
        province=province,
        verified=verified,
        effective_from=effective_from,
        effective_to=effective_to,
        notes=notes.strip(),
    )
    rule.full_clean()
    if unit in MAX_LENGTH and length > MAX_LENGTH[unit]:
        raise DomainError(
            _("A time limit in these units may be at most %(max)d.") % {"max": MAX_LENGTH[unit]},
            field="length",
        )
    if earlier:
        previous = earlier[-1]
        if previous.effective_to is None or previous.effective_to >= effective_from:
            before = snapshot(previous, RULE_FIELDS)
            previous.effective_to = effective_from - datetime.timedelta(days=1)
            previous.full_clean()
            previous.save(update_fields=["effective_to"])
            audit_record(
                actor=actor,
                verb="core.clockrule.close",
                obj=previous,
                before=before,
                after=snapshot(previous, RULE_FIELDS),
            )
    rule.save()
    audit_record(
        actor=actor, verb="core.clockrule.add_version", obj=rule, after=snapshot(rule, RULE_FIELDS)
    )
    return rule


@policy.requires("core.change_clockrule", message=REFUSED)
@transaction.atomic
def clock_rule_update(*, actor: Any, rule: ClockRule, **fields: Any) -> ClockRule:
    """Change a version's name, citation, notes or verified flag.

    The counting itself (length, unit, dates) changes only through a new version,
    so that deadlines computed earlier stay explainable.
    """
    _require(actor, "core.change_clockrule")
    unknown = set(fields) - set(RULE_METADATA_FIELDS)
    if unknown:
        raise DomainError(
            _("Add a new version to change how the rule counts."), field=sorted(unknown)[0]
        )
    rule = ClockRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, RULE_FIELDS)
    for name, value in fields.items():
        setattr(rule, name, value.strip() if isinstance(value, str) else value)
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        verb="core.clockrule.update",
        obj=rule,
        before=before,
        after=snapshot(rule, RULE_FIELDS),
    )
    return rule
