"""The audit chain: events commit with their change, and any tampering is found."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import types
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fazhi.core import audit, services
from fazhi.core.audit import audit_record, audit_verify
from fazhi.core.models import AuditChainHead, AuditEvent, OrgUnit
from fazhi.core.tests import factories


def _sm3_works() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


@pytest.fixture
def chain(personas):
    """The personas' chain plus one update event, which carries before and after."""
    services.orgunit_update(
        actor=personas.admin, unit=personas.county_b_brigade, short_name="微山大队"
    )
    update = AuditEvent.objects.get(verb="core.orgunit.update")
    assert audit_verify() == (AuditEvent.objects.count(), None)
    return update


# --- Same transaction as the change ---


@pytest.mark.django_db
def test_service_records_its_event_with_the_change():
    unit = factories.agency("示范市应急管理局", "370800", "city")
    event: Any = AuditEvent.objects.get(verb="core.orgunit.create", object_id=str(unit.pk))
    assert event.object_type == "core.orgunit"
    assert event.after["name"] == "示范市应急管理局"
    assert event.actor_label == "fixture"
    assert event.unit_id == unit.pk


@pytest.mark.django_db
def test_service_failing_after_writing_rolls_its_event_back(monkeypatch):
    factories.agency("示范市应急管理局", "370800", "city")
    events_before = AuditEvent.objects.count()
    head_before = AuditChainHead.objects.get(pk=1).last_hash

    def record_then_fail(**kwargs):
        audit_record(**kwargs)
        assert AuditEvent.objects.filter(verb="core.orgunit.create").count() == events_before + 1
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "audit_record", record_then_fail)
    with pytest.raises(RuntimeError):
        factories.agency("任城区应急管理局", "370811", "county")
    assert AuditEvent.objects.count() == events_before
    assert not OrgUnit.objects.filter(name="任城区应急管理局").exists()
    assert AuditChainHead.objects.get(pk=1).last_hash == head_before
    assert audit_verify() == (events_before, None)


@pytest.mark.django_db
def test_outer_rollback_takes_the_event_with_it():
    factories.agency("示范市应急管理局", "370800", "city")
    count = AuditEvent.objects.count()

    def change_then_fail() -> None:
        with transaction.atomic():
            factories.agency("任城区应急管理局", "370811", "county")
            raise ValueError("later step failed")

    with pytest.raises(ValueError, match="later step"):
        change_then_fail()
    assert AuditEvent.objects.count() == count
    # The next append continues the chain without a gap.
    factories.agency("微山县应急管理局", "370826", "county")
    assert audit_verify() == (count + 1, None)


@pytest.mark.django_db
def test_values_of_every_kind_round_trip_through_the_database():
    audit_record(
        actor=None,
        verb="test.values",
        object_type="test",
        before={"amount": decimal.Decimal("12.50"), "day": datetime.date(2026, 3, 1)},
        after={
            "text": "危险化学品“安全”",
            "ratio": 0.1,
            "whole": 1.0,
            "nested": {"b": [1, 2, None], "a": True},
            "tags": {"y", "x"},
            "at": timezone.now(),
        },
    )
    assert audit_verify() == (1, None)


# --- Tampering ---


def _tamper_cases(personas, update):
    return {
        "verb": {"verb": "core.orgunit.delete"},
        "actor": {"actor_id": personas.county_a_officer.pk},
        "actor_label": {"actor_label": "someone_else"},
        "before": {"before": {**update.before, "short_name": "改过"}},
        "after": {"after": {**update.after, "short_name": "改过"}},
        "before_removed": {"before": None},
        "after_removed": {"after": None},
        "occurred_at": {"occurred_at": update.occurred_at - datetime.timedelta(seconds=1)},
        "object_id": {"object_id": "999"},
        "object_type": {"object_type": "core.user"},
        "client_ip": {"client_ip": "10.9.9.9"},
        "algorithm": {"algorithm": "sha256" if update.algorithm == "sm3" else "sm3"},
        "hash": {"hash": "f" * 64},
    }


