"""GB/T 9704-2012 page setup for DOCX files (DOMAIN §9), shared by every 文书.

A4; margins top 37, bottom 35, left 28, right 26 mm; body 仿宋_GB2312 3号
(16 pt) with exact 28.9 pt line spacing (22 lines in the 225 mm text block)
and a two-character first-line indent; titles 2号 (22 pt) 小标宋; 黑体 and
楷体 headings; page numbers "— 1 —" in 4号 宋体, odd pages right and even
pages left, each with one character of space.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LINE_SPACING = Pt(28.9)  # 225 mm / 22 lines


def set_fonts(element: object, name: str) -> None:
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


def style(
    document: DocxDocument,
    name: str,
    font: str,
    size: Pt,
    *,
    center: bool = False,
    indent: bool = False,
) -> None:
    """Give a named style GB/T 9704 font, size and exact line spacing."""
    target = document.styles[name]
    target.font.name = font
    target.font.size = size
    target.font.bold = False
    target.font.italic = False
    target.font.color.rgb = RGBColor(0, 0, 0)
    set_fonts(target.element, font)
    fmt = target.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING if size <= BODY_SIZE else Pt(36)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32) if indent else Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.keep_with_next = name.startswith("Heading")


def field(paragraph: Paragraph, instruction: str, result: str, *, end: bool = True) -> None:
    """Append a complex field (begin, instruction, separate, result[, end])."""
    fld_char("begin", paragraph)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld_char("separate", paragraph)
    paragraph.add_run(result)
    if end:
        fld_char("end", paragraph)


def fld_char(kind: str, paragraph: Paragraph) -> None:
    """Append one field character (begin, separate or end) in its own run."""
    run = paragraph.add_run()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    run._r.append(element)


def page_number(paragraph: Paragraph, *, odd: bool) -> None:
    """Write "— N —" in 4号 宋体, right on odd pages and left on even ones."""
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    if odd:
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = PAGE_NUMBER_SIZE  # one character of space
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = PAGE_NUMBER_SIZE
    paragraph.add_run("— ")
    field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")
    for run in paragraph.runs:
        run.font.size = PAGE_NUMBER_SIZE
        run.font.name = PAGE_NUMBER_FONT
        set_fonts(run._r, PAGE_NUMBER_FONT)


def setup(document: DocxDocument) -> None:
    """Set A4 paper, margins, the base styles and page numbers on ``document``."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)  # the number sits about 7 mm below the text block
    document.settings.odd_and_even_pages_header_footer = True
    style(document, "Normal", BODY_FONT, BODY_SIZE, indent=True)
    style(document, "Title", TITLE_FONT, TITLE_SIZE, center=True)
    style(document, "Heading 1", TITLE_FONT, TITLE_SIZE, center=True)
    style(document, "Heading 2", HEI_FONT, BODY_SIZE, center=True)
    style(document, "Heading 3", KAI_FONT, BODY_SIZE, center=True)
    page_number(section.footer.paragraphs[0], odd=True)
    page_number(section.even_page_footer.paragraphs[0], odd=False)
