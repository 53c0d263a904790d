"""文书: Word templates rendered with docxtpl, numbered, hashed, in the timeline."""

from __future__ import annotations

import datetime
import hashlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from docx import Document as read_docx

from fazhi.core import documents
from fazhi.core.actors import SystemActor
from fazhi.core.errors import DomainError, NotAllowed, OutOfScope
from fazhi.core.formats import cn_date, wan_yuan
from fazhi.core.models import AuditEvent, DocumentTemplate, IssuedNumber, NumberPattern, OrgUnit

SPEC: dict[str, Any] = {
    "code": "test_decision",
    "name": "行政处罚决定书",
    "issuer": "{{ agency_name }}",
    "title": "行政处罚决定书",
    "paragraphs": [
        {"text": "当事人：{{ party_name }}", "indent": False},
        "经查，{{ facts }}",
        "决定处以罚款{{ amount|wan_yuan }}。",
        "{%p for item in items %}",
        "{{ loop.index }}. {{ item }}",
        "{%p endfor %}",
    ],
    "signature": ["{{ agency_name }}", "{{ made_on|cn_date }}"],
}


def _text(data: bytes) -> str:
    doc = read_docx(io.BytesIO(data))
    return "\n".join(p.text for p in doc.paragraphs)


def _read(document) -> bytes:
    with default_storage.open(document.attachment.blob.storage_name, "rb") as fh:
        return fh.read()


@pytest.fixture
def template(personas):
    OrgUnit.objects.filter(pk=personas.city.pk).update(doc_abbr="济")
    personas.city.refresh_from_db()
    NumberPattern.objects.create(
        kind="test_decision", label="处罚决定书", pattern="{agency_abbr}应急罚〔{year}〕{seq}号"
    )
    return documents._template_add(
        actor=SystemActor("test"),
        code=SPEC["code"],
        name=SPEC["name"],
        data=documents.template_build(SPEC),
    )


def _context(**extra):
    return {
        "agency_name": "示范市应急管理局",
        "party_name": "某某化工有限公司",
        "facts": "未按规定对安全设备进行经常性维护、保养。",
        "amount": Decimal("15000"),
        "items": ["责令限期改正", "罚款"],
        "made_on": datetime.date(2026, 12, 5),
        **extra,
    }


def test_money_and_dates_are_written_as_a_legal_section_writes_them() -> None:
    assert wan_yuan(Decimal("15000")) == "1.5万元"
    assert wan_yuan(200000) == "20万元"
    assert wan_yuan(Decimal("2000.00")) == "2000元"
    assert wan_yuan(Decimal("155000")) == "15.5万元"
    assert wan_yuan(None) == ""
    assert cn_date(datetime.date(2026, 12, 5)) == "2026年12月5日"


def test_shipped_template_is_laid_out_in_gbt_9704(template) -> None:
    doc = read_docx(io.BytesIO(bytes(template.content)))
    section = doc.sections[0]
    sizes = ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin")
    assert [round(getattr(section, name).mm) for name in (*sizes, "right_margin")] == [
        210,
        297,
        37,
        35,
        28,
        26,
    ]
    assert doc.styles["Normal"].font.name == "仿宋_GB2312"
    assert doc.styles["Title"].font.size.pt == 22
    assert set(template.variables) == {
        "agency_name",
        "party_name",
        "facts",
        "amount",
        "items",
        "made_on",
        "number",
    }


def test_rendering_numbers_stores_hashes_and_lists_the_document(template, personas) -> None:
    subject = personas.county_b_officer  # any model instance can own documents
    made = documents.document_render(
        actor=personas.city_reviewer,
        template_code="test_decision",
        obj=subject,
        unit=personas.city_legal,
        context=_context(),
        number_kind="test_decision",
        on=datetime.date(2026, 12, 5),
    )
    assert made.number == "济应急罚〔2026〕1号"
    data = _read(made)
    assert hashlib.sha256(data).hexdigest() == made.attachment.blob.sha256
    text = _text(data)
    for expected in (
        "济应急罚〔2026〕1号",
        "当事人：某某化工有限公司",
        "决定处以罚款1.5万元。",
        "1. 责令限期改正",
        "2. 罚款",
        "2026年12月5日",
    ):
        assert expected in text
    assert "{{" not in text
    assert "{%" not in text
    assert list(documents.documents_for(subject)) == [made]
    event = AuditEvent.objects.get(verb="core.document.render", object_id=str(made.pk))
    assert event.after is not None
    assert event.after["sha256"] == made.attachment.blob.sha256
    assert event.after["template_version"] == template.version


def test_a_missing_variable_is_named_and_no_number_is_used(template, personas) -> None:
    context = _context()
    del context["party_name"]
    with pytest.raises(DomainError, match="party_name"):
        documents.document_render(
            actor=personas.city_reviewer,
            template_code="test_decision",
            obj=personas.city,
            unit=personas.city,
            context=context,
            number_kind="test_decision",
        )
    assert not IssuedNumber.objects.exists()


def test_a_missing_attribute_deep_in_the_context_is_named(personas) -> None:
    spec = {**SPEC, "code": "test_nested", "paragraphs": ["{{ party.address }}"], "number": False}
    documents._template_add(
        actor=SystemActor("test"),
        code="test_nested",
        name="n",
        data=documents.template_build(spec),
    )
    with pytest.raises(DomainError, match="address"):
        documents.document_render(
            actor=personas.admin,
            template_code="test_nested",
            obj=personas.city,
            unit=personas.city,
            context={**_context(), "party": {"name": "x"}},
        )


