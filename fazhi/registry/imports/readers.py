"""Read an uploaded table row by row: XLSX/XLS with python-calamine, or CSV.

Row numbers are the ones the user sees in Excel (the header is row 1), so
the error report points at the right line. CSV files saved by Excel in China
are often GB18030: the encoding is detected from the first bytes.
"""

from __future__ import annotations

import codecs
import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from fazhi.core.errors import DomainError

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SourceError(DomainError):
    """The file as a whole cannot be read (not a table, no header, …)."""


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    total: int


def cell_text(value: Any) -> str:
    """Return a cell as trimmed text; integral numbers lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _is_blank(cells: list[Any]) -> bool:
    if cells and cells[0] is not None and cells[0] != "":
        return False
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def open_table(path: str | Path) -> Table:
    """Open an XLSX, XLS or CSV file and return its header and data rows."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP) or head.startswith(_OLE):
        return _open_workbook(path)
    return _open_csv(path)


def _open_workbook(path: Path) -> Table:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError) as exc:
        raise SourceError(
            _("The workbook cannot be read: %(error)s") % {"error": exc}, field="file"
        ) from exc
    rows = sheet.iter_rows()
    header_row: list[Any] | None = None
    number = 0
    for cells in rows:
        number += 1
        if not _is_blank(cells):
            header_row = cells
            break
    if header_row is None:
        raise SourceError(_("The first sheet is empty."), field="file")
    headers = [cell_text(c) for c in header_row]
    total = max(sheet.height - number, 0)
    first = number

    data = (
        (row_no, cells)
        for row_no, cells in enumerate(rows, first + 1)
        if (cells and cells[0] is not None and cells[0] != "") or not _is_blank(cells)
    )
    return Table(headers, data, total)


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character may be cut at the end of the sample.
        if exc.start < len(sample) - 4:
            return "gb18030"
    return "utf-8"


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            lines += block.count(b"\n")
    return lines


def _open_csv(path: Path) -> Table:
    with path.open("rb") as fh:
        sample = fh.read(1 << 16)
    if b"\x00" in sample:
        raise SourceError(_("This is neither a spreadsheet nor a CSV file."), field="file")
    encoding = _detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    first_line = text.splitlines()[0] if text else ""
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    stream = open(path, encoding=encoding, newline="", errors="replace")  # noqa: SIM115 - closed by data()
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        stream.close()
        raise SourceError(_("The file is empty."), field="file") from None
    total = max(_count_lines(path) - 1, 0)

    def data() -> Iterator[tuple[int, list[Any]]]:
        try:
            row_no = 1
            for cells in reader:
                row_no += 1
                if cells and not _is_blank(cells):
                    yield row_no, cells
        finally:
            stream.close()

    return Table([h.strip().lstrip("\ufeff") for h in headers], data(), total)