@pytest.mark.parametrize(
    "case",
    [
        "verb",
        "actor",
        "actor_label",
        "before",
        "after",
        "before_removed",
        "after_removed",
        "occurred_at",
        "object_id",
        "object_type",
        "client_ip",
        "algorithm",
        "hash",
    ],
)
def test_altering_a_past_event_is_detected_and_named(personas, chain, case):
    update = chain
    # Add later events, so the altered one is in the past.
    services.orgunit_update(actor=personas.admin, unit=personas.county_a_brigade, sort_order=3)
    changes = _tamper_cases(personas, update)[case]
    AuditEvent.objects.filter(pk=update.pk).update(**changes)
    count, broken = audit_verify()
    assert broken is not None
    assert broken.seq == update.seq
    assert count == update.seq - 1


def test_altering_the_first_event_is_detected(chain):
    AuditEvent.objects.filter(seq=1).update(verb="core.orgunit.delete")
    assert audit_verify()[1] == audit.Break(1, "its contents do not match its hash")


def test_relinking_after_tampering_is_still_caught_by_the_next_event(personas, chain):
    # Rewrite an event and recompute its own hash: the next event's link breaks.
    event = AuditEvent.objects.get(seq=3)
    event.verb = "core.orgunit.delete"
    AuditEvent.objects.filter(pk=event.pk).update(verb=event.verb, hash=audit.event_hash(event))
    count, broken = audit_verify()
    assert broken is not None
    assert broken.seq == 4
    assert "previous" in broken.problem
    assert count == 3


def test_deleting_a_middle_event_is_detected_as_missing(chain):
    AuditEvent.objects.filter(seq=5).delete()
    count, broken = audit_verify()
    assert broken is not None
    assert broken.seq == 5
    assert "missing" in broken.problem
    assert count == 4


def test_deleting_the_last_event_is_detected_by_the_chain_head(chain):
    last = AuditEvent.objects.latest("seq")
    AuditEvent.objects.filter(pk=last.pk).delete()
    count, broken = audit_verify()
    assert broken is not None
    assert broken.seq == last.seq
    assert "missing" in broken.problem
    assert count == last.seq - 1


def test_deleting_the_last_event_and_the_head_is_detected(chain):
    last = AuditEvent.objects.latest("seq")
    AuditEvent.objects.filter(pk=last.pk).delete()
    AuditChainHead.objects.all().delete()
    count, broken = audit_verify()
    assert broken is not None
    assert count == last.seq - 1


@pytest.mark.django_db
def test_an_empty_chain_verifies():
    assert audit_verify() == (0, None)


# --- The command ---


def test_audit_verify_command_reports_ok(chain):
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().strip().startswith(f"OK ({AuditEvent.objects.count()} events;")


def test_audit_verify_command_fails_naming_the_first_break(chain):
    AuditEvent.objects.filter(seq=4).update(verb="x.y")
    AuditEvent.objects.filter(seq=7).update(verb="x.y")
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify", stdout=StringIO())
    assert "#4" in str(excinfo.value)
    assert "#7" not in str(excinfo.value)
    assert "3 events verified" in str(excinfo.value)


# --- Algorithm ---


@pytest.mark.django_db
def test_algorithm_is_sm3_when_available_and_stored_per_event():
    event = audit_record(actor=None, verb="test.one", object_type="test")
    expected = "sm3" if _sm3_works() else "sha256"
    assert event.algorithm == expected
    assert expected == audit.PREFERRED_ALGORITHM
    assert event.hash == hashlib.new(expected, audit._event_payload(event).encode()).hexdigest()


@pytest.mark.django_db
def test_verification_uses_each_events_stored_algorithm(monkeypatch):
    audit_record(actor=None, verb="test.one", object_type="test", after={"n": 1})
    monkeypatch.setattr(audit, "PREFERRED_ALGORITHM", "sha256")
    audit_record(actor=None, verb="test.two", object_type="test", after={"n": 2})
    monkeypatch.setattr(audit, "PREFERRED_ALGORITHM", "sha3_256")
    audit_record(actor=None, verb="test.three", object_type="test", after={"n": 3})
    algorithms = list(AuditEvent.objects.order_by("seq").values_list("algorithm", flat=True))
    assert algorithms[1:] == ["sha256", "sha3_256"]
    monkeypatch.setattr(audit, "PREFERRED_ALGORITHM", "sha256")
    assert audit_verify() == (3, None)


