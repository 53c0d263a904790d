"""What the project ships about its law texts, beside the texts themselves.

- ``data/laws/effective-dates.tsv`` (vendored from shared/data): for every
  shipped file its 施行日期 with a confidence and a sourced note, and in the
  notes the versions later repealed ("REPEALED from 2024-05-01 by
  煤矿安全生产条例 第七十六条").
- ``data/heading-corrections.tsv``: unmarked chapter headings of shipped
  files that an administrator confirmed (the parser only warns about them).

Both are read once per process; the importer applies them to the files they
name, and an administrator can still correct what they set.
"""

from __future__ import annotations

import csv
import datetime
import functools
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
EFFECTIVE_DATES = DATA / "laws" / "effective-dates.tsv"
HEADING_CORRECTIONS = DATA / "heading-corrections.tsv"
REPEAL_RE = re.compile(r"REPEALED from (\d{4}-\d{2}-\d{2}) by ([^\s(（]+?)\s*(第\S+?条)")


@dataclass(frozen=True)
class ShippedDate:
    """One row of effective-dates.tsv."""

    file: str
    title: str
    version_date: datetime.date
    effective_date: datetime.date
    confidence: str
    note: str

    @property
    def repeal(self) -> tuple[datetime.date, str] | None:
        """(first day no longer in force, citation of the repealing article), if repealed."""
        match = REPEAL_RE.search(self.note)
        if not match:
            return None
        return datetime.date.fromisoformat(match.group(1)), match.group(2) + match.group(3)


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@functools.cache
def shipped_dates() -> dict[str, ShippedDate]:
    """The effective-date table by file name."""
    table: dict[str, ShippedDate] = {}
    for row in _rows(EFFECTIVE_DATES):
        table[row["file"]] = ShippedDate(
            file=row["file"],
            title=row["title"],
            version_date=datetime.date.fromisoformat(row["version_date"]),
            effective_date=datetime.date.fromisoformat(row["effective_date"]),
            confidence=row["confidence"],
            note=row["note"],
        )
    return table


def shipped_date(source_name: str, title: str) -> ShippedDate | None:
    """The table's row for a file, if its name and title are the shipped ones."""
    row = shipped_dates().get(Path(source_name).name)
    if row is None or row.title != title:
        return None
    return row


@functools.cache
def shipped_headings() -> dict[str, tuple[str, ...]]:
    """Confirmed unmarked chapter headings by file name."""
    table: dict[str, list[str]] = {}
    for row in _rows(HEADING_CORRECTIONS):
        table.setdefault(row["file"], []).append(row["heading"])
    return {name: tuple(headings) for name, headings in table.items()}
