"""The Django admin writes through the services: checked, audited, read-only elsewhere."""

from __future__ import annotations

import datetime

from django.urls import reverse

from fazhi.core.clock_rules import clock_rule_get
from fazhi.core.models import AuditEvent, CalendarDay, Role


def _events(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("seq"))


def test_a_calendar_day_added_and_deleted_in_the_admin_goes_through_the_service(personas):
    client = personas.client(personas.admin)
    response = client.post(
        reverse("admin:core_calendarday_add"),
        {
            "date": "2031-10-02",
            "kind": "holiday",
            "name": "国庆节",
            "source": "国办发明电〔2030〕1号",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarDay.objects.get(date=datetime.date(2031, 10, 2))
    [event] = _events("core.calendarday.set")
    assert (event.actor, event.object_id) == (personas.admin, str(day.pk))
    response = client.post(
        reverse("admin:core_calendarday_delete", args=[day.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert [e.actor for e in _events("core.calendarday.delete")] == [personas.admin]


def test_a_service_refusal_in_the_admin_is_shown_and_nothing_is_saved(personas):
    client = personas.client(personas.admin)
    # 1980 is outside the years the service accepts: it refuses, the admin shows why.
    response = client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "1980-01-01", "kind": "holiday", "name": "x", "source": "y"},
        follow=True,
    )
    assert response.status_code == 200
    assert not CalendarDay.objects.filter(date=datetime.date(1980, 1, 1)).exists()
    assert not _events("core.calendarday.set")
    assert [str(m) for m in response.context["messages"]]


def test_a_clock_rule_changes_only_its_metadata_in_the_admin(personas):
    rule = clock_rule_get("license_hearing_request", on=datetime.date(2026, 9, 28))
    client = personas.client(personas.admin)
    response = client.post(
        reverse("admin:core_clockrule_change", args=[rule.pk]),
        {
            "name": "新名称",
            "source": rule.source,
            "notes": "经核对",
            "verified": "on",
            "length": rule.length + 30,  # read-only: ignored
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert (rule.name, rule.notes) == ("新名称", "经核对")
    [event] = _events("core.clockrule.update")
    assert event.actor == personas.admin
    assert event.after
    assert event.before
    assert event.after["length"] == event.before["length"] == rule.length


def test_a_role_changed_in_the_admin_is_audited_with_its_grants(personas):
    role = Role.objects.get(code="officer")
    granted = list(role.permissions.values_list("pk", flat=True))
    extra = Role.objects.get(code="system_admin").permissions.exclude(pk__in=granted).first()
    assert extra is not None
    client = personas.client(personas.admin)
    response = client.post(
        reverse("admin:core_role_change", args=[role.pk]),
        {
            "name": role.name,
            "scope": role.scope,
            "description": "可查看审计日志",
            "permissions": [*granted, extra.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = _events("core.role.update")
    label = f"{extra.content_type.app_label}.{extra.codename}"
    assert event.after
    assert event.before
    assert label in event.after["permissions"]
    assert label not in event.before["permissions"]


def test_the_audit_trail_and_users_are_read_only_in_the_admin(personas):
    client = personas.client(personas.admin)
    event = AuditEvent.objects.order_by("seq").first()
    assert event is not None
    assert client.get(reverse("admin:core_auditevent_change", args=[event.pk])).status_code == 200
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:core_user_add")).status_code == 403
    user = personas.county_a_officer
    response = client.post(reverse("admin:core_user_change", args=[user.pk]), {"full_name": "x"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.full_name != "x"
