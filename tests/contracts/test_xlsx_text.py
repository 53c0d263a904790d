"""Formula injection: every user-supplied string lands in an XLSX as text."""

from __future__ import annotations

import io

import openpyxl

from fazhi.core import xlsx
from fazhi.powers import excel
from fazhi.registry.imports.report import RowError, write_report

PAYLOADS = ["=1+2+x.csv", '=HYPERLINK("http://evil.example","x")', "http://evil.example/a"]


def _cells(data: bytes) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_text(data: bytes, expected: list[str] = PAYLOADS) -> None:
    cells = {cell.value: cell for cell in _cells(data) if cell.value in expected}
    assert set(cells) == set(expected)
    for cell in cells.values():
        assert cell.data_type == "s", (cell.value, cell.data_type)
        assert cell.hyperlink is None


def test_import_report_summary_writes_the_file_name_as_text():
    out = io.BytesIO()
    errors = [RowError(2, "name", value, "bad") for value in PAYLOADS[1:]]
    write_report(out, errors, [("file", PAYLOADS[0]), ("rows", 3)])
    _assert_text(out.getvalue())


def test_powers_catalog_and_error_report_write_text():
    _assert_text(excel.write_catalog(PAYLOADS[0], []), [PAYLOADS[0]])
    _assert_text(excel.write_error_report([], file_name=PAYLOADS[1]), [PAYLOADS[1]])


def test_every_workbook_is_opened_with_conversions_off():
    out = io.BytesIO()
    book = xlsx.workbook(out, in_memory=True)
    sheet = book.add_worksheet()
    for row, value in enumerate(PAYLOADS):
        sheet.write(row, 0, value)  # the generic write(), not write_string()
    book.close()
    _assert_text(out.getvalue())
