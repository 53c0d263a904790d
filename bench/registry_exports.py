"""Exports of issue 15, run by bench_registry on the registry it filled.

- CSV of the whole list as a background job, against the database copying
  the same table out (``COPY registry_entity TO STDOUT`` on PostgreSQL; a
  plain fetch of the rows on SQLite).
- XLSX of the whole list as a background job (rustpy-xlsxwriter, decision
  0024), with its peak memory.
- The writers compared on the same ``FAZHI_BENCH_EXPORT_WRITER_ROWS`` rows
  (100,000 unless set), already in memory: xlsxwriter in constant-memory
  mode (the old path), rustpy-xlsxwriter, and pyexcelerate if installed.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from typing import Any

from bench.harness import Bench

WRITER_ROWS = int(os.environ.get("FAZHI_BENCH_EXPORT_WRITER_ROWS", "100000"))


def database_copy_out() -> None:
    from django.db import connection

    from fazhi.registry.models import Entity

    if connection.vendor != "postgresql":
        for _row in Entity.objects.values_list().iterator(chunk_size=5000):
            pass
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY registry_entity TO STDOUT WITH (FORMAT csv)") as copy,
    ):
        for _block in copy:
            pass


def export_job(user: Any, fmt: str) -> int:
    from fazhi.registry import export_jobs, selectors
    from fazhi.registry.choices import ExportStatus

    job = export_jobs.export_start(
        actor=user, filters=selectors.EntityFilters(), format=fmt, run=False
    )
    assert export_jobs.export_run(job.pk) == ExportStatus.DONE
    job.refresh_from_db()
    job.file.delete(save=False)
    return job.written_rows


def _rows(user: Any) -> tuple[list[str], list[list[str]]]:
    from fazhi.registry import exports, selectors

    entities = selectors.entity_list(actor=user)
    rows = []
    for n, row in enumerate(exports.entity_rows(entities)):
        if n >= WRITER_ROWS:
            break
        rows.append(row)
    return exports.entity_headers(), rows


def write_xlsxwriter(headers: list[str], rows: list[list[str]]) -> None:
    from fazhi.registry import exports

    with tempfile.TemporaryFile() as fh:
        workbook = exports._workbook(fh)
        exports._write_rows(workbook, headers, rows)
        workbook.close()


def write_rustpy(headers: list[str], rows: list[list[str]]) -> None:
    from rustpy_xlsxwriter import write_worksheet

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        records = (dict(zip(headers, row, strict=True)) for row in rows)
        write_worksheet(records, fh.name, freeze_row=1, bold_headers=True, column_width=18)


def write_pyexcelerate(headers: list[str], rows: list[list[str]]) -> None:
    from pyexcelerate import Workbook

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        workbook = Workbook()
        workbook.new_sheet("Sheet1", data=[headers, *rows])
        workbook.save(fh.name)


def run_exports(bench: Bench, org: dict[str, Any], size: str) -> None:
    user = org["bench_city"]
    floor = "copy the entity table out (database floor)"
    bench.measure(floor, database_copy_out, size=size, repeat=3)
    bench.measure(
        "export csv (background job)",
        lambda: export_job(user, "csv"),
        size=size,
        repeat=3,
        baseline=floor,
        target="≤ 5 s on PostgreSQL",
    )
    bench.measure(
        "export xlsx (background job, rustpy-xlsxwriter)",
        lambda: export_job(user, "xlsx"),
        size=size,
        repeat=1,
        baseline=floor,
        target="≤ 30 s, memory flat",
    )
    headers, rows = _rows(user)
    writer_size = f"{len(rows):,} rows"
    old = "xlsxwriter constant memory (rows in memory)"
    bench.measure(old, lambda: write_xlsxwriter(headers, rows), size=writer_size, repeat=1)
    bench.measure(
        "rustpy-xlsxwriter (rows in memory)",
        lambda: write_rustpy(headers, rows),
        size=writer_size,
        repeat=3,
        baseline=old,
    )
    if importlib.util.find_spec("pyexcelerate") is not None:
        bench.measure(
            "pyexcelerate (rows in memory)",
            lambda: write_pyexcelerate(headers, rows),
            size=writer_size,
            repeat=1,
            baseline=old,
        )