# --- The viewer ---


@pytest.fixture
def county_a_leader(personas):
    return factories.user("a_leader", personas.county_a, "leader")


def _seqs(response) -> set[int]:
    assert response.status_code == 200
    return {event.seq for event in response.context["object_list"]}


def test_viewer_filters_by_actor(personas, chain):
    client = personas.client(personas.admin)
    reviewer = personas.city_reviewer
    services.token_issue(actor=reviewer, user=reviewer, name="laptop")
    seqs = _seqs(client.get(reverse("core:audit_list"), {"actor": "reviewer"}))
    expected = set(
        AuditEvent.objects.filter(actor_label__icontains="reviewer").values_list("seq", flat=True)
    )
    assert seqs == expected
    assert AuditEvent.objects.get(verb="core.apitoken.issue", actor_label="reviewer").seq in seqs


def test_viewer_filters_by_object(personas, chain):
    client = personas.client(personas.admin)
    unit = personas.county_b_brigade
    seqs = _seqs(
        client.get(
            reverse("core:audit_list"), {"object_type": "core.orgunit", "object_id": str(unit.pk)}
        )
    )
    assert seqs == set(
        AuditEvent.objects.filter(object_type="core.orgunit", object_id=str(unit.pk)).values_list(
            "seq", flat=True
        )
    )
    assert len(seqs) == 2  # created, then updated by the fixture


def test_viewer_filters_by_verb_and_time(personas, monkeypatch):
    client = personas.client(personas.admin)
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    # The early event has the verb's old spelling (kept in the chain), the late one today's.
    for day, verb in [(10, "token.issue"), (20, "core.apitoken.issue")]:
        moment = datetime.datetime(2025, 3, day, 9, 0, tzinfo=shanghai)
        monkeypatch.setattr(audit, "timezone", types.SimpleNamespace(now=lambda m=moment: m))
        audit_record(actor=personas.admin, verb=verb, object_type="test")
    monkeypatch.undo()
    url = reverse("core:audit_list")
    late = AuditEvent.objects.get(verb="core.apitoken.issue").seq
    early = AuditEvent.objects.get(verb="token.issue").seq
    picked = {"verb": "core.apitoken.issue"}
    assert _seqs(client.get(url, {**picked, "since": "2025-03-15T00:00"})) == {late}
    assert _seqs(client.get(url, {**picked, "until": "2025-03-15T00:00"})) == {early}
    assert _seqs(client.get(url, {"since": "2025-03-01T00:00", "until": "2025-03-31T00:00"})) == {
        early,
        late,
    }
    assert audit_verify()[1] is None


def test_viewer_rejects_a_bad_date_without_error(personas):
    response = personas.client(personas.admin).get(reverse("core:audit_list"), {"since": "soon"})
    assert response.status_code == 200
    assert response.context["form"].errors["since"]


def test_county_a_sees_only_county_a_events(personas, county_a_leader, chain):
    services.orgunit_update(actor=personas.admin, unit=personas.county_a_brigade, sort_order=4)
    client = personas.client(county_a_leader)
    seqs = _seqs(client.get(reverse("core:audit_list"), {"per_page": 200}))
    visible = AuditEvent.objects.filter(seq__in=seqs)
    assert seqs
    assert all(e.unit_path.startswith(personas.county_a.path) for e in visible)
    county_b_event = chain.seq  # the update of county B's brigade
    assert county_b_event not in seqs
    assert client.get(reverse("core:audit_detail", args=[county_b_event])).status_code == 404
    own = AuditEvent.objects.get(
        verb="core.orgunit.update", object_id=str(personas.county_a_brigade.pk)
    )
    assert own.seq in seqs
    assert client.get(reverse("core:audit_detail", args=[own.seq])).status_code == 200


