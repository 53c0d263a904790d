"""The clock engine: properties, worked examples, rules and their versions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi.core import clock_services
from fazhi.core.calendar import PACKAGE_MAX_YEAR, Override, WorkCalendar
from fazhi.core.clock_rules import clock_rule_get, clock_rule_list
from fazhi.core.clocks import (
    Pause,
    StepKind,
    add_months,
    deadline_compute,
    deadline_compute_for_rule,
    working_days_between,
)
from fazhi.core.errors import Conflict, DomainError, NotAllowed
from fazhi.core.models import AuditEvent, ClockRule

D = datetime.date
UNKNOWN_YEAR = PACKAGE_MAX_YEAR + 1
CAL = WorkCalendar(overrides={}, extra_known_years=())

starts = st.dates(min_value=D(2004, 1, 1), max_value=D(PACKAGE_MAX_YEAR + 2, 12, 31))
lengths = st.integers(min_value=1, max_value=120)
pause_spans = st.lists(
    st.tuples(st.integers(min_value=-10, max_value=150), st.integers(min_value=0, max_value=40)),
    max_size=3,
)


def _pauses(start: datetime.date, spans: list[tuple[int, int]]) -> list[Pause]:
    return [
        Pause(
            start + datetime.timedelta(days=a), start + datetime.timedelta(days=a + n), "专家评审"
        )
        for a, n in spans
    ]


def _paused_day(day: datetime.date, pauses: list[Pause]) -> bool:
    return any(p.start <= day <= p.end for p in pauses)


# -- properties ------------------------------------------------------------------


@given(start=starts, length=lengths)
def test_workday_due_is_a_working_day_after_start_with_exact_count(start, length) -> None:
    result = deadline_compute(start=start, length=length, unit="workday", calendar=CAL)
    assert result.due > start
    assert CAL.is_workday(result.due)
    assert working_days_between(start, result.due, calendar=CAL) == length


@given(start=starts, length=st.integers(min_value=1, max_value=60))
def test_workday_due_is_monotone_in_length(start, length) -> None:
    shorter = deadline_compute(start=start, length=length, unit="workday", calendar=CAL)
    longer = deadline_compute(start=start, length=length + 1, unit="workday", calendar=CAL)
    assert longer.due > shorter.due


@given(start=starts, length=st.integers(min_value=1, max_value=400))
def test_calendar_period_rolls_to_the_first_working_day(start, length) -> None:
    plain = start + datetime.timedelta(days=length)
    result = deadline_compute(start=start, length=length, unit="calendar", calendar=CAL)
    assert result.due >= plain > start
    assert CAL.is_workday(result.due)
    day = plain
    while day < result.due:
        assert not CAL.is_workday(day)
        day += datetime.timedelta(days=1)


@given(start=starts, length=st.integers(min_value=1, max_value=400))
def test_calendar_period_without_roll_is_start_plus_n(start, length) -> None:
    result = deadline_compute(
        start=start, length=length, unit="calendar", roll_forward=False, calendar=CAL
    )
    assert result.due == start + datetime.timedelta(days=length)


@given(
    start=starts,
    length=st.integers(min_value=1, max_value=60),
    unit=st.sampled_from(["calendar", "month", "year"]),
)
def test_calendar_units_are_monotone_in_length(start, length, unit) -> None:
    if unit == "year":
        length = min(length, 20)
    shorter = deadline_compute(start=start, length=length, unit=unit, calendar=CAL)
    longer = deadline_compute(start=start, length=length + 1, unit=unit, calendar=CAL)
    assert longer.due >= shorter.due > start


@given(start=starts, length=st.integers(min_value=1, max_value=60), spans=pause_spans)
def test_workday_pauses_skip_working_days_and_never_shorten(start, length, spans) -> None:
    pauses = _pauses(start, spans)
    plain = deadline_compute(start=start, length=length, unit="workday", calendar=CAL)
    paused = deadline_compute(
        start=start, length=length, unit="workday", pauses=pauses, calendar=CAL
    )
    assert paused.due >= plain.due
    assert CAL.is_workday(paused.due)
    assert not _paused_day(paused.due, pauses)
    assert working_days_between(start, paused.due, calendar=CAL, pauses=pauses) == length


@given(
    start=starts,
    length=st.integers(min_value=1, max_value=200),
    unit=st.sampled_from(["calendar", "month"]),
    spans=pause_spans,
)
def test_calendar_pauses_never_make_the_due_date_earlier(start, length, unit, spans) -> None:
    pauses = _pauses(start, spans)
    if unit == "month":
        length = min(length, 24)
    plain = deadline_compute(start=start, length=length, unit=unit, calendar=CAL)
    paused = deadline_compute(start=start, length=length, unit=unit, pauses=pauses, calendar=CAL)
    assert paused.due >= plain.due


@given(start=starts, length=st.integers(min_value=1, max_value=200), spans=pause_spans)
def test_calendar_pauses_leave_exactly_n_running_days(start, length, spans) -> None:
    pauses = _pauses(start, spans)
    result = deadline_compute(
        start=start,
        length=length,
        unit="calendar",
        roll_forward=False,
        pauses=pauses,
        calendar=CAL,
    )
    running = sum(
        1
        for offset in range(1, (result.due - start).days + 1)
        if not _paused_day(start + datetime.timedelta(days=offset), pauses)
    )
    assert running == length
    assert not _paused_day(result.due, pauses)


@given(start=starts, months=st.integers(min_value=1, max_value=60))
@settings(max_examples=50)
def test_month_periods_end_on_the_same_day_number_or_month_end(start, months) -> None:
    target, clipped = add_months(start, months)
    assert (target.year * 12 + target.month) - (start.year * 12 + start.month) == months
    assert target.day == start.day or (clipped and (target + datetime.timedelta(days=1)).day == 1)
    result = deadline_compute(start=start, length=months, unit="month", calendar=CAL)
    assert result.due >= target
    assert CAL.is_workday(result.due)


# -- worked examples -------------------------------------------------------------


def test_spring_festival_2026_workdays() -> None:
    result = deadline_compute(start=D(2026, 2, 12), length=5, unit="workday", calendar=CAL)
    assert result.due == D(2026, 2, 26)
    kinds = {step.date: step.kind for step in result.derivation if step.kind != StepKind.START}
    assert kinds[D(2026, 2, 13)] == StepKind.COUNTED
    assert kinds[D(2026, 2, 14)] == StepKind.MAKEUP
    assert all(kinds[D(2026, 2, d)] == StepKind.HOLIDAY for d in range(15, 24))
    assert kinds[D(2026, 2, 26)] == StepKind.DUE
    assert not result.provisional


def test_spring_festival_2026_counts_the_second_makeup_saturday() -> None:
    result = deadline_compute(start=D(2026, 2, 26), length=2, unit="workday", calendar=CAL)
    assert result.due == D(2026, 2, 28)
    makeup = [s for s in result.derivation if s.kind == StepKind.MAKEUP]
    assert [s.date for s in makeup] == [D(2026, 2, 28)]
    assert "春节" in makeup[0].text


def test_national_day_2025_crosses_two_makeup_days() -> None:
    result = deadline_compute(start=D(2025, 9, 26), length=7, unit="workday", calendar=CAL)
    assert result.due == D(2025, 10, 13)
    makeup = [s.date for s in result.derivation if s.kind == StepKind.MAKEUP]
    assert makeup == [D(2025, 9, 28), D(2025, 10, 11)]
    holidays = [s for s in result.derivation if s.kind == StepKind.HOLIDAY]
    assert len(holidays) == 8
    assert "中秋" in holidays[5].text


def test_calendar_period_ending_on_national_day_rolls_to_october_9() -> None:
    result = deadline_compute(start=D(2025, 9, 16), length=15, unit="calendar", calendar=CAL)
    assert result.due == D(2025, 10, 9)
    rolled = [s.date for s in result.derivation if s.kind == StepKind.ROLLED]
    assert rolled == [D(2025, 10, d) for d in range(1, 9)]
    assert "国庆" in next(s for s in result.derivation if s.kind == StepKind.ROLLED).text


def test_rule_without_roll_forward_says_so() -> None:
    result = deadline_compute(
        start=D(2025, 9, 16), length=15, unit="calendar", roll_forward=False, calendar=CAL
    )
    assert result.due == D(2025, 10, 1)
    assert result.derivation[-2].kind == StepKind.NOT_ROLLED


def test_start_day_counts() -> None:
    result = deadline_compute(
        start=D(2025, 6, 9), length=1, unit="workday", start_day_counts=True, calendar=CAL
    )
    assert result.due == D(2025, 6, 9)
    calendar = deadline_compute(
        start=D(2025, 6, 9), length=10, unit="calendar", start_day_counts=True, calendar=CAL
    )
    assert calendar.due == D(2025, 6, 18)


def test_month_end_is_clipped_then_rolled() -> None:
    result = deadline_compute(start=D(2025, 8, 31), length=6, unit="month", calendar=CAL)
    # 2026-02-28 is the make-up Saturday of the Spring Festival: a working day.
    assert result.due == D(2026, 2, 28)
    assert any(s.kind == StepKind.CLIPPED for s in result.derivation)


def test_license_decision_pause_moves_the_due_date_by_the_paused_working_days() -> None:
    start = D(2025, 3, 3)  # Monday; 20 WD end on 2025-03-31
    plain = deadline_compute(start=start, length=20, unit="workday", calendar=CAL)
    assert plain.due == D(2025, 3, 31)
    pause = Pause(D(2025, 3, 10), D(2025, 3, 14), "专家评审")  # Mon–Fri: 5 working days
    paused = deadline_compute(start=start, length=20, unit="workday", pauses=[pause], calendar=CAL)
    assert paused.due == D(2025, 4, 8)  # +5 WD, skipping 清明 (04-04) and the weekend
    texts = [s.text for s in paused.derivation if s.kind == StepKind.PAUSED]
    assert len(texts) == 5
    assert all("专家评审" in t for t in texts)


def test_calendar_pause_moves_the_end_out() -> None:
    result = deadline_compute(
        start=D(2025, 3, 1),
        length=10,
        unit="calendar",
        pauses=[(D(2025, 3, 3), D(2025, 3, 4), "鉴定")],
        calendar=CAL,
    )
    assert result.due == D(2025, 3, 13)
    extended = [s for s in result.derivation if s.kind == StepKind.EXTENDED]
    assert [(s.date, s.params["days"]) for s in extended] == [(D(2025, 3, 13), 2)]
    shift = [s for s in result.derivation if s.kind == StepKind.PAUSE_SHIFT]
    assert len(shift) == 1
    assert shift[0].params["days"] == 2


def test_pause_outside_the_period_has_no_effect_and_is_reported() -> None:
    result = deadline_compute(
        start=D(2025, 3, 3),
        length=3,
        unit="workday",
        pauses=[(D(2025, 5, 1), D(2025, 5, 3), "")],
        calendar=CAL,
    )
    assert result.due == D(2025, 3, 6)
    assert [s.kind for s in result.derivation].count(StepKind.PAUSE_IGNORED) == 1


def test_year_beyond_the_known_calendar_is_provisional() -> None:
    result = deadline_compute(start=D(UNKNOWN_YEAR, 3, 1), length=5, unit="workday", calendar=CAL)
    assert result.provisional
    assert result.unknown_years == (UNKNOWN_YEAR,)
    assert str(UNKNOWN_YEAR) in result.warnings[0]
    assert all(s.provisional for s in result.derivation if s.kind == StepKind.COUNTED)


def test_period_crossing_into_an_unknown_year_names_only_that_year() -> None:
    start = D(PACKAGE_MAX_YEAR, 12, 20)
    result = deadline_compute(start=start, length=20, unit="workday", calendar=CAL)
    assert result.unknown_years == (UNKNOWN_YEAR,)
    calendar = deadline_compute(start=start, length=5, unit="calendar", calendar=CAL)
    assert not calendar.provisional  # only the end day matters for a calendar period


def test_override_changes_a_result() -> None:
    start = D(2026, 3, 2)
    before = deadline_compute(start=start, length=3, unit="workday", calendar=CAL)
    assert before.due == D(2026, 3, 5)
    cal = WorkCalendar(
        overrides={D(2026, 3, 4): Override("holiday", "临时休假", "测试通知")},
        extra_known_years=(),
    )
    after = deadline_compute(start=start, length=3, unit="workday", calendar=cal)
    assert after.due == D(2026, 3, 6)
    assert any("临时休假" in s.text for s in after.derivation)


def test_bad_input_raises_field_errors() -> None:
    with pytest.raises(DomainError) as exc:
        deadline_compute(start=D(2025, 1, 1), length=0, unit="workday", calendar=CAL)
    assert exc.value.field == "length"
    with pytest.raises(DomainError) as exc:
        deadline_compute(start=D(2025, 1, 1), length=3, unit="fortnight", calendar=CAL)
    assert exc.value.field == "unit"
    with pytest.raises(DomainError) as exc:
        deadline_compute(start=D(2025, 1, 1), length=3, calendar=CAL)
    assert exc.value.field == "rule"
    with pytest.raises(DomainError) as exc:
        deadline_compute(
            start=D(2025, 1, 1),
            length=3,
            unit="workday",
            pauses=[(D(2025, 1, 5), D(2025, 1, 2))],
            calendar=CAL,
        )
    assert exc.value.field == "pause"
    with pytest.raises(DomainError) as exc:
        deadline_compute(start=D(9999, 12, 1), length=90, unit="calendar", calendar=CAL)
    assert exc.value.field == "length"


# -- database: rules, versions, overrides ----------------------------------------
SEEDED = {
    "penalty_decision": (90, "calendar", True),
    "penalty_hearing_request": (5, "workday", True),
    "penalty_hearing_notice": (7, "workday", True),
    "penalty_service": (7, "workday", True),
    "penalty_evidence_preservation": (7, "workday", True),
    "penalty_publication_withdraw": (3, "workday", True),
    "penalty_payment": (15, "calendar", True),
    "penalty_cash_handover": (2, "workday", True),
    "penalty_limitation": (2, "year", True),
    "license_correction_notice": (5, "workday", True),
    "license_decision": (20, "workday", True),
    "license_decision_extension": (10, "workday", True),
    "license_lower_level_review": (20, "workday", True),
    "license_certificate_issue": (10, "workday", True),
    "license_hearing_request": (5, "workday", False),
    "license_hearing_hold": (20, "workday", True),
    "license_hearing_notice": (7, "workday", True),
    "publicity_license_penalty": (7, "workday", False),
    "publicity_general": (20, "workday", False),
    "credit_publicity": (7, "workday", False),
    "reconsideration_application": (60, "calendar", True),
    "litigation_filing": (6, "month", True),
    "coercion_seizure": (30, "calendar", True),
    "enforcement_demand": (10, "workday", True),
    "legal_review": (5, "workday", False),
    "penalty_statement_defence": (3, "workday", False),
}


@pytest.mark.django_db
def test_seeded_rules_have_sources_and_verified_flags() -> None:
    on = D(2025, 6, 1)
    for code, (length, unit, verified) in SEEDED.items():
        rule = clock_rule_get(code, on=on)
        assert (rule.length, rule.unit, rule.verified) == (length, unit, verified), code
        assert rule.source, code
        if not verified:
            assert rule.notes, code
    assert clock_rule_get("license_decision", on=on).pausable
    assert not clock_rule_get("penalty_decision", on=on).pausable
    assert clock_rule_get("penalty_decision", on=on).effective_from == D(2021, 7, 15)
    assert clock_rule_get("reconsideration_application", on=on).effective_from == D(2024, 1, 1)


@pytest.mark.django_db
def test_rule_not_in_force_and_unknown_code_are_refused() -> None:
    with pytest.raises(DomainError) as exc:
        clock_rule_get("reconsideration_application", on=D(1999, 6, 1))
    assert exc.value.field == "rule"
    assert "1999-06-01" in str(exc.value.message)
    with pytest.raises(DomainError) as exc:
        clock_rule_get("no_such_rule", on=D(2025, 1, 1))
    assert "no_such_rule" in str(exc.value.message)


@pytest.mark.django_db
def test_rule_drives_the_computation_and_unverified_rules_warn() -> None:
    result = deadline_compute_for_rule(code="penalty_decision", start=D(2025, 7, 3))
    assert result.due == D(2025, 10, 9)  # 90 days → 10-01, rolled past National Day
    assert result.rule is not None
    assert result.rule.source == "《行政处罚法》第六十条"
    assert not result.warnings
    unverified = deadline_compute_for_rule(code="legal_review", start=D(2025, 7, 3))
    assert unverified.rule is not None
    assert not unverified.rule.verified
    assert any("legal_review" in w for w in unverified.warnings)


@pytest.mark.django_db
def test_pausing_a_rule_that_is_not_pausable_warns() -> None:
    result = deadline_compute_for_rule(
        code="penalty_payment", start=D(2025, 3, 3), pauses=[(D(2025, 3, 5), D(2025, 3, 6), "x")]
    )
    assert any("penalty_payment" in w for w in result.warnings)


@pytest.mark.django_db
def test_new_rule_version_is_picked_by_date_and_closes_the_old_one(personas) -> None:
    rule = clock_services.clock_rule_add_version(
        actor=personas.admin,
        code="penalty_payment",
        name="缴纳罚款（新）",
        length=20,
        unit="calendar",
        source="假设的修订",
        effective_from=D(2030, 1, 1),
        verified=True,
    )
    old = clock_rule_get("penalty_payment", on=D(2029, 12, 31))
    assert (old.length, old.effective_to) == (15, D(2029, 12, 31))
    assert clock_rule_get("penalty_payment", on=D(2030, 1, 1)).pk == rule.pk
    assert deadline_compute_for_rule(code="penalty_payment", start=D(2029, 12, 1)).length == 15
    assert deadline_compute_for_rule(code="penalty_payment", start=D(2030, 1, 2)).length == 20
    verbs = list(
        AuditEvent.objects.filter(object_type="core.clockrule")
        .order_by("seq")
        .values_list("verb", flat=True)
    )
    assert verbs == ["core.clockrule.close", "core.clockrule.add_version"]


@pytest.mark.django_db
def test_rule_versions_may_not_collide(personas) -> None:
    existing = clock_rule_get("penalty_payment", on=D(2025, 1, 1))
    fields: dict[str, Any] = {
        "code": "penalty_payment",
        "name": "x",
        "length": 15,
        "unit": "calendar",
        "source": "x",
    }
    with pytest.raises(Conflict):
        clock_services.clock_rule_add_version(
            actor=personas.admin, effective_from=existing.effective_from, **fields
        )
    with pytest.raises(DomainError) as exc:
        clock_services.clock_rule_add_version(
            actor=personas.admin, effective_from=D(2020, 1, 1), **fields
        )
    assert exc.value.field == "effective_to"
    historic = clock_services.clock_rule_add_version(
        actor=personas.admin,
        effective_from=D(2020, 1, 1),
        effective_to=existing.effective_from - datetime.timedelta(days=1),
        **fields,
    )
    assert clock_rule_get("penalty_payment", on=D(2020, 6, 1)).pk == historic.pk


@pytest.mark.django_db
def test_officer_may_not_add_rule_versions(personas) -> None:
    with pytest.raises(NotAllowed):
        clock_services.clock_rule_add_version(
            actor=personas.county_a_officer,
            code="penalty_payment",
            name="x",
            length=1,
            unit="calendar",
            source="x",
            effective_from=D(2031, 1, 1),
        )
    # The 1996 and the 2021 versions, nothing added.
    assert ClockRule.objects.filter(code="penalty_payment").count() == 2


@pytest.mark.django_db
def test_rule_update_changes_only_wording_and_verification(personas) -> None:
    rule = clock_rule_get("legal_review", on=D(2025, 1, 1))
    clock_services.clock_rule_update(
        actor=personas.admin, rule=rule, verified=True, source="某省规定第十条"
    )
    rule.refresh_from_db()
    assert rule.verified
    assert rule.source == "某省规定第十条"
    with pytest.raises(DomainError):
        clock_services.clock_rule_update(actor=personas.admin, rule=rule, length=10)
    assert AuditEvent.objects.filter(verb="core.clockrule.update", object_id=str(rule.pk)).exists()


@pytest.mark.django_db
def test_rule_list_filters() -> None:
    today = D(2025, 6, 1)
    assert clock_rule_list(verified=False).filter(code="legal_review").exists()
    assert not clock_rule_list(verified=True).filter(code="legal_review").exists()
    assert set(clock_rule_list(unit="month").values_list("code", flat=True)) >= {
        "litigation_filing"
    }
    assert clock_rule_list(q="复议").filter(code="reconsideration_application").exists()
    in_force = clock_rule_list(status="in_force", today=today).count()
    ended = clock_rule_list(status="ended", today=today)
    assert in_force + ended.count() == clock_rule_list().count()
    # The ended versions are the limits of the laws before their revision.
    assert set(ended.values_list("code", flat=True)) >= {"penalty_hearing_request"}
    assert all(rule.effective_to and rule.effective_to < today for rule in ended)


@pytest.mark.django_db
def test_computation_with_database_calendar_uses_one_query_for_overrides(
    personas, django_assert_max_num_queries
) -> None:
    clock_services.calendar_day_set(
        actor=personas.admin, date=D(2025, 3, 5), kind="holiday", name="测试", source="通知"
    )
    with django_assert_max_num_queries(1):
        result = deadline_compute(start=D(2025, 3, 3), length=20, unit="workday")
    assert result.due == D(2025, 4, 1)


@pytest.mark.django_db
def test_unknown_year_stops_being_provisional_once_marked_known(personas) -> None:
    start = D(UNKNOWN_YEAR, 1, 4)
    assert deadline_compute(start=start, length=5, unit="workday").provisional
    clock_services.calendar_year_mark_known(actor=personas.admin, year=UNKNOWN_YEAR, source="通知")
    result = deadline_compute(start=start, length=5, unit="workday")
    assert not result.provisional
    assert not result.warnings


def test_benchmark_builder_smoke() -> None:
    from bench.bench_clocks import compute_batch, plain_batch, rule_specs

    specs = rule_specs(size=20)
    assert len(compute_batch(specs, CAL)) == 20
    assert len(plain_batch(specs)) == 20
