"""Check a catalog workbook row by row before anything is written.

``catalog_import_check`` reads the file (layout in ``fazhi.powers.excel``)
and returns an ``ImportReport``: for every row either the item it would
create or the problems, each naming the row, the column and the reason.
Nothing is written here; ``services.catalog_import`` writes all rows, or only
the valid ones when the user asks for that.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core.choices import UnitKind
from fazhi.core.models import OrgUnit
from fazhi.laws.citations import Lookups, citations_find
from fazhi.laws.models import Article
from fazhi.powers.choices import POWER_TYPE_FROM_CN, POWER_TYPE_PREFIX, PowerType
from fazhi.powers.excel import (
    BY_KEY,
    COLUMNS,
    ImportFileError,
    Sheet,
    parse_flag,
    parse_levels,
    parse_responsibilities,
    read_sheet,
)
from fazhi.powers.models import PowerCatalog

_UNIT_SPLIT = re.compile(r"[、，,；;/／]|和|及")


@dataclass
class RowError:
    """One problem: Excel row number, column letter and heading, value, reason."""

    row: int
    column: str
    heading: str
    value: str
    reason: str


@dataclass
class ImportRow:
    row: int
    code: str
    parent_code: str
    fields: dict[str, Any] = field(default_factory=dict)
    articles: list[Article] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    file_errors: list[RowError] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [*self.file_errors, *(e for row in self.rows for e in row.errors)]

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.valid] if not self.file_errors else []

    @property
    def invalid_count(self) -> int:
        return sum(1 for row in self.rows if not row.valid)

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(row.valid for row in self.rows) and bool(self.rows)


def catalog_day(catalog: PowerCatalog) -> datetime.date:
    """The day whose law versions a catalog's citations resolve against."""
    return min(timezone.localdate(), datetime.date(catalog.year, 12, 31))


def derived_code(power_type: str, name: str) -> str:
    """A stable code for rows without one: type prefix and a hash of the name."""
    digest = hashlib.sha1(name.encode()).hexdigest()[:8].upper()
    return f"{POWER_TYPE_PREFIX.get(power_type, 'QT')}-{digest}"


class BasisResolver:
    """Resolve the citations of basis texts, remembering identical texts."""

    def __init__(self, on: datetime.date) -> None:
        self.on = on
        self._cache: dict[str, tuple[list[Article], list[str]]] = {}
        self._lookups = Lookups()

    def __call__(self, text: str) -> tuple[list[Article], list[str]]:
        """Return (articles cited, one reason per citation that failed)."""
        if text not in self._cache:
            articles: list[Article] = []
            problems: list[str] = []
            for citation in citations_find(text, on=self.on, lookups=self._lookups):
                if citation.resolved and citation.article is not None:
                    if all(a.pk != citation.article.pk for a in articles):
                        articles.append(citation.article)
                else:
                    problems.append(f"“{citation.text}”: {citation.reason}")
            self._cache[text] = (articles, problems)
        return self._cache[text]


def unit_lookup(agency: OrgUnit) -> dict[str, OrgUnit]:
    """Internal units of ``agency`` by name and short name."""
    units: dict[str, OrgUnit] = {}
    for unit in OrgUnit.objects.filter(path__startswith=agency.path).exclude(kind=UnitKind.AGENCY):
        if unit.agency().pk != agency.pk:
            continue
        units.setdefault(unit.name, unit)
        if unit.short_name:
            units.setdefault(unit.short_name, unit)
    return units


def catalog_import_check(*, catalog: PowerCatalog, data: bytes) -> ImportReport:
    """Validate every row of the workbook against ``catalog``; write nothing."""
    report = ImportReport()
    try:
        sheet = read_sheet(data)
    except ImportFileError as exc:
        report.file_errors.append(RowError(1, "—", "", "", str(exc)))
        return report
    missing = [c for c in COLUMNS if c.required and sheet.column_of(c.key) is None]
    for column in missing:
        report.file_errors.append(
            RowError(
                sheet.heading_row,
                "—",
                column.heading,
                "",
                _("The column “%(heading)s” is missing.") % {"heading": column.heading},
            )
        )
    if missing:
        return report
    if not sheet.rows:
        report.file_errors.append(
            RowError(sheet.heading_row + 1, "—", "", "", _("The sheet has no data rows."))
        )
        return report
    resolve = BasisResolver(catalog_day(catalog))
    units = unit_lookup(catalog.agency)
    existing = set(catalog.items.values_list("code", flat=True))
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        report.rows.append(_check_row(sheet, number, cells, resolve, units, existing, seen))
    _check_parents(sheet, report, existing)
    return report


