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
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from fazhi.core import gbt9704
from fazhi.laws.models import Article, Law

TOC_INSTRUCTION = 'TOC \\o "1-1" \\h \\z \\u'


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
                label.font.name = gbt9704.HEI_FONT
                gbt9704.set_fonts(label._r, gbt9704.HEI_FONT)
                para.add_run("\u3000" + line)
                first = False
            else:
                para.add_run(line)


def laws_docx(
    title: str, laws: Sequence[Law], *, made_on: datetime.date | None = None, author: str = ""
) -> bytes:
    """Build the compilation document; return the DOCX bytes."""
    document = Document()
    gbt9704.setup(document)

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
            gbt9704.field(para, TOC_INSTRUCTION, entry, end=len(entries) == 1)
        else:
            para.add_run(entry)
            if index == len(entries) - 1:
                gbt9704.fld_char("end", para)

    for law in laws:
        title_para = document.add_paragraph(law.title, style="Heading 1")
        title_para.paragraph_format.page_break_before = True
        for line in law.history:
            note = document.add_paragraph(f"（{line}）")
            note.paragraph_format.first_line_indent = Pt(0)
            note.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in note.runs:
                run.font.name = gbt9704.KAI_FONT
                gbt9704.set_fonts(run._r, gbt9704.KAI_FONT)
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
