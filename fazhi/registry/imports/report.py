"""The XLSX error report: one line per problem (row, column, value, reason).

Written with xlsxwriter in constant-memory mode, so a report on a million
bad rows streams to disk instead of building a workbook in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import IO, Any, NamedTuple

from django.utils.translation import gettext as _

from fazhi.core import xlsx

MAX_LINES = 1_048_575  # Excel's last row, below the header


class RowError(NamedTuple):
    row: int
    column: str
    value: str
    reason: str


def write_report(
    target: str | IO[bytes], errors: Iterable[RowError], summary: list[tuple[str, Any]]
) -> None:
    """Write the summary sheet and the error sheet to ``target``."""
    workbook = xlsx.workbook(target, constant_memory=True)
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(_("Summary")[:31])
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 40)
    for i, (label, value) in enumerate(summary):
        sheet.write_string(i, 0, str(label), bold)
        sheet.write(i, 1, value if isinstance(value, int) else str(value))
    titles = (_("Row"), _("Column"), _("Value"), _("Reason"))

    def error_sheet(number: int) -> Any:
        name = _("Errors") if number == 1 else f"{_('Errors')} {number}"
        sheet = workbook.add_worksheet(name[:31])
        for col, width in enumerate((8, 22, 30, 70)):
            sheet.set_column(col, col, width)
        for col, title in enumerate(titles):
            sheet.write_string(0, col, title, bold)
        sheet.freeze_panes(1, 0)
        return sheet

    sheets = 1
    sheet = error_sheet(sheets)
    line = 1
    for error in errors:
        if line > MAX_LINES:
            sheets += 1
            sheet = error_sheet(sheets)
            line = 1
        sheet.write_number(line, 0, error.row)
        sheet.write_string(line, 1, error.column)
        sheet.write_string(line, 2, error.value[:500])
        sheet.write_string(line, 3, error.reason)
        line += 1
    workbook.close()


def read_problems(source: IO[bytes], limit: int) -> list[RowError]:
    """The first ``limit`` problems of a report (for the import page)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(source)
    if len(workbook.sheet_names) < 2:
        return []
    found = []
    for cells in islice(workbook.get_sheet_by_index(1).iter_rows(), 1, limit + 1):
        row, column, value, reason = [*cells, "", "", "", ""][:4]
        found.append(RowError(int(float(str(row or 0))), str(column), str(value), str(reason)))
    return found


PROBLEMS_SHOWN = 50  # problem rows shown on the import page; the report has all


def job_problems(job: Any, limit: int = PROBLEMS_SHOWN) -> list[RowError]:
    """The first problems an import job's check found (row, column, value, reason)."""
    if not job.report or not job.error_count:
        return []
    with job.report.open("rb") as source:
        return read_problems(source, limit)