def test_hostile_values_are_escaped_not_injected(template, personas) -> None:
    made = documents.document_render(
        actor=personas.admin,
        template_code="test_decision",
        obj=personas.city,
        unit=personas.city,
        context=_context(party_name='A&B<公司>"</w:t>'),
        number_kind="test_decision",
    )
    assert '当事人：A&B<公司>"</w:t>' in _text(_read(made))


def test_rendering_for_a_unit_outside_the_scope_is_refused(template, personas) -> None:
    with pytest.raises(OutOfScope):
        documents.document_render(
            actor=personas.county_a_officer,
            template_code="test_decision",
            obj=personas.county_b,
            unit=personas.county_b,
            context=_context(),
        )


def test_an_edited_upload_becomes_the_next_version_and_is_used(template, personas) -> None:
    edited = {**SPEC, "title": "行政处罚决定书（修订）"}
    new = documents.document_template_upload(
        actor=personas.admin,
        code="test_decision",
        upload=io.BytesIO(documents.template_build(edited)),
    )
    assert (new.version, new.name) == (template.version + 1, template.name)
    assert documents.template_active("test_decision") == new
    made = documents.document_render(
        actor=personas.admin,
        template_code="test_decision",
        obj=personas.city,
        unit=personas.city,
        context=_context(),
        number_kind="test_decision",
    )
    assert "行政处罚决定书（修订）" in _text(_read(made))
    documents.document_template_set_active(actor=personas.admin, template=new, active=False)
    assert documents.template_active("test_decision") == template


def test_uploads_that_are_not_templates_are_refused(template, personas) -> None:
    with pytest.raises(NotAllowed):
        documents.document_template_upload(
            actor=personas.city_reviewer,
            code="test_decision",
            upload=io.BytesIO(documents.template_build(SPEC)),
        )
    with pytest.raises(DomainError, match="Word"):
        documents.document_template_upload(
            actor=personas.admin, code="test_decision", upload=io.BytesIO(b"%PDF-1.7\n")
        )
    broken = {**SPEC, "paragraphs": ["{{ party_name "]}
    with pytest.raises(DomainError, match=r"标记|tag"):
        documents.document_template_upload(
            actor=personas.admin,
            code="test_decision",
            upload=io.BytesIO(documents.template_build(broken)),
        )
    with pytest.raises(DomainError, match=r"名称|name"):
        documents.document_template_upload(
            actor=personas.admin,
            code="brand_new",
            upload=io.BytesIO(documents.template_build(SPEC)),
        )
    assert DocumentTemplate.objects.filter(code="test_decision").count() == 1


def test_pages_list_upload_and_download_templates_and_documents(template, personas) -> None:
    client = personas.client(personas.admin)
    page = client.get(reverse("core:doctemplate_list"))
    assert page.status_code == 200
    assert "行政处罚决定书" in page.content.decode()
    upload = io.BytesIO(documents.template_build(SPEC))
    upload.name = "决定书.docx"
    response = client.post(
        reverse("core:doctemplate_upload"), {"code": "test_decision", "file": upload}
    )
    assert response.status_code == 302
    assert DocumentTemplate.objects.filter(code="test_decision").count() == 2
    download = client.get(reverse("core:doctemplate_download", args=[template.pk]))
    assert download.content == bytes(template.content)
    documents.document_render(
        actor=personas.admin,
        template_code="test_decision",
        obj=personas.city,
        unit=personas.city,
        context=_context(),
        number_kind="test_decision",
    )
    listed = client.get(reverse("core:document_list"), {"q": "济应急罚"})
    assert "济应急罚" in listed.content.decode()
    officer = personas.client(personas.county_a_officer)
    assert "济应急罚" not in officer.get(reverse("core:document_list")).content.decode()
    assert officer.get(reverse("core:doctemplate_upload")).status_code == 403


def test_api_lists_uploads_templates_and_lists_documents(template, personas) -> None:
    client = personas.client(personas.admin)
    listed = client.get("/api/v1/documents/templates", {"q": "test_decision"}).json()
    assert listed["items"][0]["code"] == "test_decision"
    response = client.post(
        "/api/v1/documents/templates",
        {"code": "test_decision", "file": io.BytesIO(documents.template_build(SPEC))},
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == template.version + 1
    refused = personas.client(personas.county_a_officer).post(
        "/api/v1/documents/templates",
        {"code": "test_decision", "file": io.BytesIO(documents.template_build(SPEC))},
    )
    assert refused.status_code == 403
    file = client.get(f"/api/v1/documents/templates/{template.pk}/file")
    assert file.content == bytes(template.content)
    documents.document_render(
        actor=personas.admin,
        template_code="test_decision",
        obj=personas.city,
        unit=personas.city,
        context=_context(),
        number_kind="test_decision",
    )
    docs = client.get("/api/v1/documents").json()["items"]
    assert docs[0]["number"].startswith("济应急罚")
    assert docs[0]["object_type"] == "core.orgunit"


def test_api_creates_and_changes_numbering_patterns(personas) -> None:
    client = personas.client(personas.admin)
    created = client.post(
        "/api/v1/numbering/patterns",
        {
            "kind": "api_kind",
            "label": "检查记录",
            "pattern": "{agency_abbr}应急检〔{year}〕{seq:04d}号",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = client.put(
        f"/api/v1/numbering/patterns/{pk}",
        {"kind": "api_kind", "label": "检查记录", "pattern": "{agency_abbr}{seq}"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    officer = personas.client(personas.county_a_officer)
    assert officer.get("/api/v1/numbering/patterns").status_code == 403
