"""案源 from an inspection: a referred hazard becomes a case once, with its evidence."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest

from fazhi.cases.choices import CaseSource, CaseState, EventKind
from fazhi.cases.intake import case_open_from_finding, findings_open
from fazhi.cases.models import Case
from fazhi.cases.tests import factories
from fazhi.core.errors import Conflict
from fazhi.core.models import AuditEvent, OrgUnit
from fazhi.core.services import attachment_store
from fazhi.inspections.models import Finding, Inspection, Referral
from fazhi.registry.tests import factories as registry_factories

D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x02" * 80


def referred_finding(personas: Any, agency: OrgUnit) -> Referral:
    """A closed inspection of ``agency`` whose hazard (with a photo) was referred."""
    if not agency.doc_abbr:
        OrgUnit.objects.filter(pk=agency.pk).update(doc_abbr=agency.name[:2])
    entity = registry_factories.entity(agency)
    inspection = Inspection.objects.create(
        unit=agency,
        entity=entity,
        source="complaint",
        planned_on=D(2026, 11, 2),
        ended_on=D(2026, 11, 2),
    )
    inspection.officers.set([registry_factories.officer(agency) for _ in range(2)])
    finding = Finding.objects.create(
        inspection=inspection,
        description="液氨储罐区未设置明显的安全警示标志",
        severity="general",
        provision="《安全生产法》第三十五条",
    )
    photo = attachment_store(
        actor=factories.superuser(personas.city),
        upload=io.BytesIO(PNG),
        name="储罐区.png",
        unit=agency,
        role="evidence",
        description="储罐区现场照片",
    )
    finding.evidence.add(photo)
    return Referral.objects.create(finding=finding, note="立案查处")


def test_a_referred_hazard_becomes_a_case_once(personas: Any) -> None:
    referral = referred_finding(personas, personas.county_a)
    officer = personas.county_a_officer
    assert list(findings_open(actor=officer)) == [referral]
    assert not list(findings_open(actor=personas.county_b_officer))
    team = list(referral.finding.inspection.officers.all())
    case = case_open_from_finding(actor=officer, referral=referral, officers=team)
    assert case.source == CaseSource.INSPECTION
    assert case.state == CaseState.INTAKE
    assert case.entity_id == referral.finding.inspection.entity_id
    assert case.facts == referral.finding.description
    assert case.act_ended_on == D(2026, 11, 2)
    assert case.officers.count() == 2
    evidence = case.evidence.get()
    assert evidence.attachment_id == referral.finding.evidence.get().pk
    assert evidence.kind == "photo"
    assert case.events.filter(kind=EventKind.NOTE, text__contains="第三十五条").exists()
    referral.refresh_from_db()
    assert referral.case_reference == str(case.pk)
    assert not list(findings_open(actor=officer))
    with pytest.raises(Conflict):
        case_open_from_finding(actor=officer, referral=referral, officers=team)
    assert AuditEvent.objects.filter(verb="cases.case.from_referral").count() == 1


def test_referral_pages(personas: Any) -> None:
    referral = referred_finding(personas, personas.county_a)
    client = personas.client(personas.county_a_officer)
    page = client.get("/cases/findings/").content.decode()
    assert "液氨储罐区未设置明显的安全警示标志" in page
    other = personas.client(personas.county_b_officer)
    assert other.post(f"/cases/findings/{referral.pk}/open/").status_code == 404
    response = client.post(f"/cases/findings/{referral.pk}/open/", {"title": "未设置安全警示标志"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.title == "未设置安全警示标志"
    assert client.get("/api/v1/case-referrals").json() == []


def test_referral_api(personas: Any) -> None:
    referral = referred_finding(personas, personas.county_a)
    client = personas.client(personas.county_a_officer)
    listed = client.get("/api/v1/case-referrals").json()
    assert [r["id"] for r in listed] == [referral.pk]
    other = personas.client(personas.county_b_officer)
    assert other.get("/api/v1/case-referrals").json() == []
    assert (
        other.post(
            f"/api/v1/case-referrals/{referral.pk}/case", "{}", content_type="application/json"
        ).status_code
        == 404
    )
    made = client.post(
        f"/api/v1/case-referrals/{referral.pk}/case", "{}", content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert Case.objects.get().pk == made.json()["id"]
