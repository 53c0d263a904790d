"""Excel layout of a power catalog (权责清单), read and written.

The layout follows what bureaus publish (DOMAIN §11). Export writes two
heading rows: the 实施主体 group spans its three columns, every other heading
spans both rows. The columns, in order:

====  ==============  ==================================================
 col  heading          content
====  ==============  ==================================================
 A    序号             row number
 B    事项编码         item code (kept across yearly versions)
 C    事项名称         item name
 D    上级事项编码     parent item's code, for sub-items (子项)
 E    事项类型         行政许可 / 行政处罚 / … / 其他行政权力
 F    实施依据         article text as published; may cite several laws
 G    实施主体 › 法定实施主体
 H    实施主体 › 行使层级       省级、市级、县级 (several, separated by 、)
 I    实施主体 › 第一责任层级
 J    承办机构         the one internal unit leading the power
 K    责任事项         "1.受理责任：… 2.审查责任：…"
 L    追责依据
 M    监督方式
 N    市县同权         是 / 否
 O    事项备注
 P    调整理由         why the item was added or changed this year
====  ==============  ==================================================

Import accepts one or two heading rows (found among the first ten rows by
the cell 事项名称), in any column order, and the heading variants published
catalogs use (权力事项名称, 权力类型, 设定依据, 责任科室, 备注 …). Required:
事项名称, 事项类型, 实施依据, 承办机构. Without 事项编码 a stable code is
derived from the type and the name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from fazhi.core import xlsx
from fazhi.powers.choices import (
    EXERCISE_LEVEL_CN,
    EXERCISE_LEVEL_FROM_CN,
    POWER_TYPE_CN,
    RESPONSIBILITY_FROM_CN,
    ResponsibilityStage,
)
from fazhi.powers.diff import responsibilities_text


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    group: str = ""
    aliases: tuple[str, ...] = ()
    width: int = 14
    required: bool = False


COLUMNS: list[Column] = [
    Column("seq", "序号", width=6),
    Column("code", "事项编码", aliases=("编码", "事项代码", "权力编码"), width=16),
    Column(
        "name",
        "事项名称",
        aliases=("权力事项名称", "执法检查事项名称", "权力名称", "事项名称（子项）"),
        width=36,
        required=True,
    ),
    Column("parent_code", "上级事项编码", aliases=("主项编码", "上级编码"), width=16),
    Column(
        "power_type", "事项类型", aliases=("权力类型", "权力类别", "权力类", "类型"), required=True
    ),
    Column(
        "basis_text",
        "实施依据",
        aliases=("设定依据", "法定依据", "实施依据（法律依据）"),
        width=60,
        required=True,
    ),
    Column("legal_subject", "法定实施主体", "实施主体", aliases=("实施主体",), width=20),
    Column("exercise_levels", "行使层级", "实施主体", width=14),
    Column("first_responsible_level", "第一责任层级", "实施主体", aliases=("责任层级",), width=14),
    Column(
        "lead_unit",
        "承办机构",
        aliases=("责任科室", "承办科室", "内设机构", "承办机构（科室）"),
        width=20,
        required=True,
    ),
    Column("responsibilities", "责任事项", aliases=("责任事项内容",), width=50),
    Column("accountability_basis", "追责依据", aliases=("追责情形及依据", "追责情形"), width=40),
    Column("supervision_method", "监督方式", width=24),
    Column("shared", "市县同权", aliases=("是否市县同权",), width=10),
    Column("remarks", "事项备注", aliases=("备注",), width=24),
    Column("change_reason", "调整理由", aliases=("变更理由", "调整原因"), width=24),
]
BY_KEY = {column.key: column for column in COLUMNS}
_HEADINGS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.heading, *_column.aliases):
        _HEADINGS.setdefault(_name, _column.key)
SUB_HEADINGS = {c.heading for c in COLUMNS if c.group}

YES = {"是", "√", "Y", "y", "yes", "Yes", "1", "true", "True"}
NO = {"否", "", "×", "N", "n", "no", "No", "0", "false", "False"}
_DUTY_RE = re.compile(
    r"(?<![^\s；;。，,])(?:\d+\s*[\.．、]\s*|[（(]\d+[)）]\s*)?(?P<stage>"
    + "|".join(sorted(RESPONSIBILITY_FROM_CN, key=len, reverse=True))
    + r")(?:阶段)?责任\s*[:：]"
)
_SPLIT_RE = re.compile(r"[、，,；;/／\s]+")


class ImportFileError(Exception):
    """The file cannot be read as a catalog at all."""


@dataclass
class Sheet:
    """The cells of a catalog sheet: headings found and the data rows."""

    heading_row: int
    columns: dict[int, str]
    headings: dict[int, str]
    rows: list[tuple[int, list[str]]]

    def column_of(self, key: str) -> int | None:
        return next((index for index, k in self.columns.items() if k == key), None)

    def letter(self, key: str) -> str:
        index = self.column_of(key)
        return xl_col_to_name(index) if index is not None else "—"


def cell_text(value: Any) -> str:
    """Return a cell as text: whole numbers without ``.0``, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def read_sheet(data: bytes) -> Sheet:
    """Read the first sheet and locate its heading row(s)."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several error types for bad files
        raise ImportFileError(_("The file is not a readable Excel workbook.")) from exc
    rows = [[cell_text(value) for value in row] for row in cells]
    heading_index = next(
        (
            i
            for i, row in enumerate(rows[:10])
            if any(_HEADINGS.get(_compact(cell)) == "name" for cell in row)
        ),
        None,
    )
    if heading_index is None:
        raise ImportFileError(_("No heading row with 事项名称 was found in the first ten rows."))
    top = rows[heading_index]
    below = rows[heading_index + 1] if heading_index + 1 < len(rows) else []
    two_rows = any(_compact(cell) in SUB_HEADINGS for cell in below)
    columns: dict[int, str] = {}
    headings: dict[int, str] = {}
    width = max(len(top), len(below))
    for index in range(width):
        name = _compact(top[index]) if index < len(top) else ""
        if two_rows and index < len(below) and _compact(below[index]):
            name = _compact(below[index])
        key = _HEADINGS.get(name)
        if key is not None and key not in columns.values():
            columns[index] = key
            headings[index] = name
    first_data = heading_index + (2 if two_rows else 1)
    data_rows = [
        (number + 1, row + [""] * (width - len(row)))
        for number, row in enumerate(rows)
        if number >= first_data and any(row)
    ]
    return Sheet(heading_index + 1, columns, headings, data_rows)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def parse_levels(text: str) -> tuple[list[str], list[str]]:
    """Return (level codes, unknown parts) of a 行使层级 cell."""
    levels: list[str] = []
    unknown: list[str] = []
    for part in _SPLIT_RE.split(text.strip()):
        if not part:
            continue
        code = EXERCISE_LEVEL_FROM_CN.get(part)
        if code is None:
            unknown.append(part)
        elif code not in levels:
            levels.append(code)
    return levels, unknown


def parse_responsibilities(text: str) -> list[dict[str, str]]:
    """Split "1.受理责任：… 2.审查责任：…" into stages; free text becomes "other"."""
    text = (text or "").strip()
    if not text:
        return []
    matches = list(_DUTY_RE.finditer(text))
    if not matches:
        return [{"stage": ResponsibilityStage.OTHER, "text": text}]
    duties = []
    lead = text[: matches[0].start()].strip()
    if lead:
        duties.append({"stage": ResponsibilityStage.OTHER, "text": lead})
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[match.end() : end].strip().rstrip("；;")
        duties.append({"stage": RESPONSIBILITY_FROM_CN[match.group("stage")], "text": body})
    return duties


def parse_flag(text: str) -> bool | None:
    """Return True / False for 是 / 否, None if the cell says neither."""
    value = text.strip()
    if value in YES:
        return True
    if value in NO:
        return False
    return None


# --- writing ------------------------------------------------------------------


def _formats(book: Any) -> dict[str, Any]:
    return {
        "head": book.add_format(
            {
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "border": 1,
                "text_wrap": True,
                "bg_color": "#DDEBF7",
            }
        ),
        "cell": book.add_format({"valign": "top", "border": 1, "text_wrap": True}),
        "title": book.add_format({"bold": True, "font_size": 14}),
    }


def catalog_rows(items: Iterable[Any]) -> list[list[str]]:
    """Return the export cells of each item, in column order."""
    rows = []
    for seq, item in enumerate(items, start=1):
        values = {
            "seq": str(seq),
            "code": item.code,
            "name": item.name,
            "parent_code": item.parent.code if item.parent_id else "",
            "power_type": POWER_TYPE_CN.get(item.power_type, ""),
            "basis_text": item.basis_text,
            "legal_subject": item.legal_subject,
            "exercise_levels": "、".join(
                EXERCISE_LEVEL_CN[lv] for lv in item.exercise_levels if lv in EXERCISE_LEVEL_CN
            ),
            "first_responsible_level": EXERCISE_LEVEL_CN.get(item.first_responsible_level, ""),
            "lead_unit": item.lead_unit.name,
            "responsibilities": responsibilities_text(item.responsibilities),
            "accountability_basis": item.accountability_basis,
            "supervision_method": item.supervision_method,
            "shared": "是" if item.shared_with_counties else "否",
            "remarks": item.remarks,
            "change_reason": item.change_reason,
        }
        rows.append([values[column.key] for column in COLUMNS])
    return rows


def write_catalog(title: str, items: Iterable[Any]) -> bytes:
    """Write a catalog in the published layout (two heading rows)."""
    output = io.BytesIO()
    book = xlsx.workbook(output, in_memory=True)
    fmt = _formats(book)
    sheet = book.add_worksheet("权责清单")
    sheet.write(0, 0, title, fmt["title"])
    top, sub = 1, 2
    index = 0
    while index < len(COLUMNS):
        column = COLUMNS[index]
        if column.group:
            span = [c for c in COLUMNS[index:] if c.group == column.group]
            last = index + len(span) - 1
            sheet.merge_range(top, index, top, last, column.group, fmt["head"])
            for offset, member in enumerate(span):
                sheet.write(sub, index + offset, member.heading, fmt["head"])
            index = last + 1
            continue
        sheet.merge_range(top, index, sub, index, column.heading, fmt["head"])
        index += 1
    for position, column in enumerate(COLUMNS):
        sheet.set_column(position, position, column.width)
    for offset, row in enumerate(catalog_rows(items)):
        for position, value in enumerate(row):
            sheet.write_string(sub + 1 + offset, position, value, fmt["cell"])
    sheet.freeze_panes(sub + 1, 3)
    book.close()
    return output.getvalue()


def write_error_report(errors: Sequence[Any], file_name: str = "") -> bytes:
    """Write the import problems: one row per problem, naming row and column."""
    output = io.BytesIO()
    book = xlsx.workbook(output, in_memory=True)
    fmt = _formats(book)
    sheet = book.add_worksheet(_("Problems")[:31])
    headings = [_("Row"), _("Column"), _("Heading"), _("Value"), _("Reason")]
    widths = [8, 8, 16, 50, 60]
    for position, (heading, width) in enumerate(zip(headings, widths, strict=True)):
        sheet.write(0, position, heading, fmt["head"])
        sheet.set_column(position, position, width)
    for offset, error in enumerate(errors, start=1):
        sheet.write_number(offset, 0, error.row, fmt["cell"])
        sheet.write_string(offset, 1, error.column, fmt["cell"])
        sheet.write_string(offset, 2, error.heading, fmt["cell"])
        sheet.write_string(offset, 3, error.value[:2000], fmt["cell"])
        sheet.write_string(offset, 4, error.reason, fmt["cell"])
    if file_name:
        sheet.write_string(len(errors) + 2, 0, file_name)
    sheet.freeze_panes(1, 0)
    book.close()
    return output.getvalue()
