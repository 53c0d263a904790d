"""Compilations (汇编): the builder, the record with audit, and the DOCX layout."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fazhi.core.errors import DomainError
from fazhi.core.models import AuditEvent
from fazhi.laws.models import Compilation, Law
from fazhi.laws.services import compilation_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def laws(import_law: Callable[..., Law]) -> list[Law]:
    return [import_law(s) for s in ("安全生产法", "行政处罚法", "济宁市烟花爆竹燃放管理条例")]


def _docx(content: bytes) -> Any:
    return Document(io.BytesIO(content))


def test_builder_saves_a_compilation_and_the_docx_downloads(
    laws: list[Law], personas: Any
) -> None:
    officer = personas.county_a_officer
    client = personas.client(officer)
    page = client.get(reverse("laws:compilation_create"))
    assert page.status_code == 200
    assert "中华人民共和国安全生产法" in page.content.decode()
    page = client.post(
        reverse("laws:compilation_create"),
        {"title": "安全生产执法常用法律汇编", "laws": [laws[2].pk, laws[0].pk]},
    )
    assert page.status_code == 302
    compilation = Compilation.objects.get()
    assert compilation.created_by == officer
    assert compilation.unit == officer.unit
    assert [law.pk for law in compilation.ordered_laws()] == [laws[0].pk, laws[2].pk]
    event = AuditEvent.objects.get(verb="laws.compilation.create")
    assert event.after is not None
    assert [entry["id"] for entry in event.after["laws"]] == [laws[0].pk, laws[2].pk]

    response = client.get(reverse("laws:compilation_download", args=[compilation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    document = _docx(response.content)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "安全生产执法常用法律汇编" in text
    assert "中华人民共和国安全生产法" in text
    assert "济宁市烟花爆竹燃放管理条例" in text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["中华人民共和国安全生产法", "济宁市烟花爆竹燃放管理条例"]


def test_builder_reports_missing_title_and_laws(laws: list[Law], personas: Any) -> None:
    client = personas.client(personas.city_officer)
    page = client.post(reverse("laws:compilation_create"), {"title": "", "laws": []})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Pick at least one law." in html
    assert Compilation.objects.count() == 0
    page = client.post(
        reverse("laws:compilation_create"), {"title": "x", "laws": ["abc", "999999"]}
    )
    assert page.status_code == 200
    with pytest.raises(DomainError):
        compilation_create(actor=personas.admin, title="  ", laws=laws)


def test_docx_has_toc_titles_and_gb_t_9704_layout(laws: list[Law], personas: Any) -> None:
    compilation = compilation_create(actor=personas.admin, title="汇编", laws=laws)
    client = personas.client(personas.admin)
    document = _docx(
        client.get(reverse("laws:compilation_download", args=[compilation.pk])).content
    )

    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)

    body = document.element.body
    instructions = [el.text for el in body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith("TOC") for i in instructions)
    toc_index = next(i for i, p in enumerate(document.paragraphs) if p.text == "目\u3000录")
    static_toc = [p.text for p in document.paragraphs[toc_index + 1 : toc_index + 1 + len(laws)]]
    assert [line.split("（")[0] for line in static_toc] == [law.title for law in laws]

    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [law.title for law in laws]

    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(28.9)
    assert document.styles["Heading 1"].font.size == Pt(22)
    assert document.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert document.styles["Heading 3"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"

    assert document.settings.odd_and_even_pages_header_footer
    odd = section.footer.paragraphs[0]
    even = section.even_page_footer.paragraphs[0]
    assert odd.text.startswith("— ")
    assert odd.text.endswith(" —")
    assert odd.alignment == 2
    assert even.alignment == 0
    assert odd.runs[0].font.size == Pt(14)
    assert any(el.text.strip() == "PAGE" for el in section.footer._element.iter(qn("w:instrText")))

    text = "\n".join(p.text for p in document.paragraphs)
    assert "第九十九条\u3000生产经营单位有下列行为之一的" in text
    assert "（一）未在有较大危险因素的生产经营场所" in text
    assert "第六章\u3000法律责任" in text


def test_other_counties_cannot_open_a_compilation(laws: list[Law], personas: Any) -> None:
    compilation = compilation_create(
        actor=personas.county_b_officer, title="乙县汇编", laws=laws[:1]
    )
    other = personas.client(personas.county_a_officer)
    assert other.get(reverse("laws:compilation_detail", args=[compilation.pk])).status_code == 404
    assert (
        other.get(reverse("laws:compilation_download", args=[compilation.pk])).status_code == 404
    )
    listing = other.get(reverse("laws:compilation_list")).content.decode()
    assert "乙县汇编" not in listing
    own = personas.client(personas.county_b_officer)
    assert own.get(reverse("laws:compilation_detail", args=[compilation.pk])).status_code == 200
    assert "乙县汇编" in own.get(reverse("laws:compilation_list")).content.decode()
