"""公民身份号码 and phone numbers masked by one rule on every surface
(fazhi.core.privacy): pages, the Excel export, the API, the audit trail."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fazhi.core import privacy
from fazhi.core.models import AuditEvent
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED_PHONE = "138****5678"


@pytest.fixture
def officer(personas):
    return f.officer(personas.city_detachment, actor=personas.city_reviewer, phone=PHONE)


def test_the_rule_masks_ids_phones_and_audit_payloads():
    assert privacy.mask_phone(PHONE) == MASKED_PHONE
    assert privacy.mask_citizen_id("370811199001011234") == "370811********1234"
    payload = {"full_name": "张三", "citizen_id": "370811199001011234", "phone": PHONE}
    assert privacy.redact(payload, show=False) == {
        "full_name": "张三",
        "citizen_id": "370811********1234",
        "phone": MASKED_PHONE,
    }
    assert privacy.redact(payload, show=True) == payload
    assert privacy.redact([payload], show=False)[0]["phone"] == MASKED_PHONE


def test_officer_list_page_masks_the_id_for_an_officer(personas, officer):
    url = reverse("registry:officer_list")
    as_officer = personas.client(personas.city_officer).get(url).content.decode()
    assert officer.citizen_id not in as_officer
    assert privacy.mask_citizen_id(officer.citizen_id) in as_officer
    as_reviewer = personas.client(personas.city_reviewer).get(url).content.decode()
    assert officer.citizen_id in as_reviewer


def _export(client) -> list[list[str]]:
    response = client.get(reverse("registry:officer_export"))
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return [[str(c) for c in row] for row in sheet.to_python()]


def test_the_excel_export_masks_id_and_phone_without_the_permission(personas, officer):
    masked = _export(personas.client(personas.city_officer))
    row = next(r for r in masked if r[0] == officer.full_name)
    assert officer.citizen_id not in row
    assert PHONE not in row
    assert privacy.mask_citizen_id(officer.citizen_id) in row
    assert MASKED_PHONE in row
    whole = _export(personas.client(personas.city_reviewer))
    row = next(r for r in whole if r[0] == officer.full_name)
    assert officer.citizen_id in row
    assert PHONE in row


def test_the_api_masks_id_and_phone_without_the_permission(personas, officer):
    url = f"/api/v1/officers/{officer.pk}"
    masked = personas.client(personas.city_officer).get(url).json()
    assert (masked["citizen_id"], masked["phone"], masked["citizen_id_masked"]) == (
        privacy.mask_citizen_id(officer.citizen_id),
        MASKED_PHONE,
        True,
    )
    listed = personas.client(personas.city_officer).get("/api/v1/officers").json()
    assert PHONE not in str(listed)
    assert officer.citizen_id not in str(listed)
    whole = personas.client(personas.city_reviewer).get(url).json()
    assert (whole["citizen_id"], whole["phone"]) == (officer.citizen_id, PHONE)


def test_the_audit_event_page_masks_the_recorded_id_and_phone(personas, officer):
    event = AuditEvent.objects.get(verb="registry.officer.create", object_id=str(officer.pk))
    url = reverse("core:audit_detail", args=[event.seq])
    as_leader = personas.client(personas.leader).get(url)
    assert as_leader.status_code == 200
    html = as_leader.content.decode()
    assert officer.citizen_id not in html
    assert PHONE not in html
    assert MASKED_PHONE in html
    as_admin = personas.client(personas.admin).get(url).content.decode()
    assert officer.citizen_id in as_admin
    assert PHONE in as_admin
