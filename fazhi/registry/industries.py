"""GB/T 4754-2017 国民经济行业分类: 门类 (sections) and 大类 (divisions).

The table ships in ``data/industries.csv`` (see ``data/README.md``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "industries.csv"


@dataclass(frozen=True, slots=True)
class Industry:
    code: str
    name: str
    section: str  # the section letter; equals ``code`` for a section

    @property
    def is_section(self) -> bool:
        return self.code == self.section

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@cache
def _table() -> tuple[dict[str, Industry], dict[str, Industry]]:
    sections: dict[str, Industry] = {}
    divisions: dict[str, Industry] = {}
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["section"]:
                divisions[row["code"]] = Industry(row["code"], row["name"], row["section"])
            else:
                sections[row["code"]] = Industry(row["code"], row["name"], row["code"])
    return sections, divisions


def sections() -> dict[str, Industry]:
    """Return the 20 门类 by letter."""
    return _table()[0]


def divisions() -> dict[str, Industry]:
    """Return the 97 大类 by two-digit code."""
    return _table()[1]


@cache
def _by_name() -> tuple[dict[str, str], dict[str, str]]:
    return (
        {i.name: i.code for i in sections().values()},
        {i.name: i.code for i in divisions().values()},
    )


def section_code(value: str) -> str | None:
    """Resolve a 门类 given as a letter ("C") or a name ("制造业")."""
    value = value.strip()
    if value.upper() in sections():
        return value.upper()
    return _by_name()[0].get(value)


def division_code(value: str) -> str | None:
    """Resolve a 大类 given as "26", "C26", "2614" (a class) or its name."""
    value = value.strip().upper()
    if len(value) >= 3 and value[0].isalpha() and value[1:3].isdigit():
        value = value[1:]
    if value.isdigit() and len(value) in (1, 2, 3, 4):
        code = value.zfill(2) if len(value) < 2 else value[:2]
        return code if code in divisions() else None
    return _by_name()[1].get(value)


def section_choices() -> list[tuple[str, str]]:
    return [(code, str(ind)) for code, ind in sections().items()]


def division_choices() -> list[tuple[str, str]]:
    return [(code, str(ind)) for code, ind in divisions().items()]


def label(section: str, division: str = "") -> str:
    """Return e.g. "C 制造业 / 26 化学原料和化学制品制造业"."""
    parts = []
    if section and section in sections():
        parts.append(str(sections()[section]))
    if division and division in divisions():
        parts.append(str(divisions()[division]))
    return " / ".join(parts)
