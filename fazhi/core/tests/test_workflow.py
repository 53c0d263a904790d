"""The workflow engine: transitions, guards, permission vs scope, races, audit, clocks."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import OperationalError, connection, connections

from fazhi.core.choices import AttachmentRole, ClockState
from fazhi.core.errors import Conflict, DomainError, NotAllowed, OutOfScope, Refused
from fazhi.core.models import Attachment, AuditEvent, ObjectClock
from fazhi.core.tests.kitflow import FLOW, attachment
from fazhi.core.workflow import available_actions, clocks_due, clocks_for, transition

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


def _events(obj: Attachment) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="core.attachment", object_id=str(obj.pk)).order_by(
            "seq"
        )
    )


def test_an_allowed_transition_moves_the_state_and_writes_one_audit_event(personas):
    obj = attachment(personas.county_a_brigade, description="photo of the exit")
    moved = transition(
        obj, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW, on=MONDAY
    )
    assert moved.role == AttachmentRole.EVIDENCE
    assert Attachment.objects.get(pk=obj.pk).role == AttachmentRole.EVIDENCE
    [event] = _events(obj)
    assert event.before is not None
    assert event.after is not None
    assert event.verb == "core.attachment.mark_evidence"
    assert event.before["role"] == "other"
    assert event.after["role"] == "evidence"
    assert event.after["transition"]["clocks"][0]["rule"] == "license_decision"
    assert event.unit_id == personas.county_a_brigade.pk


def test_a_transition_from_a_state_it_does_not_leave_is_a_conflict(personas):
    obj = attachment(personas.county_a_brigade, role=AttachmentRole.DOCUMENT)
    with pytest.raises(Conflict):
        transition(obj, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW)
    assert _events(obj) == []


def test_a_guard_refuses_with_its_reason_and_nothing_is_written(personas):
    obj = attachment(personas.county_a_brigade)
    with pytest.raises(Refused) as refused:
        transition(obj, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW)
    assert refused.value.message == "Describe the file first."
    assert refused.value.status_code == 409
    assert Attachment.objects.get(pk=obj.pk).role == AttachmentRole.OTHER
    assert _events(obj) == []
    assert not ObjectClock.objects.exists()


def test_guards_see_the_day_of_the_transition(personas):
    obj = attachment(personas.county_a_brigade, description="x")
    sunday = datetime.date(2026, 3, 8)
    with pytest.raises(Refused, match="Not on a Sunday"):
        transition(obj, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW, on=sunday)


def test_missing_permission_is_not_allowed_403(personas):
    obj = attachment(personas.county_a_brigade, role=AttachmentRole.EVIDENCE)
    with pytest.raises(NotAllowed) as refused:
        transition(obj, "file", actor=personas.county_a_officer, workflow=FLOW)
    assert type(refused.value) is NotAllowed
    assert refused.value.status_code == 403


def test_an_object_of_another_county_is_out_of_scope_404(personas):
    obj = attachment(personas.county_b_brigade, description="x")
    with pytest.raises(OutOfScope) as refused:
        transition(obj, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW)
    assert refused.value.status_code == 404
    assert _events(obj) == []


def test_an_unknown_transition_name_is_a_domain_error(personas):
    obj = attachment(personas.county_a_brigade)
    with pytest.raises(DomainError) as refused:
        transition(obj, "explode", actor=personas.admin, workflow=FLOW)
    assert refused.value.field == "action"


def test_transition_data_is_checked_by_its_form(personas):
    obj = attachment(personas.county_a_brigade, description="x")
    transition(obj, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW, on=MONDAY)
    with pytest.raises(DomainError) as refused:
        transition(obj, "suspend", actor=personas.county_a_officer, workflow=FLOW)
    assert refused.value.field == "reason"


def test_available_actions_say_which_are_allowed_and_why_not_the_others(personas):
    obj = attachment(personas.county_a_brigade, role=AttachmentRole.EVIDENCE)
    actions = {
        a.name: a for a in available_actions(obj, actor=personas.county_a_officer, workflow=FLOW)
    }
    assert set(actions) == {"suspend", "carry_on", "file"}
    assert actions["suspend"].allowed
    assert actions["suspend"].reason is None
    assert not actions["file"].allowed
    assert actions["file"].reason
    blank = attachment(personas.county_a_brigade)
    [mark] = available_actions(blank, actor=personas.county_a_officer, workflow=FLOW)
    assert (mark.name, mark.allowed, mark.reason) == (
        "mark_evidence",
        False,
        "Describe the file first.",
    )
    assert available_actions(obj, actor=personas.county_b_officer, workflow=FLOW) == []


def test_the_table_reads_as_from_to_who_conditions_clocks():
    row = FLOW.table()[0]
    assert row.name == "mark_evidence"
    assert row.permission == "core.add_attachment"
    assert row.guards == (
        "The file must be described before it becomes evidence.",
        "Nothing is filed on a Sunday.",
    )
    assert row.clocks == ("start license_decision",)


def test_a_workflow_naming_an_unknown_state_is_refused_when_defined():
    from fazhi.core.workflow import Transition, Workflow

    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            name="bad",
            model=Attachment,
            state_field="role",
            states=AttachmentRole,
            transitions=(Transition("x", "x", ("other",), "nowhere", "core.add_attachment"),),
        )


# -- clocks -------------------------------------------------------------------------


def test_clocks_start_pause_resume_and_stop_with_their_derivation(personas):
    officer, admin = personas.county_a_officer, personas.admin
    obj = attachment(personas.county_a_brigade, description="x")
    transition(obj, "mark_evidence", actor=officer, workflow=FLOW, on=MONDAY)
    [clock] = clocks_for(obj)
    # 20 working days after Monday 2 March 2026 (no holidays in between).
    assert (clock.state, clock.started_on, clock.due_on) == (
        ClockState.RUNNING,
        MONDAY,
        datetime.date(2026, 3, 30),
    )
    assert clock.rule.code == "license_decision"
    assert clock.derivation["due"] == "2026-03-30"
    assert clock.derivation["rule"]["code"] == "license_decision"

    transition(
        obj, "suspend", actor=officer, workflow=FLOW, on=datetime.date(2026, 3, 9), reason="检验"
    )
    clock.refresh_from_db()
    assert clock.state == ClockState.PAUSED
    assert clock.pauses == [{"from": "2026-03-09", "to": None, "reason": "检验"}]

    transition(obj, "carry_on", actor=officer, workflow=FLOW, on=datetime.date(2026, 3, 16))
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING
    assert clock.pauses == [{"from": "2026-03-09", "to": "2026-03-15", "reason": "检验"}]
    # Five working days (9–13 March) were paused: the due date moves a week.
    assert clock.due_on == datetime.date(2026, 4, 7)
    assert any(step["kind"] == "paused" for step in clock.derivation["derivation"])

    transition(obj, "file", actor=admin, workflow=FLOW, on=datetime.date(2026, 3, 20))
    clock.refresh_from_db()
    assert (clock.state, clock.stopped_on) == (ClockState.STOPPED, datetime.date(2026, 3, 20))
    # One audit event per transition, clocks included in it.
    assert [e.verb.rsplit(".", 1)[1] for e in _events(obj)] == [
        "mark_evidence",
        "suspend",
        "carry_on",
        "file",
    ]


def test_a_clock_that_is_not_running_cannot_pause_and_the_transition_rolls_back(personas):
    obj = attachment(personas.county_a_brigade, role=AttachmentRole.EVIDENCE)
    with pytest.raises(Conflict):
        transition(obj, "suspend", actor=personas.county_a_officer, workflow=FLOW, reason="r")
    assert _events(obj) == []


def test_clocks_due_are_scoped_to_the_actor(personas):
    mine = attachment(personas.county_a_brigade, description="x")
    theirs = attachment(personas.county_b_brigade, description="x")
    transition(mine, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW, on=MONDAY)
    transition(theirs, "mark_evidence", actor=personas.county_b_officer, workflow=FLOW, on=MONDAY)
    soon = datetime.date(2026, 4, 1)
    assert [c.object_id for c in clocks_due(actor=personas.county_a_officer, before=soon)] == [
        mine.pk
    ]
    assert clocks_due(actor=personas.county_a_officer, before=MONDAY).count() == 0
    assert clocks_due(actor=personas.admin, before=soon).count() == 2


# -- races ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_transition_fired_twice_at_once_happens_exactly_once(personas):
    obj = attachment(personas.county_a_brigade, description="x")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def fire() -> None:
        try:
            barrier.wait()
            transition(
                obj, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW, on=MONDAY
            )
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        except OperationalError:
            # SQLite's shared in-memory test database answers a second writer
            # "locked" at once instead of waiting; PostgreSQL waits for the row.
            outcomes.append("locked")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1
    loser = (
        "conflict" if connection.vendor == "postgresql" else outcomes[1 - outcomes.index("won")]
    )
    assert loser in {"conflict", "locked"}
    assert sorted(outcomes) == sorted(["won", loser])
    assert len(_events(obj)) == 1
    assert ObjectClock.objects.filter(object_id=obj.pk).count() == 1


def test_a_clock_uses_the_version_of_its_units_province(personas):
    from fazhi.core.clock_rules import clock_rule_get
    from fazhi.core.clock_services import clock_rule_add_version

    national = clock_rule_get("license_decision", on=MONDAY)
    clock_rule_add_version(
        actor=personas.admin,
        code="license_decision",
        name=national.name,
        length=15,
        unit=national.unit,
        source="某省规定（测试）",
        effective_from=datetime.date(2020, 1, 1),
        province="37",
    )
    county = personas.county_a  # the brigade's agency: its region code decides
    county.region_code = "370811"
    county.save(update_fields=["region_code"])
    shandong = attachment(personas.county_a_brigade, description="x")
    transition(
        shandong, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW, on=MONDAY
    )
    [clock] = clocks_for(shandong)
    assert (clock.rule.province, clock.due_on) == ("37", datetime.date(2026, 3, 23))
    county.region_code = "140105"
    county.save(update_fields=["region_code"])
    elsewhere = attachment(personas.county_a_brigade, description="y")
    transition(
        elsewhere, "mark_evidence", actor=personas.county_a_officer, workflow=FLOW, on=MONDAY
    )
    [clock] = clocks_for(elsewhere)
    assert (clock.rule.pk, clock.due_on) == (national.pk, datetime.date(2026, 3, 30))


def test_a_clock_started_outside_a_transition_starts_once_and_stops(personas):
    from fazhi.core.workflow import clock_start_missing, clock_stop

    obj = attachment(personas.county_a_brigade, description="x")
    clock, started = clock_start_missing(
        obj, "license_decision", on=MONDAY, unit=personas.county_a_brigade, key="a"
    )
    assert started
    assert clock.state == ClockState.RUNNING
    assert clock.derivation["derivation"]
    again, started = clock_start_missing(
        obj, "license_decision", on=MONDAY + datetime.timedelta(days=3), unit=None, key="a"
    )
    assert not started
    assert again.pk == clock.pk
    assert again.started_on == MONDAY
    other, started = clock_start_missing(obj, "license_decision", on=MONDAY, unit=None, key="b")
    assert started
    assert other.pk != clock.pk
    stopped = clock_stop(obj, "license_decision", on=MONDAY + datetime.timedelta(days=1), key="a")
    assert stopped.state == ClockState.STOPPED
    with pytest.raises(Conflict):
        clock_stop(obj, "license_decision", on=MONDAY, key="a")
    with pytest.raises(Conflict):
        clock_stop(obj, "license_decision", on=MONDAY, key="never")
    # Stopped stays stopped: "start if missing" does not restart it.
    kept, started = clock_start_missing(obj, "license_decision", on=MONDAY, unit=None, key="a")
    assert not started
    assert kept.state == ClockState.STOPPED


def test_the_table_shows_a_guards_label_before_its_docstring():
    from fazhi.core.workflow import guard_label, guard_text

    def plain(obj, ctx):
        """First line.

        More.
        """

    @guard_label("已记录理由")
    def labelled(obj, ctx):
        """Docstring not shown."""

    assert guard_text(plain) == "First line."
    assert guard_text(labelled) == "已记录理由"
