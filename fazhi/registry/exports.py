"""XLSX exports (streamed, constant memory), import templates, change display.

An export uses the import layout, so a list exported, corrected in Excel and
imported again updates exactly the entities it names.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fazhi.core import xlsx
from fazhi.core.models import OrgUnit
from fazhi.registry import industries, selectors
from fazhi.registry.choices import ChangeKind, ImportKind
from fazhi.registry.imports import entity_layout as entity_import
from fazhi.registry.models import Entity, EntityChange, Officer, RegulatoryCategory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_575  # Excel's limit below the header row


def scratch_file() -> IO[bytes]:
    """A temporary file for a download; the FileResponse closes (and so removes) it."""
    return tempfile.TemporaryFile()


def _workbook(target: IO[bytes]) -> Any:
    return xlsx.workbook(target, constant_memory=True)


def _write_rows(workbook: Any, headers: list[str], rows: Any) -> int:
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet()
    sheet.set_column(0, len(headers) - 1, 18, text)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS:
            break
        for col, value in enumerate(row):
            if value not in ("", None):
                sheet.write_string(count, col, str(value))
    return count


def entities_xlsx(target: IO[bytes], entities: QuerySet[Entity]) -> int:
    """Write ``entities`` (any filtered list) in the import layout."""
    categories = selectors.category_list()
    headers = [c.header for c in entity_import.COLUMNS]
    workbook = _workbook(target)
    rows = (
        entity_import.export_row(e, categories)
        for e in entities.select_related("supervising_agency")
        .order_by("-id")
        .iterator(chunk_size=2000)
    )
    count = _write_rows(workbook, headers, rows)
    workbook.close()
    return count


def officers_xlsx(target: IO[bytes], officers: QuerySet[Officer], *, show_personal: bool) -> int:
    """The officers in the import layout; ID and phone numbers masked unless
    ``show_personal`` (``fazhi.core.privacy``)."""
    from fazhi.registry.imports import officers as officer_import

    headers = [c.header for c in officer_import.COLUMNS]
    workbook = _workbook(target)

    def rows() -> Any:
        for officer in officers.select_related("unit", "external_agency").prefetch_related(
            "certificates"
        ):
            yield officer_import.export_row(
                officer, show_personal, selectors.certificate_current(officer=officer)
            )

    count = _write_rows(workbook, headers, rows())
    workbook.close()
    return count


def template_xlsx(target: IO[bytes], kind: str) -> None:
    """A blank import file: the header row, and a sheet explaining each column."""
    from fazhi.registry.imports import officers as officer_import

    columns = entity_import.COLUMNS if kind == ImportKind.ENTITY else officer_import.COLUMNS
    workbook = _workbook(target)
    _write_rows(workbook, [c.header for c in columns], [])
    bold = workbook.add_format({"bold": True})
    notes = workbook.add_worksheet(_("Notes")[:31])
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 80)
    for col, title in enumerate((_("Column"), _("Required"), _("Allowed values"))):
        notes.write_string(0, col, title, bold)
    line = 1
    for column in columns:
        notes.write_string(line, 0, column.header)
        notes.write_string(line, 1, "是" if column.required else "")
        notes.write_string(line, 2, column.help)
        line += 1
    if kind == ImportKind.ENTITY:
        line += 1
        notes.write_string(line, 0, "监管类别", bold)
        for category in RegulatoryCategory.objects.filter(is_active=True):
            line += 1
            notes.write_string(line, 0, category.name)
            notes.write_string(line, 2, category.code)
        line += 1
        notes.write_string(line, 0, "GB/T 4754-2017", bold)
        for code, industry in {**industries.sections(), **industries.divisions()}.items():
            line += 1
            notes.write_string(line, 0, code)
            notes.write_string(line, 2, industry.name)
    workbook.close()


# --- showing a change ---------------------------------------------------------

_CHOICE_FIELDS = {f.name: f for f in Entity._meta.fields if f.choices}


def _value(field: str, value: Any, categories: list[RegulatoryCategory]) -> str:
    if value in (None, ""):
        return "—"
    if field == "category_bits":
        return "、".join(selectors.category_names(int(value), categories)) or "—"
    if field == "supervising_agency_id":
        unit = OrgUnit.objects.filter(pk=value).first()
        return unit.name if unit else str(value)
    if field == "key_supervision":
        return _("Yes") if value else _("No")
    if field in _CHOICE_FIELDS:
        return str(dict(_CHOICE_FIELDS[field].flatchoices).get(value, value))
    if field == "industry_section":
        return industries.label(value)
    if field == "industry_division":
        return industries.label("", value)
    return str(value)


def _label(field: str) -> str:
    name = field.removesuffix("_id")
    try:
        return str(getattr(Entity._meta.get_field(name), "verbose_name", name))
    except Exception:
        return {"absorbed": _("absorbed"), "conflicts_moved": _("conflicts moved")}.get(
            field, field
        )


def describe_change(change: EntityChange, categories: list[RegulatoryCategory]) -> dict[str, Any]:
    """Turn a change row into labels and old/new display values."""
    fields = []
    if change.kind not in (ChangeKind.MERGED_INTO, ChangeKind.ABSORBED):
        for field, (old, new) in sorted(change.diff.items()):
            fields.append(
                (_label(field), _value(field, old, categories), _value(field, new, categories))
            )
    return {
        "kind": change.kind,
        "label": change.get_kind_display(),
        "when": change.changed_at,
        "who": change.actor or change.actor_label,
        "job": change.job,
        "other": change.other,
        "fields": fields,
    }
