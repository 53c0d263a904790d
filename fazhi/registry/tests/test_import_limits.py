"""A file cannot take a worker down (issue 13, the spreadsheet bomb): rows,
unpacked size and reported errors are limited, with a clear message."""

from __future__ import annotations

import zipfile

import pytest

from fazhi.registry.choices import ImportStatus
from fazhi.registry.imports import limits, readers
from fazhi.registry.tests import factories as f
from fazhi.registry.tests.test_import_entities import report_rows, run

pytestmark = pytest.mark.django_db


def test_a_check_stops_after_the_error_limit(personas, tmp_path, settings):
    settings.FAZHI_IMPORT_MAX_ERRORS = 3
    rows = [f.entity_row(n, **{"行政区划代码": "999999"}) for n in range(1, 11)]
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, rows),
    )
    assert job.status == ImportStatus.FAILED
    assert "stopped after 3 errors" in job.message
    assert job.error_count == 3
    assert [r[0] for r in report_rows(job)] == [2, 3, 4]
    assert job.valid_rows == 0


def test_a_file_with_too_many_rows_is_refused(personas, tmp_path, settings):
    settings.FAZHI_IMPORT_MAX_ROWS = 2
    rows = [f.entity_row(n) for n in range(1, 4)]
    for name, write in (("e.csv", f.write_csv), ("e.xlsx", f.write_xlsx)):
        job = run(
            personas.county_a_officer,
            personas.county_a,
            write(tmp_path / name, f.ENTITY_HEADERS, rows),
        )
        assert job.status == ImportStatus.FAILED
        assert "more than 2 rows" in job.message


def test_a_workbook_declaring_too_many_rows_is_refused_before_it_is_read(tmp_path, settings):
    settings.FAZHI_IMPORT_MAX_ROWS = 2
    path = f.write_xlsx(tmp_path / "e.xlsx", f.ENTITY_HEADERS, [f.entity_row(n) for n in range(3)])
    with pytest.raises(limits.LimitError, match="more than 2 rows"):
        limits.workbook_check(path)


def test_a_workbook_that_unpacks_to_too_much_is_refused(tmp_path, settings):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (2 << 20))  # 12 MB of rows
    settings.FAZHI_IMPORT_MAX_UNPACKED_MB = 8
    with pytest.raises(limits.LimitError, match="unpacks to 12 MB"):
        readers.open_table(path)
