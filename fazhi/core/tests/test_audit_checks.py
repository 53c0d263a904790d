"""Verifying the audit chain from the UI and the API, and exporting events."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from fazhi.core.models import AuditEvent


def test_an_auditor_verifies_the_chain_from_the_page_and_sees_the_result(personas):
    client = personas.client(personas.supervisor)
    response = client.post(reverse("core:audit_verify_start"))
    assert response.status_code == 302
    page = client.get(reverse("core:audit_verify")).content.decode()
    assert "完好" in page
    event = AuditEvent.objects.filter(verb="core.auditevent.verify").get()
    assert event.actor == personas.supervisor
    result = event.after or {}
    assert result["intact"] is True
    assert result["events"] == event.seq - 1


def test_a_tampered_event_is_named_by_the_verification(personas):
    victim = AuditEvent.objects.order_by("seq")[2]
    AuditEvent.objects.filter(pk=victim.pk).update(object_repr="altered")
    client = personas.client(personas.supervisor)
    client.post(reverse("core:audit_verify_start"))
    event = AuditEvent.objects.filter(verb="core.auditevent.verify").get()
    result = event.after or {}
    assert result["intact"] is False
    assert result["broken_seq"] == victim.seq
    page = client.get(reverse("core:audit_verify")).content.decode()
    assert "已被破坏" in page
    assert f"第 {victim.seq} 号事件" in page


def test_verifying_needs_the_audit_permission(personas):
    client = personas.client(personas.county_a_officer)
    assert client.post(reverse("core:audit_verify_start")).status_code == 403
    assert client.get(reverse("core:audit_export")).status_code == 403
    assert not AuditEvent.objects.filter(verb="core.auditevent.verify").exists()


def test_the_export_holds_the_filtered_events_with_names(personas):
    client = personas.client(personas.supervisor)
    response = client.get(reverse("core:audit_export"), {"object_type": "core.orgunit"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "序号"
    units = AuditEvent.objects.filter(object_type="core.orgunit").count()
    assert len(rows) == 1 + units
    assert rows[0][3:6] == ("操作", "操作代码", "对象类型")
    assert {row[5] for row in rows[1:]} == {"组织机构"}


def test_the_export_names_each_action_as_the_audit_page_does_with_its_code(personas):
    from fazhi.core.audit_verbs import label

    client = personas.client(personas.supervisor)
    response = client.get(reverse("core:audit_export"), {"object_type": "core.user"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    created = [row for row in rows if row[4] == "core.user.create"]
    assert created
    assert {row[3] for row in created} == {"新增用户"}
    stored = dict(AuditEvent.objects.values_list("seq", "verb"))
    for row in rows:
        assert row[4] == stored[int(row[0])]
        assert row[3] not in ("", row[4])
        assert row[3] != label("no.such.verb")  # every exported verb is a known one


def test_the_api_starts_a_verification_lists_it_and_exports_events(personas):
    client = personas.client(personas.supervisor)
    started = client.post("/api/v1/audit/verifications")
    assert started.status_code == 202
    listed = client.get("/api/v1/audit/verifications").json()
    assert listed["count"] == 1
    assert listed["items"][0]["intact"] is True
    events = client.get("/api/v1/audit/events", {"object_type": "core.orgunit"}).json()
    assert events["count"] == AuditEvent.objects.filter(object_type="core.orgunit").count()
    assert events["items"][0]["object_type_label"] == "组织机构"
    officer = personas.client(personas.county_a_officer)
    assert officer.post("/api/v1/audit/verifications").status_code == 403
    assert officer.get("/api/v1/audit/events").status_code == 403


def test_audit_filters_are_pickers_and_find_actors_by_name(personas):
    client = personas.client(personas.supervisor)
    page = client.get(reverse("core:audit_list")).content.decode()
    assert '<select name="object_type"' in page
    assert '<option value="core.orgunit">组织机构</option>' in page
    assert 'list="audit-actors"' in page
    personas.admin.full_name = "系统管理员甲"
    personas.admin.save(update_fields=["full_name"])
    client.force_login(personas.admin)
    client.force_login(personas.supervisor)
    found = client.get(reverse("core:audit_list"), {"actor": "系统管理员甲"})
    assert found.status_code == 200
    rows = found.context["object_list"]
    assert rows
    assert all(event.actor == personas.admin for event in rows)