def test_officers_have_no_audit_viewer(personas, chain):
    client = personas.client(personas.county_a_officer)
    assert client.get(reverse("core:audit_list")).status_code == 403
    assert client.get(reverse("core:audit_detail", args=[chain.seq])).status_code == 403


def test_audit_detail_shows_the_event(personas, chain):
    response = personas.client(personas.admin).get(reverse("core:audit_detail", args=[chain.seq]))
    assert response.status_code == 200
    assert response.context["event"] == chain
    assert "core.orgunit.update" in response.content.decode()


# --- Client address ---


def test_client_ip_is_recorded_from_remote_addr(personas):
    client = personas.client(personas.admin)
    response = client.post(
        reverse("core:unit_edit", args=[personas.county_a_brigade.pk]),
        {
            "name": "任城区执法大队",
            "kind": "brigade",
            "parent": personas.county_a.pk,
            "sort_order": 7,
            "is_active": "on",
        },
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(verb="core.orgunit.update").latest("seq")
    assert event.client_ip == "10.1.2.3"
    assert event.actor_id == personas.admin.pk


def test_client_ip_ignores_forwarded_for_header(personas):
    client = personas.client(personas.admin)
    client.post(
        reverse("core:unit_edit", args=[personas.county_a_brigade.pk]),
        {
            "name": "任城区执法大队",
            "kind": "brigade",
            "parent": personas.county_a.pk,
            "sort_order": 8,
            "is_active": "on",
        },
        REMOTE_ADDR="10.1.2.4",
        HTTP_X_FORWARDED_FOR="1.1.1.1",
    )
    assert (
        AuditEvent.objects.filter(verb="core.orgunit.update").latest("seq").client_ip == "10.1.2.4"
    )


def test_events_outside_requests_have_no_client_ip(personas):
    event = services.orgunit_update(actor=personas.admin, unit=personas.city_legal, sort_order=1)
    assert event is not None
    assert AuditEvent.objects.filter(verb="core.orgunit.update").latest("seq").client_ip is None


def test_a_moved_units_events_are_seen_by_its_old_and_new_agency(personas, county_a_leader):
    squad = services.orgunit_create(
        actor=personas.admin, name="机动中队", kind="section", parent=personas.county_a
    )
    created = AuditEvent.objects.get(verb="core.orgunit.create", object_id=str(squad.pk))
    services.orgunit_update(actor=personas.admin, unit=squad, parent=personas.county_b)
    county_b_leader = factories.user("b_leader", personas.county_b, "leader")
    for leader in (county_a_leader, county_b_leader):
        seqs = _seqs(personas.client(leader).get(reverse("core:audit_list"), {"per_page": 200}))
        assert created.seq in seqs
    assert audit_verify() == (AuditEvent.objects.count(), None)


def test_the_viewer_names_verbs_in_words_and_offers_them_in_a_picker(personas):
    from fazhi.core import audit_verbs

    audit_record(actor=personas.admin, verb="entity.create", object_type="test")  # old spelling
    audit_record(actor=personas.admin, verb="registry.entity.create", object_type="test")
    client = personas.client(personas.admin)
    page = client.get(reverse("core:audit_list"), {"verb": "registry.entity.create"})
    text = page.content.decode()
    assert page.context["object_list"].count() == 2
    assert text.count(">新增监管对象</span>") == 2  # both spellings, in words
    assert '<option value="registry.entity.create" selected>新增监管对象</option>' in text
    assert ">registry.entity.create<" not in text
    assert ">entity.create<" not in text
    assert audit_verbs.label("orgunit.delete") == audit_verbs.label("core.orgunit.delete")
    assert audit_verbs.label("core.orgunit.delete") == "删除单位"
    # An old admin save of a model no service writes: the model's name and what was done.
    assert audit_verbs.label("core.role.delete") == "删除：角色"
    assert audit_verbs.label("role.delete") == "删除：角色"
    api = client.get("/api/v1/audit/events", {"verb": "registry.entity.create"})
    assert {row["verb_label"] for row in api.json()["items"]} == {"新增监管对象"}
