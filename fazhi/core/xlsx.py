"""The one way Fazhi opens an XLSX workbook for writing.

xlsxwriter's ``write()`` turns a string starting with "=" into a live formula
and one that looks like a URL into a hyperlink, so a file named
``=HYPERLINK(...).csv`` or an entity called ``=1+2`` would run in the reader's
Excel. Every workbook is opened here with both conversions off: user-supplied
strings are always written as text, whichever ``write*`` method a writer uses.
"""

from __future__ import annotations

from typing import IO, Any

import xlsxwriter

SAFE_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def workbook(target: str | IO[bytes], **options: Any) -> xlsxwriter.Workbook:
    """Open a workbook that writes every string as text."""
    return xlsxwriter.Workbook(target, {**options, **SAFE_OPTIONS})
