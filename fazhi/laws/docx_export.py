"""DOCX of a compilation (汇编) in GB/T 9704 styling (DOMAIN §9).

A4; margins top 37, bottom 35, left 28, right 26 mm; body 仿宋_GB2312 3号
(16 pt) with exact 28.9 pt line spacing and a two-character first-line
indent; law titles 2号 (22 pt) 小标宋 as Heading 1; 编/章 in 黑体, 节 in 楷体;
page numbers "— 1 —" in 4号 宋体, odd pages right, even pages left. The
table of contents is a Word TOC field whose current result is the static
list of titles, so it reads correctly before anyone updates fields.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from fazhi.laws.models import Article, Law

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LINE_SPACING = Pt(28.9)  # 225 mm / 22 lines
TOC_INSTRUCTION = 'TOC \\o "1-1" \\h \\z \\u'


def _set_fonts(element: object, name: str) -> None:
    """Set every script's font on an rPr owner (style or run), dropping theme fonts."""
    rpr = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _style(
    document: object, name: str, font: str, size: Pt, *, center: bool = False, indent: bool = False
) -> None:
    style = document.styles[name]  # type: ignore[attr-defined]
    style.font.name = font
    style.font.size = size
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element, font)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING if size <= BODY_SIZE else Pt(36)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32) if indent else Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.keep_with_next = name.startswith("Heading")


def _field(paragraph: Paragraph, instruction: str, result: str, *, end: bool = True) -> None:
    """Append a complex field (begin, instruction, separate, result[, end])."""

    def fld(kind: str) -> None:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    fld("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    paragraph.add_run(result)
    if end:
        fld("end")


def _field_end(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    run._r.append(element)


def _page_number(paragraph: Paragraph, *, odd: bool) -> None:
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    if odd:
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = PAGE_NUMBER_SIZE  # one character of space
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = PAGE_NUMBER_SIZE
    paragraph.add_run("— ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")
    for run in paragraph.runs:
        run.font.size = PAGE_NUMBER_SIZE
        run.font.name = PAGE_NUMBER_FONT
        _set_fonts(run._r, PAGE_NUMBER_FONT)


def _version_note(law: Law) -> str:
    day = law.version_date
    return f"{law.title}（{day.year}年{day.month}月{day.day}日版）"


def _add_article(document: object, article: Article) -> None:
    first = True
    for paragraph in article.paragraphs:
        lines: list[str] = [paragraph["text"]] if paragraph["text"] else []
        for item in paragraph.get("items", []):
            lines.append(item["label"] + item["text"])
            lines.extend(sub["label"] + sub["text"] for sub in item.get("subitems", []))
        for line in lines:
            para = document.add_paragraph(style="Normal")  # type: ignore[attr-defined]
            if first:
                label = para.add_run(article.label)
                label.font.name = HEI_FONT
                _set_fonts(label._r, HEI_FONT)
                para.add_run("\u3000" + line)
                first = False
            else:
                para.add_run(line)


def laws_docx(
    title: str, laws: Sequence[Law], *, made_on: datetime.date | None = None, author: str = ""
) -> bytes:
    """Build the compilation document; return the DOCX bytes."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)  # the number sits about 7 mm below the text block
    document.settings.odd_and_even_pages_header_footer = True

    _style(document, "Normal", BODY_FONT, BODY_SIZE, indent=True)
    _style(document, "Title", TITLE_FONT, TITLE_SIZE, center=True)
    _style(document, "Heading 1", TITLE_FONT, TITLE_SIZE, center=True)
    _style(document, "Heading 2", HEI_FONT, BODY_SIZE, center=True)
    _style(document, "Heading 3", KAI_FONT, BODY_SIZE, center=True)
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)

    core = document.core_properties
    core.title = title
    core.author = author or "Fazhi"
    made_on = made_on or timezone.localdate()

    document.add_paragraph(title, style="Title")
    date_line = document.add_paragraph(f"{made_on.year}年{made_on.month}月{made_on.day}日")
    date_line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    date_line.paragraph_format.first_line_indent = Pt(0)

    heading = document.add_paragraph("目\u3000录", style="Title")
    heading.paragraph_format.page_break_before = True
    entries = [_version_note(law) for law in laws]
    for index, entry in enumerate(entries):
        para = document.add_paragraph(style="Normal")
        para.paragraph_format.first_line_indent = Pt(0)
        if index == 0:
            _field(para, TOC_INSTRUCTION, entry, end=len(entries) == 1)
        else:
            para.add_run(entry)
            if index == len(entries) - 1:
                _field_end(para)

    for law in laws:
        title_para = document.add_paragraph(law.title, style="Heading 1")
        title_para.paragraph_format.page_break_before = True
        for line in law.history:
            note = document.add_paragraph(f"（{line}）")
            note.paragraph_format.first_line_indent = Pt(0)
            note.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in note.runs:
                run.font.name = KAI_FONT
                _set_fonts(run._r, KAI_FONT)
        current = ("", "", "")
        for article in Article.objects.filter(law=law).order_by("seq"):
            path = (article.part, article.chapter, article.section)
            for depth, style in enumerate(("Heading 2", "Heading 2", "Heading 3")):
                if path[depth] and path[: depth + 1] != current[: depth + 1]:
                    document.add_paragraph(path[depth].replace(" ", "\u3000"), style=style)
            current = path
            _add_article(document, article)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
