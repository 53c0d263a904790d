"""Validators for 统一社会信用代码, 公民身份号码 and 行政区划代码 (DOMAIN §8).

The USCC check is written here rather than taken from python-stdnum, which
rejects valid codes whose first character is A, N or Y, and which is too slow
for a million-row import. Every validator returns a ``CodeCheck`` with a
translated reason, so callers can show it next to the field.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_FIRST = frozenset("123456789ANY")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"
REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.csv"


@dataclass(frozen=True, slots=True)
class CodeCheck:
    valid: bool
    reason: str | Promise = ""


OK = CodeCheck(True)


def uscc_check_char(code17: str) -> str:
    """Return the 18th (check) character for the first 17 characters."""
    total = 0
    for ch, weight in zip(code17, _USCC_WEIGHTS, strict=True):
        total += _USCC_VALUE[ch] * weight
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_code_check(body8: str) -> str:
    total = 0
    for ch, weight in zip(body8, _ORG_WEIGHTS, strict=True):
        total += (int(ch) if ch.isdigit() else ord(ch) - 55) * weight
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_uscc(value: str, *, check_org_code: bool = False) -> CodeCheck:
    """Check an 18-character unified social credit code (GB 32100-2015).

    The organisation-code digit (position 17) is only checked when asked:
    DOMAIN §8.1 marks that rule as verified on a sample only.
    """
    code = value.strip().upper()
    if len(code) != 18:
        return CodeCheck(False, _("must be 18 characters, not %(n)d") % {"n": len(code)})
    for ch in code:
        if ch not in _USCC_VALUE:
            return CodeCheck(
                False, _("contains the character “%(ch)s”, which codes never use") % {"ch": ch}
            )
    if code[0] not in _USCC_FIRST:
        return CodeCheck(False, _("the registering-authority code (1st character) is not valid"))
    if not code[2:8].isdigit():
        return CodeCheck(False, _("characters 3–8 must be a region code"))
    if uscc_check_char(code[:17]) != code[17]:
        return CodeCheck(False, _("the check character does not match"))
    if check_org_code and _org_code_check(code[8:16]) != code[16]:
        return CodeCheck(False, _("the organisation-code check digit does not match"))
    return OK


def is_uscc(value: str) -> bool:
    return validate_uscc(value).valid


def ric_check_char(code17: str) -> str:
    total = 0
    for ch, weight in zip(code17, _RIC_WEIGHTS, strict=True):
        total += (ord(ch) - 48) * weight
    return _RIC_CHECK[total % 11]


def validate_ric(value: str, *, today: datetime.date | None = None) -> CodeCheck:
    """Check an 18-digit citizen ID number (GB 11643-1999).

    The address code is checked for shape only: new counties appear every
    year, and a person keeps their number when their county is renamed.
    """
    code = value.strip().upper()
    if len(code) != 18:
        return CodeCheck(False, _("must be 18 characters, not %(n)d") % {"n": len(code)})
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        return CodeCheck(False, _("must be 17 digits followed by a digit or X"))
    if code[:2] not in _province_prefixes():
        return CodeCheck(False, _("the first two digits are not a province code"))
    try:
        birth = datetime.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return CodeCheck(False, _("the birth date is not a real date"))
    if birth.year < 1880 or birth > (today or datetime.date.today()):
        return CodeCheck(False, _("the birth date is out of range"))
    if ric_check_char(code[:17]) != code[17]:
        return CodeCheck(False, _("the check character does not match"))
    return OK


def ric_birth_date(value: str) -> datetime.date:
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def ric_is_male(value: str) -> bool:
    return int(value[16]) % 2 == 1


def mask_ric(value: str) -> str:
    """Show the first 6 and last 4 characters only (for roles without need)."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    valid_from_year: int | None
    valid_to_year: int | None

    @property
    def current(self) -> bool:
        return self.valid_to_year is None


@cache
def region_table() -> dict[str, tuple[Region, ...]]:
    """Load the shipped GB/T 2260 table: code -> names it has carried."""
    table: dict[str, list[Region]] = {}
    with REGIONS_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            region = Region(
                row["code"],
                row["name"],
                int(row["valid_from_year"]) if row["valid_from_year"] else None,
                int(row["valid_to_year"]) if row["valid_to_year"] else None,
            )
            table.setdefault(region.code, []).append(region)
    return {code: tuple(regions) for code, regions in table.items()}


@cache
def _province_prefixes() -> frozenset[str]:
    return frozenset(code[:2] for code in region_table())


def region_get(code: str) -> Region | None:
    """Return the current (or else the latest) name of a region code."""
    regions = region_table().get(code)
    if not regions:
        return None
    current = [r for r in regions if r.current]
    return (current or sorted(regions, key=lambda r: r.valid_to_year or 0))[-1]


def region_full_name(code: str) -> str:
    """Return e.g. "山东省济宁市任城区" for a county code."""
    parts = []
    for prefix in (code[:2] + "0000", code[:4] + "00", code):
        region = region_get(prefix)
        if region and region.name not in {"市辖区", "县"} and region.name not in parts:
            parts.append(region.name)
    return "".join(parts)


def validate_region(value: str, *, allow_historic: bool = False) -> CodeCheck:
    """Check a 6-digit region code against the shipped GB/T 2260 table."""
    code = value.strip()
    if len(code) != 6 or not code.isdigit():
        return CodeCheck(False, _("must be 6 digits"))
    regions = region_table().get(code)
    if not regions:
        return CodeCheck(False, _("is not in the GB/T 2260 region table"))
    if not allow_historic and not any(r.current for r in regions):
        last = max(r.valid_to_year or 0 for r in regions)
        return CodeCheck(False, _("was abolished in %(year)d") % {"year": last})
    return OK


VALIDATORS: dict[str, Callable[[str], CodeCheck]] = {
    "uscc": validate_uscc,
    "ric": validate_ric,
    "region": validate_region,
}