def _check_row(
    sheet: Sheet,
    number: int,
    cells: list[str],
    resolve: BasisResolver,
    units: dict[str, OrgUnit],
    existing: set[str],
    seen: dict[str, int],
) -> ImportRow:
    def value(key: str) -> str:
        index = sheet.column_of(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    row = ImportRow(number, "", value("parent_code"))

    def problem(key: str, reason: str) -> None:
        index = sheet.column_of(key)
        heading = (
            sheet.headings.get(index, BY_KEY[key].heading)
            if index is not None
            else BY_KEY[key].heading
        )
        row.errors.append(RowError(number, sheet.letter(key), heading, value(key), reason))

    name = value("name")
    if not name:
        problem("name", _("The item name is empty."))
    type_text = value("power_type")
    power_type = POWER_TYPE_FROM_CN.get(re.sub(r"\s+", "", type_text)) or (
        type_text if type_text in PowerType.values else None
    )
    if power_type is None:
        problem(
            "power_type",
            _("Unknown power type “%(value)s”; use one of: %(types)s.")
            % {
                "value": type_text,
                "types": "、".join(sorted(set(POWER_TYPE_FROM_CN) - {"其他权力", "其他"})),
            },
        )
    basis = value("basis_text")
    if not basis:
        problem("basis_text", _("The legal basis is missing."))
    else:
        articles, failures = resolve(basis)
        for reason in failures:
            problem("basis_text", _("Unknown law citation %(reason)s") % {"reason": reason})
        if not articles and not failures:
            problem("basis_text", _("The legal basis cites no article (《…》第X条)."))
        row.articles = articles
    code = value("code") or (derived_code(power_type, name) if power_type and name else "")
    row.code = code
    if code:
        if code in seen:
            problem(
                "code" if value("code") else "name",
                _("Duplicate item code %(code)s (also in row %(row)s).")
                % {"code": code, "row": seen[code]},
            )
        elif code in existing:
            problem(
                "code" if value("code") else "name",
                _("The catalog already has an item with the code %(code)s.") % {"code": code},
            )
        else:
            seen[code] = number
        if len(code) > 40:
            problem("code", _("The item code is longer than 40 characters."))
    lead_text = value("lead_unit")
    lead_unit = units.get(lead_text)
    if not lead_text:
        problem("lead_unit", _("The lead unit is missing."))
    elif lead_unit is None:
        parts = [p.strip() for p in _UNIT_SPLIT.split(lead_text) if p.strip()]
        if len(parts) > 1 and any(p in units for p in parts):
            problem(
                "lead_unit",
                _(
                    "Name exactly one lead unit: one unit handles the power "
                    "for the agency (一致对外)."
                ),
            )
        else:
            problem(
                "lead_unit",
                _("Unknown unit “%(value)s”: it is not an internal unit of this agency.")
                % {"value": lead_text},
            )
    levels, unknown_levels = parse_levels(value("exercise_levels"))
    if unknown_levels:
        problem(
            "exercise_levels",
            _("Unknown level: %(levels)s") % {"levels": "、".join(unknown_levels)},
        )
    first_levels, unknown_first = parse_levels(value("first_responsible_level"))
    if unknown_first or len(first_levels) > 1:
        problem("first_responsible_level", _("Name one level: 省级, 市级 or 县级."))
    shared = parse_flag(value("shared"))
    if shared is None:
        problem("shared", _("Write 是 or 否."))
    if len(name) > 300:
        problem("name", _("The item name is longer than 300 characters."))
    row.fields = {
        "code": code,
        "name": name,
        "power_type": power_type or "",
        "basis_text": basis,
        "legal_subject": value("legal_subject")[:200],
        "exercise_levels": levels,
        "first_responsible_level": first_levels[0] if first_levels else "",
        "lead_unit": lead_unit,
        "responsibilities": parse_responsibilities(value("responsibilities")),
        "accountability_basis": value("accountability_basis"),
        "supervision_method": value("supervision_method"),
        "shared_with_counties": bool(shared),
        "remarks": value("remarks"),
        "change_reason": value("change_reason"),
    }
    return row


def _check_parents(sheet: Sheet, report: ImportReport, existing: set[str]) -> None:
    by_code = {row.code: row for row in report.rows if row.code}
    for row in report.rows:
        if not row.parent_code:
            continue
        column, heading = sheet.letter("parent_code"), BY_KEY["parent_code"].heading
        parent = by_code.get(row.parent_code)
        if parent is None and row.parent_code not in existing:
            row.errors.append(
                RowError(
                    row.row,
                    column,
                    heading,
                    row.parent_code,
                    _("No item with the code %(code)s exists for the parent.")
                    % {"code": row.parent_code},
                )
            )
        elif parent is not None and parent.parent_code:
            row.errors.append(
                RowError(
                    row.row,
                    column,
                    heading,
                    row.parent_code,
                    _("A sub-item cannot have sub-items of its own."),
                )
            )
    # A sub-item whose parent row is refused is refused too (repeat until stable).
    changed = True
    while changed:
        changed = False
        for row in report.rows:
            parent = by_code.get(row.parent_code) if row.parent_code else None
            if row.valid and parent is not None and not parent.valid:
                row.errors.append(
                    RowError(
                        row.row,
                        sheet.letter("parent_code"),
                        BY_KEY["parent_code"].heading,
                        row.parent_code,
                        _("The parent item (row %(row)s) has problems.") % {"row": parent.row},
                    )
                )
                changed = True
