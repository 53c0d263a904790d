"""Limits that keep one file from taking a worker down (issue 13: a 429 KB
spreadsheet that unpacked to 3M rows kept a request busy for 333 s at
2.1 GB and wrote a 197 MB report).

The limits are operational, not legal numbers: settings an operator may
raise (``FAZHI_IMPORT_MAX_ROWS``, ``FAZHI_IMPORT_MAX_UNPACKED_MB``,
``FAZHI_IMPORT_MAX_RATIO``, ``FAZHI_IMPORT_MAX_ERRORS``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from fazhi.core.errors import DomainError

_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


class LimitError(DomainError):
    """The file is over a limit; nothing of it was checked or imported."""


def max_rows() -> int:
    return int(getattr(settings, "FAZHI_IMPORT_MAX_ROWS", 2_000_000))


def max_errors() -> int:
    return int(getattr(settings, "FAZHI_IMPORT_MAX_ERRORS", 10_000))


def _max_unpacked() -> int:
    return int(getattr(settings, "FAZHI_IMPORT_MAX_UNPACKED_MB", 512)) << 20


def _max_ratio() -> int:
    return int(getattr(settings, "FAZHI_IMPORT_MAX_RATIO", 100))


def rows_check(rows: int) -> None:
    if rows > max_rows():
        raise LimitError(
            _("The file has more than %(n)s rows; split it into smaller files.")
            % {"n": f"{max_rows():,}"},
            field="file",
        )


def workbook_check(path: Path) -> None:
    """Refuse an XLSX whose parts unpack to too much, or too suddenly (a
    zip bomb), or whose sheet declares too many rows, before reading it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a zip (XLS): the reader reports what is wrong with it
    with archive:
        parts = archive.infolist()
        unpacked = sum(part.file_size for part in parts)
        packed = max(sum(part.compress_size for part in parts), 1)
        if unpacked > _max_unpacked() or (
            unpacked > 50 << 20 and unpacked > packed * _max_ratio()
        ):
            raise LimitError(
                _(
                    "The workbook unpacks to %(mb)s MB, more than this system accepts; "
                    "save it as CSV or split it."
                )
                % {"mb": f"{unpacked >> 20:,}"},
                field="file",
            )
        for part in parts:
            if part.filename.startswith("xl/worksheets/sheet"):
                with archive.open(part) as sheet:
                    found = _DIMENSION.search(sheet.read(4096))
                if found:
                    rows_check(int(found[1]) - 1)
                break
