"""先行登记保存: 7 working days to decide on preserved evidence (行政处罚法 Art. 56, 85).

The notice starts the clock, the decision stops it; a late decision is still
recorded (the law sets no consequence) and marked late, and until then the
case is red on the deadline board.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fazhi.cases import services
from fazhi.cases.choices import EventKind
from fazhi.cases.documents import record_make
from fazhi.cases.models import Case
from fazhi.cases.preservation import CLOCK, case_preservations, preservation_decide
from fazhi.cases.selectors import deadline_board
from fazhi.cases.tests import factories
from fazhi.core.choices import ClockState
from fazhi.core.errors import Conflict, DomainError, NotAllowed, OutOfScope
from fazhi.core.models import AuditEvent, ObjectClock
from fazhi.core.workflow import clock_start_missing, clocks_for

D = datetime.date


@pytest.fixture
def root(personas: Any) -> Any:
    return factories.superuser(personas.city)


def _filed(personas: Any, root: Any) -> Case:
    case = factories.case(personas.county_a_brigade)
    return services.case_transition(actor=root, case=case, name="file", on=D(2026, 9, 21))


def _notice(root: Any, case: Case, on: datetime.date) -> Any:
    return record_make(
        actor=root,
        case=case,
        code="evidence_preservation_notice",
        text="液氨钢瓶 3 只；出入库台账 1 册",
        on=on,
    )


def test_the_notice_starts_seven_working_days_over_the_national_day_holiday(
    personas: Any, root: Any
) -> None:
    case = _filed(personas, root)
    notice = _notice(root, case, D(2026, 9, 29))
    clock = clocks_for(case).get(rule_code=CLOCK)
    # 9-30; 10-1…10-7 国庆 skipped; 10-8, 10-9, 10-10 (调休上班日), 10-12, 10-13, 10-14.
    assert clock.started_on == D(2026, 9, 29)
    assert clock.due_on == D(2026, 10, 14)
    assert clock.state == ClockState.RUNNING
    kinds = [step["kind"] for step in clock.derivation["derivation"]]
    assert "holiday" in kinds
    assert "makeup_workday" in kinds
    assert AuditEvent.objects.filter(verb="cases.preservation.start").count() == 1
    (row,) = case_preservations(case)
    assert row.notice == notice
    assert row.decision is None
    # A second notice has its own clock.
    _notice(root, case, D(2026, 10, 9))
    assert clocks_for(case).filter(rule_code=CLOCK).count() == 2


def test_a_decision_in_time_stops_the_clock(personas: Any, root: Any) -> None:
    case = _filed(personas, root)
    notice = _notice(root, case, D(2026, 9, 29))
    officer = personas.county_a_officer
    event = preservation_decide(
        actor=officer,
        case=case,
        notice_id=notice.pk,
        outcome="release",
        reason="经检测未见异常，解除先行登记保存，退还当事人",
        on=D(2026, 10, 14),
    )
    assert event.kind == EventKind.PRESERVATION
    assert event.data["outcome"] == "release"
    assert event.data["late"] is False
    assert event.data["notice"] == notice.number
    clock = clocks_for(case).get(rule_code=CLOCK)
    assert clock.state == ClockState.STOPPED
    assert clock.stopped_on == D(2026, 10, 14)
    audit = AuditEvent.objects.get(verb="cases.preservation.decide")
    assert audit.after is not None
    assert audit.after["outcome"] == "release"
    # Decided once: a second decision is refused.
    with pytest.raises(Conflict):
        preservation_decide(
            actor=officer, case=case, notice_id=notice.pk, outcome="seize", reason="再次决定"
        )


def test_a_late_decision_is_recorded_as_late_and_the_board_shows_it_until_then(
    personas: Any, root: Any
) -> None:
    case = _filed(personas, root)
    notice = _notice(root, case, D(2026, 9, 29))
    officer = personas.county_a_officer
    board = deadline_board(actor=officer, today=D(2026, 10, 15), mine=False)
    assert board.filter(rule_code=CLOCK, object_id=case.pk).exists()
    (row,) = case_preservations(case)
    assert row.overdue(D(2026, 10, 15))
    assert not row.overdue(D(2026, 10, 14))
    event = preservation_decide(
        actor=officer,
        case=case,
        notice_id=notice.pk,
        outcome="seize",
        reason="涉嫌非法储存危险化学品，依法扣押",
        on=D(2026, 10, 15),
    )
    assert event.data["late"] is True
    board = deadline_board(actor=officer, today=D(2026, 10, 15), mine=False)
    assert not board.filter(rule_code=CLOCK, object_id=case.pk).exists()


def test_refusals(personas: Any, root: Any) -> None:
    case = _filed(personas, root)
    notice = _notice(root, case, D(2026, 9, 29))
    officer = personas.county_a_officer
    ok = {"notice_id": notice.pk, "outcome": "release", "reason": "退还"}
    with pytest.raises(NotAllowed):
        preservation_decide(actor=personas.leader, case=case, **ok)
    with pytest.raises(OutOfScope):
        preservation_decide(actor=personas.county_b_officer, case=case, **ok)
    with pytest.raises(DomainError) as bad:
        preservation_decide(actor=officer, case=case, **{**ok, "outcome": "destroy"})
    assert bad.value.field == "outcome"
    with pytest.raises(DomainError) as bad:
        preservation_decide(actor=officer, case=case, **{**ok, "reason": "  "})
    assert bad.value.field == "reason"
    with pytest.raises(DomainError) as bad:
        preservation_decide(actor=officer, case=case, **{**ok, "notice_id": notice.pk + 999})
    assert bad.value.field == "key"
    with pytest.raises(DomainError):
        preservation_decide(actor=officer, case=case, **ok, on=D(2026, 9, 28))
    Case.objects.filter(pk=case.pk).update(state="closed")
    case.refresh_from_db()
    with pytest.raises(Conflict):
        preservation_decide(actor=officer, case=case, **ok)
    assert clocks_for(case).get(rule_code=CLOCK).state == ClockState.RUNNING


def test_start_if_missing_leaves_an_existing_clock_alone(personas: Any, root: Any) -> None:
    case = _filed(personas, root)
    first, started = clock_start_missing(
        case, CLOCK, on=D(2026, 9, 29), unit=case.unit, key="notice-x"
    )
    assert started
    assert first.due_on == D(2026, 10, 14)
    again, started = clock_start_missing(
        case, CLOCK, on=D(2026, 10, 9), unit=case.unit, key="notice-x"
    )
    assert not started
    assert again.pk == first.pk
    assert again.due_on == D(2026, 10, 14)
    assert ObjectClock.objects.filter(rule_code=CLOCK).count() == 1


def test_decide_through_the_page_and_the_api(personas: Any, root: Any) -> None:
    case = _filed(personas, root)
    client = personas.client(personas.county_a_officer)
    made = client.post(
        f"/api/v1/cases/{case.pk}/documents",
        {"code": "evidence_preservation_notice", "text": "账簿一册"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    notice_id = made.json()["id"]
    listed = client.get(f"/api/v1/cases/{case.pk}/preservations").json()
    assert [(r["notice_id"], r["state"], r["outcome"]) for r in listed] == [
        (notice_id, "running", "")
    ]
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'data-preservation="{notice_id}"' in page
    assert f"/cases/{case.pk}/preservations/{notice_id}/decide/" in page
    response = client.post(
        f"/cases/{case.pk}/preservations/{notice_id}/decide/",
        {"outcome": "hand_over", "reason": "移送市场监管部门处理"},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "移送市场监管部门处理" in page
    assert 'data-testid="preservation-decide"' not in page
    again = client.post(
        f"/api/v1/cases/{case.pk}/preservations/{notice_id}/decision",
        {"outcome": "release", "reason": "退还"},
        content_type="application/json",
    )
    assert again.status_code == 409
    other = personas.client(personas.county_b_officer)
    assert other.get(f"/api/v1/cases/{case.pk}/preservations").status_code == 404


def test_decide_through_the_api(personas: Any, root: Any) -> None:
    case = _filed(personas, root)
    notice = _notice(root, case, D(2026, 9, 29))
    client = personas.client(personas.county_a_officer)
    bad = client.post(
        f"/api/v1/cases/{case.pk}/preservations/{notice.pk}/decision",
        {"outcome": "burn", "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    done = client.post(
        f"/api/v1/cases/{case.pk}/preservations/{notice.pk}/decision",
        {"outcome": "confiscate", "reason": "在处罚决定中依法没收"},
        content_type="application/json",
    )
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["state"] == "stopped"
    assert body["outcome"] == "confiscate"
    assert body["late"] is True  # decided today, long after 2026-10-14
    assert body["due_on"] == "2026-10-14"


def test_backfill_starts_the_missing_clocks_once(personas: Any, root: Any) -> None:
    """Notices issued before the clock existed get it; a second run changes nothing."""
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from fazhi.cases.choices import CaseState

    open_case = _filed(personas, root)
    closed_case = _filed(personas, root)
    first = _notice(root, open_case, D(2026, 9, 29))
    kept = _notice(root, open_case, D(2026, 10, 8))
    old = _notice(root, closed_case, D(2026, 9, 29))
    # Before the clock existed: no clock for two of the notices.
    ObjectClock.objects.filter(key__in=[f"notice-{first.pk}", f"notice-{old.pk}"]).delete()
    Case.objects.filter(pk=closed_case.pk).update(state=CaseState.CLOSED, closed_on=D(2026, 12, 1))
    untouched = clocks_for(open_case).get(key=f"notice-{kept.pk}")

    out = StringIO()
    call_command("case_preservation_backfill", stdout=out)
    assert "OK (2 clocks started)" in out.getvalue()
    made_on = timezone.localdate(first.created_at)
    clock = clocks_for(open_case).get(key=f"notice-{first.pk}")
    assert clock.state == ClockState.RUNNING
    assert clock.started_on == made_on
    assert clock.derivation["rule"]["code"] == CLOCK
    closed = clocks_for(closed_case).get(key=f"notice-{old.pk}")
    assert closed.state == ClockState.STOPPED
    assert closed.stopped_on == max(D(2026, 12, 1), made_on)
    assert clocks_for(open_case).get(key=f"notice-{kept.pk}").updated_at == untouched.updated_at
    events = AuditEvent.objects.filter(verb="cases.preservation.start", after__backfilled=True)
    assert events.count() == 2

    again = StringIO()
    call_command("case_preservation_backfill", stdout=again)
    assert "OK (0 clocks started)" in again.getvalue()
    assert ObjectClock.objects.filter(rule_code=CLOCK).count() == 3
    assert events.count() == 2
