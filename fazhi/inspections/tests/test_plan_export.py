"""The annual plan as a GB/T 9704 文书 (DOCX) and as a workbook (XLSX), page and API."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl

from fazhi.core.models import AuditEvent, Document


def _plan(personas: Any) -> int:
    client = personas.client(personas.city_officer)
    created = client.post(
        "/api/v1/inspections/plans",
        {"year": 2026, "title": "2026年度监督检查计划", "working_days": 248, "officers": 2,
         "other_enforcement_days": "100", "non_enforcement_days": "96"},
        content_type="application/json",
    )  # fmt: skip
    pk = int(created.json()["id"])
    group = {"name": "=1+2 危化重点", "kind": "key", "entities": 200, "frequency": 1,
             "days_per_inspection": "1", "officers_per_team": 2}  # fmt: skip
    client.post(f"/api/v1/inspections/plans/{pk}/groups", group, content_type="application/json")
    return pk


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_the_plan_page_exports_docx_and_xlsx(personas: Any) -> None:
    pk = _plan(personas)
    client = personas.client(personas.city_officer)
    page = client.get(f"/inspections/plans/{pk}/").content.decode()
    assert 'id="plan-docx"' in page
    assert 'id="plan-xlsx"' in page
    response = client.post(f"/inspections/plans/{pk}/", {"docx": "1"})
    assert response.status_code == 302
    document = Document.objects.get(object_id=str(pk))
    text = _docx_text(b"".join(client.get(response["Location"]).streaming_content))
    assert "2026年度监督检查计划" in text
    assert "危化重点" in text
    assert "300" in text  # the person-days available, from the arithmetic
    assert AuditEvent.objects.filter(verb="core.document.render").exists()
    assert document.template.code == "annual_inspection_plan"
    sheet = client.get(f"/inspections/plans/{pk}/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    groups = book.worksheets[1]
    assert groups.cell(2, 1).value == "=1+2 危化重点"  # text, never a formula
    assert groups.cell(2, 1).data_type == "s"
    assert groups.cell(2, 5).value == 200


def test_the_api_exports_the_plan(personas: Any) -> None:
    pk = _plan(personas)
    client = personas.client(personas.city_officer)
    made = client.post(f"/api/v1/inspections/plans/{pk}/docx")
    assert made.status_code == 201, made.content
    assert made.json()["download_url"]
    xlsx = client.get(f"/api/v1/inspections/plans/{pk}/export.xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    other = personas.client(personas.county_b_officer)
    assert other.get(f"/api/v1/inspections/plans/{pk}/export.xlsx").status_code == 404
    assert other.post(f"/api/v1/inspections/plans/{pk}/docx").status_code == 404
