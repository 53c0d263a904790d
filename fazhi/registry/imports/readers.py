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
from fazhi.registry.imports import limits

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SourceError(DomainError):
    """The file as a whole cannot be read (not a table, no header, …)."""


@dataclass(frozen=True)
class PlainCsv:
    """A UTF-8 CSV without quotes or lone carriage returns: every line is
    one record, so blocks of whole lines can be parsed on their own (by a
    columnar reader) and row numbers follow from line numbers."""

    path: Path
    delimiter: str
    width: int  # fields in the header
    header: bytes  # the header line, which sets the width for a columnar reader
    lines: int  # data lines, blank ones included

    @property
    def start(self) -> int:
        """The byte offset of the first data line."""
        return len(self.header)


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    total: int
    plain: PlainCsv | None = None


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
    table = _open_workbook(path) if head.startswith(_ZIP) or head.startswith(_OLE) else None
    table = table or _open_csv(path)
    limits.rows_check(table.total)
    return table


def _open_workbook(path: Path) -> Table:
    limits.workbook_check(path)
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


def _scan(path: Path) -> tuple[int, bool]:
    """Count the lines (a last one without a line break too); is the file
    free of quotes and lone carriage returns?"""
    lines = quotes = returns = pairs = 0
    last = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            lines += block.count(b"\n")
            quotes += block.count(b'"')
            if b"\r" in block or last == b"\r":
                returns += block.count(b"\r")
                pairs += block.count(b"\r\n") + (last == b"\r" and block[:1] == b"\n")
            last = block[-1:]
    if last not in (b"", b"\n"):
        lines += 1
    return lines, quotes == 0 and returns == pairs


def csv_blocks(plain: PlainCsv, size: int = 16 << 20) -> Iterator[tuple[int, bytes]]:
    """Yield (row number of the first line, block of whole lines) of a plain CSV."""
    row_no = 2
    with plain.path.open("rb") as fh:
        fh.seek(plain.start)
        rest = b""
        while True:
            data = fh.read(size)
            if not data:
                break
            data = rest + data
            end = data.rfind(b"\n") + 1
            if end == 0:
                rest = data
                continue
            block, rest = data[:end], data[end:]
            yield row_no, block
            row_no += block.count(b"\n")
        if rest:
            yield row_no, rest


def plain_rows(plain: PlainCsv, row_no: int, block: bytes) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a block of a plain CSV, read as ``open_table`` reads them."""
    text = block.decode("utf-8", errors="replace")
    lines = [line + "\n" for line in text.removesuffix("\n").split("\n")]
    for cells in csv.reader(lines, delimiter=plain.delimiter):
        if cells and not _is_blank(cells):
            yield row_no, cells
        row_no += 1


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
    lines, simple = _scan(path)
    total = max(lines - 1, 0)
    plain = None
    if simple and encoding != "gb18030":
        start = sample.find(b"\n") + 1
        if start:
            plain = PlainCsv(path, delimiter, len(headers), sample[:start], total)

    def data() -> Iterator[tuple[int, list[Any]]]:
        try:
            row_no = 1
            for cells in reader:
                row_no += 1
                if cells and not _is_blank(cells):
                    yield row_no, cells
        finally:
            stream.close()

    return Table([h.strip().lstrip("\ufeff") for h in headers], data(), total, plain)
