"""Exports (streamed, constant memory), import templates, change display.

An export uses the import layout, so a list exported, corrected in Excel and
imported again updates exactly the entities it names.

The entity list is written from plain rows the database labels itself
(``entity_rows``), never from model instances: CSV on PostgreSQL is one
``COPY … TO STDOUT``; XLSX goes through rustpy-xlsxwriter (decision 0024),
the small workbooks (officers, templates) through xlsxwriter.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.db import connection
from django.db.models import Case, CharField, F, Func, QuerySet, Value, When
from django.utils.translation import gettext as _

from fazhi.core import xlsx
from fazhi.core.models import OrgUnit
from fazhi.registry import industries, selectors
from fazhi.registry.choices import ChangeKind, ImportKind
from fazhi.registry.imports import entity_layout as entity_import
from fazhi.registry.imports import labels
from fazhi.registry.models import Entity, EntityChange, Officer, RegulatoryCategory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
MAX_ROWS = 1_048_575  # Excel's limit below the header row
BOM = "\ufeff".encode()  # Excel opens a UTF-8 CSV as UTF-8 only with it
CHUNK = 5000
COPY_REPORT_ROWS = 50_000  # a COPY reports progress after this many rows
Progress = Callable[[int], None]


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


# --- the entity list, fast -------------------------------------------------------


def _labelled(field: str, table: labels.Table) -> Case:
    whens = [When(**{field: code}, then=Value(names[0])) for code, names in table.items()]
    return Case(*whens, default=F(field), output_field=CharField())


class _ConcatWs(Func):
    function = "CONCAT_WS"
    output_field = CharField()


def _category_names_sql(categories: list[RegulatoryCategory]) -> Any:
    """The entity's category names joined by "、", in SQL (PostgreSQL): a bit
    is set when OR-ing it in changes nothing."""
    if not categories:
        return Value("")
    parts = [
        Case(
            When(category_bits=F("category_bits").bitor(c.mask), then=Value(c.name)),
            default=Value(None),
            output_field=CharField(),
        )
        for c in categories
    ]
    return _ConcatWs(Value("、"), *parts)


def _row_query(entities: QuerySet[Entity], *, sql_categories: bool) -> QuerySet[Any]:
    """``entities`` as tuples in the import layout's column order (see
    ``entity_layout.export_row``, which a test holds this to)."""
    categories = selectors.category_list()
    columns: dict[str, Any] = {
        "x_uscc": F("uscc"),
        "x_name": F("name"),
        "x_kind": _labelled("kind", labels.KIND),
        "x_legal": F("legal_representative"),
        "x_region": F("region_code"),
        "x_address": F("address"),
        "x_section": F("industry_section"),
        "x_division": F("industry_division"),
        "x_scale": _labelled("scale", labels.SCALE),
        "x_categories": F("category_bits"),
        "x_key": Case(
            When(key_supervision=True, then=Value("是")),
            default=Value("否"),
            output_field=CharField(),
        ),
        "x_standard": _labelled("standardization_level", labels.STANDARDIZATION),
        "x_risk": _labelled("risk_level", labels.RISK),
        "x_credit": F("credit_class"),
        "x_status": _labelled("status", labels.STATUS),
        "x_phone": F("contact_phone"),
        "x_agency": F("supervising_agency__name"),
    }
    query = entities.order_by("-id")
    if sql_categories:
        columns["x_categories"] = _category_names_sql(categories)
    return query.annotate(**columns).values_list(*columns)


def _bits_names(categories: list[RegulatoryCategory]) -> Callable[[int], str]:
    cache: dict[int, str] = {}

    def names(bits: int) -> str:
        found = cache.get(bits)
        if found is None:
            found = cache[bits] = "、".join(c.name for c in categories if bits & c.mask)
        return found

    return names


def entity_rows(entities: QuerySet[Entity]) -> Iterator[list[str]]:
    """The entities as rows of the import layout, as text, newest first."""
    names = _bits_names(selectors.category_list())
    for row in _row_query(entities, sql_categories=False).iterator(chunk_size=CHUNK):
        values = ["" if v is None else v for v in row]
        values[9] = names(row[9] or 0)
        yield values


def entity_headers() -> list[str]:
    return [c.header for c in entity_import.COLUMNS]


def entities_csv(
    target: IO[bytes], entities: QuerySet[Entity], progress: Progress | None = None
) -> int:
    """Write ``entities`` as a UTF-8 CSV (with BOM, for Excel) in the import
    layout; return the number of rows. One ``COPY`` on PostgreSQL."""
    head = io.StringIO()
    csv.writer(head).writerow(entity_headers())
    target.write(BOM + head.getvalue().encode())
    if connection.vendor == "postgresql":
        return _copy_csv(target, entities, progress)
    count = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(entity_rows(entities), start=1):
        writer.writerow(row)
        if count % CHUNK == 0:
            target.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(count)
    target.write(buffer.getvalue().encode())
    if progress:
        progress(count)
    return count


def _copy_csv(target: IO[bytes], entities: QuerySet[Entity], progress: Progress | None) -> int:
    sql, params = _row_query(entities, sql_categories=True).query.sql_with_params()
    count = 0
    pending = 0
    # While the COPY runs its connection takes no other statement: progress is
    # reported mid-way only outside a transaction, where the caller can save
    # it from a connection of its own (export_jobs._save_progress).
    report = None if connection.in_atomic_block else progress
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for block in copy:
                data = bytes(block)
                target.write(data)
                lines = data.count(b"\n")  # rows, near enough: an address may hold a line break
                count += lines
                pending += lines
                if report and pending >= COPY_REPORT_ROWS:
                    report(count)
                    pending = 0
        if cursor.cursor.rowcount >= 0:
            count = cursor.cursor.rowcount  # COPY's own count
    if progress:
        progress(count)
    return count


def entities_xlsx_fast(
    path: str, entities: QuerySet[Entity], progress: Progress | None = None
) -> int:
    """Write ``entities`` to an XLSX file at ``path`` with rustpy-xlsxwriter
    (constant memory: rows stream from the database to the file)."""
    from rustpy_xlsxwriter import write_worksheet

    headers = entity_headers()
    count = 0

    def records() -> Iterator[dict[str, str]]:
        nonlocal count
        for count, row in enumerate(entity_rows(entities), start=1):
            if count > MAX_ROWS:
                count = MAX_ROWS
                return
            yield dict(zip(headers, row, strict=True))
            if progress and count % CHUNK == 0:
                progress(count)

    rows = records()
    first = next(rows, None)
    if first is None:  # rustpy writes no header row for no rows
        with open(path, "wb") as fh:
            workbook = _workbook(fh)
            _write_rows(workbook, headers, [])
            workbook.close()
        return 0

    def all_rows() -> Iterator[dict[str, str]]:
        yield first
        yield from rows

    write_worksheet(
        all_rows(),
        path,
        sheet_name="检查对象",
        freeze_row=1,
        bold_headers=True,
        column_width=18,
    )
    if progress:
        progress(count)
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
