"""Importing the entity list: check first, report every bad row, write only when asked."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from python_calamine import CalamineWorkbook

from fazhi.registry.choices import ChangeKind, ImportStatus
from fazhi.registry.imports import jobs, runner, streams
from fazhi.registry.models import Entity, EntityChange, EntityStaging, ImportJob
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def run(
    actor: Any, unit: Any, path: Path, *, valid_only: bool = False, confirm: bool = False
) -> ImportJob:
    job = jobs.import_job_create(
        actor=actor,
        kind="entity",
        unit=unit,
        filename=path.name,
        path=str(path),
        valid_only=valid_only,
        run=False,
    )
    job = runner.job_validate(job.pk)
    if confirm:
        jobs.import_job_confirm(actor=actor, job=job, run=False)
        job = runner.job_apply(job.pk)
    job.refresh_from_db()
    return job


def report_rows(job: ImportJob) -> list[tuple[int, str, str, str]]:
    workbook = CalamineWorkbook.from_path(job.report.path)
    rows = workbook.get_sheet_by_index(1).to_python()[1:]
    return [(int(float(str(r[0]))), str(r[1]), str(r[2]), str(r[3])) for r in rows]


def bad_file_rows() -> list[dict[str, Any]]:
    good = [f.entity_row(n) for n in range(1, 4)]
    broken_check = f.entity_row(10)
    broken_check["统一社会信用代码"] = broken_check["统一社会信用代码"][:-1] + (
        "0" if broken_check["统一社会信用代码"][-1] != "0" else "1"
    )
    return [
        *good,  # rows 2-4
        broken_check,  # row 5: check character
        f.entity_row(11, **{"单位名称": ""}),  # row 6: required
        f.entity_row(12, **{"行政区划代码": "379999"}),  # row 7: not in GB/T 2260
        f.entity_row(13, **{"风险等级": "很高"}),  # row 8: code table
        f.entity_row(14, **{"监管类别": "粉尘涉爆、核电站"}),  # row 9: category
        f.entity_row(
            15, **{"行业门类": "F", "行业大类": "26"}
        ),  # row 10: division of another section
        f.entity_row(
            16,
            **{
                "统一社会信用代码": good[0]["统一社会信用代码"],
                "单位名称": "另一家公司",
                "地址": "别处1号",
            },
        ),  # row 11
        f.entity_row(
            17, **{"单位名称": good[1]["单位名称"], "地址": good[1]["地址"]}
        ),  # row 12: same name+address
        f.entity_row(18, **{"监管机构": "不存在的单位"}),  # row 13: unknown agency
        f.entity_row(19, **{"统一社会信用代码": "91370811MA12345"}),  # row 14: length
    ]


EXPECTED = {
    (5, "统一社会信用代码"): "check character",
    (6, "单位名称"): "required",
    (7, "行政区划代码"): "region table",
    (8, "风险等级"): "is not one of",
    (9, "监管类别"): "核电站",
    (10, "行业大类"): "belongs to section C",
    (11, "统一社会信用代码"): "row 2",
    (12, "单位名称"): "row 3",
    (13, "监管机构"): "No unit",
    (14, "统一社会信用代码"): "18 characters",
}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(
    personas, tmp_path, fmt
):
    path = tmp_path / f"entities.{fmt}"
    writer = f.write_xlsx if fmt == "xlsx" else f.write_csv
    writer(path, f.ENTITY_HEADERS, bad_file_rows())
    job = run(personas.county_a_officer, personas.county_a, path)
    assert job.status == ImportStatus.VALIDATED
    assert (job.total_rows, job.valid_rows, job.error_rows, job.new_rows) == (13, 3, 10, 3)
    assert Entity.objects.count() == 0
    found = {(row, column): reason for row, column, _value, reason in report_rows(job)}
    for key, fragment in EXPECTED.items():
        assert key in found, f"{key} not reported; got {sorted(found)}"
        assert fragment in found[key], (key, found[key])
    assert set(found) == set(EXPECTED)


def test_excel_number_cell_for_a_credit_code_is_explained(personas, tmp_path):
    path = f.write_xlsx(
        tmp_path / "numbers.xlsx",
        f.ENTITY_HEADERS,
        [{**f.entity_row(1), "统一社会信用代码": 913708001234567890}],
    )
    job = run(personas.county_a_officer, personas.county_a, path)
    ((row, column, _value, reason),) = report_rows(job)
    assert (row, column) == (2, "统一社会信用代码")
    assert "as a number" in reason


def test_discarding_a_checked_file_writes_nothing(personas, tmp_path):
    path = f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, bad_file_rows())
    job = run(personas.county_a_officer, personas.county_a, path)
    jobs.import_job_discard(actor=personas.county_a_officer, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert not EntityStaging.objects.filter(job_id=job.pk).exists()
    assert Entity.objects.count() == 0


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_choosing_valid_rows_imports_only_them(personas, tmp_path, fmt):
    path = tmp_path / f"entities.{fmt}"
    (f.write_xlsx if fmt == "xlsx" else f.write_csv)(path, f.ENTITY_HEADERS, bad_file_rows())
    job = run(personas.county_a_officer, personas.county_a, path, confirm=True)
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.updated_count) == (3, 0)
    entities = list(Entity.objects.order_by("name"))
    assert [e.name for e in entities] == [f"济宁市导入测试有限公司{n}" for n in (1, 2, 3)]
    first = entities[0]
    assert first.supervising_agency == personas.county_a
    assert (
        first.industry_section,
        first.industry_division,
        first.risk_level,
        first.credit_class,
    ) == ("C", "26", "moderate", "A")
    assert first.scale == "small"
    assert first.standardization_level == "level_3"
    assert not first.key_supervision
    assert first.source_job_id == job.pk
    assert first.created_by == personas.county_a_officer
    assert not EntityStaging.objects.filter(job_id=job.pk).exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_reimporting_the_same_file_changes_nothing(personas, tmp_path, fmt):
    rows = [f.entity_row(n) for n in range(1, 6)]
    path = tmp_path / f"entities.{fmt}"
    (f.write_xlsx if fmt == "xlsx" else f.write_csv)(path, f.ENTITY_HEADERS, rows)
    run(personas.county_a_officer, personas.county_a, path, confirm=True)
    before = list(Entity.objects.order_by("id").values())
    job = run(personas.county_a_officer, personas.county_a, path, confirm=True)
    assert (job.new_rows, job.changed_rows, job.unchanged_rows) == (0, 0, 5)
    assert (job.created_count, job.updated_count) == (0, 0)
    assert list(Entity.objects.order_by("id").values()) == before
    assert not EntityChange.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_changed_row_updates_the_entity_by_its_code_and_keeps_the_change(
    personas, tmp_path, fmt
):
    rows = [f.entity_row(n) for n in range(1, 4)]
    writer = f.write_xlsx if fmt == "xlsx" else f.write_csv
    run(
        personas.county_a_officer,
        personas.county_a,
        writer(tmp_path / f"a.{fmt}", f.ENTITY_HEADERS, rows),
        confirm=True,
    )
    rows[1] = {**rows[1], "风险等级": "重大风险", "监管类别": "有限空间作业", "重点监管": "是"}
    job = run(
        personas.county_a_officer,
        personas.county_a,
        writer(tmp_path / f"b.{fmt}", f.ENTITY_HEADERS, rows),
        confirm=True,
    )
    assert (job.new_rows, job.changed_rows, job.unchanged_rows) == (0, 1, 2)
    assert (job.created_count, job.updated_count) == (0, 1)
    entity = Entity.objects.get(uscc=rows[1]["统一社会信用代码"])
    assert entity.risk_level == "major"
    assert entity.key_supervision
    change = EntityChange.objects.get()
    assert change.entity == entity
    assert change.kind == ChangeKind.IMPORTED
    assert change.job == job
    assert change.actor == personas.county_a_officer
    assert change.diff["risk_level"] == ["moderate", "major"]
    assert change.diff["key_supervision"] == [False, True]
    assert set(change.diff) == {"risk_level", "key_supervision", "category_bits"}


def test_a_code_registered_by_another_county_is_refused(personas, tmp_path):
    theirs = f.entity(personas.county_b, region_code="370826")
    row = f.entity_row(1, **{"统一社会信用代码": theirs.uscc})
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, [row]),
        valid_only=True,
    )
    ((row_no, column, _v, reason),) = report_rows(job)
    assert (row_no, column) == (2, "统一社会信用代码")
    # Nothing of the other county's entity: neither its name nor its agency.
    assert reason == "Already registered by another unit; ask the city to transfer it."
    assert theirs.name not in reason
    assert "微山县" not in reason
    theirs.refresh_from_db()
    assert theirs.supervising_agency == personas.county_b
    assert theirs.name != row["单位名称"]


def test_same_name_and_address_as_a_registered_entity_is_refused(personas, tmp_path):
    existing = f.entity(personas.county_a)
    row = f.entity_row(1, **{"单位名称": existing.name, "地址": " " + existing.address})
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, [row]),
    )
    ((row_no, column, _v, reason),) = report_rows(job)
    assert (row_no, column) == (2, "单位名称")
    assert existing.uscc in reason


def test_a_missing_required_column_fails_the_whole_file(personas, tmp_path):
    headers = [h for h in f.ENTITY_HEADERS if h != "地址"]
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "e.csv", headers, [f.entity_row(1)]),
    )
    assert job.status == ImportStatus.FAILED
    assert "地址" in job.message
    assert report_rows(job)[0][:2] == (1, "地址")


def test_a_gb18030_csv_from_excel_is_read(personas, tmp_path):
    path = f.write_csv(
        tmp_path / "gbk.csv", f.ENTITY_HEADERS, [f.entity_row(1)], encoding="gb18030"
    )
    job = run(personas.county_a_officer, personas.county_a, path, confirm=True)
    assert Entity.objects.get().name == "济宁市导入测试有限公司1"
    assert job.error_rows == 0


def test_kind_and_region_are_taken_from_the_code_when_blank(personas, tmp_path):
    row = f.entity_row(1, **{"主体类型": "", "行政区划代码": ""})
    row["统一社会信用代码"] = f.make_uscc("370811", kind="92", body="MA0000001")
    run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, [row]),
        confirm=True,
    )
    entity = Entity.objects.get()
    assert (entity.kind, entity.region_code) == ("individual_business", "370811")


def test_the_agency_column_files_rows_under_a_unit_in_scope(personas, tmp_path):
    rows = [
        f.entity_row(1, **{"监管机构": "任城区执法大队"}),
        f.entity_row(2, **{"监管机构": "微山县应急管理局"}),
    ]
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, rows),
        valid_only=True,
    )
    assert job.status == ImportStatus.DONE
    assert Entity.objects.get().supervising_agency == personas.county_a_brigade
    assert report_rows(job)[0][:2] == (3, "监管机构")


def test_the_background_task_runs_the_check_after_commit(
    personas, tmp_path, django_capture_on_commit_callbacks
):
    path = f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, [f.entity_row(1), f.entity_row(2)])
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_job_create(
            actor=personas.county_a_officer,
            kind="entity",
            unit=personas.county_a,
            filename="e.csv",
            path=str(path),
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert job.task_id
    assert (job.processed_rows, job.total_rows, job.percent) == (2, 2, 100)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_confirm(actor=personas.county_a_officer, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Entity.objects.count() == 2


def test_the_bulk_plan_gives_the_same_result(personas, tmp_path, monkeypatch):
    from fazhi.registry.imports import pgbulk

    monkeypatch.setattr(pgbulk, "BULK_ROWS", 1)
    rows = [f.entity_row(n) for n in range(1, 4)]
    path = f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, rows)
    first = run(personas.county_a_officer, personas.county_a, path, confirm=True)
    assert first.created_count == 3
    rows[0] = {**rows[0], "信用等级": "D"}
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "b.csv", f.ENTITY_HEADERS, rows),
        confirm=True,
    )
    assert (job.changed_rows, job.unchanged_rows, job.updated_count) == (1, 2, 1)
    assert Entity.objects.get(uscc=rows[0]["统一社会信用代码"]).credit_class == "D"


def _table_structure() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registry_entity' "
            "UNION SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'registry_entity'::regclass"
        )
        return set(cursor.fetchall())


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="bulk loads drop and rebuild indexes on PostgreSQL only",
)


@postgres_only
def test_a_bulk_load_rebuilds_every_index_and_foreign_key(personas, tmp_path, monkeypatch):
    from fazhi.registry.imports import pgbulk

    before = _table_structure()
    assert "registry_entity_name_trgm" in dict(before)
    monkeypatch.setattr(pgbulk, "BULK_ROWS", 1)
    detached: list[tuple[list[str], list[str]]] = []
    real_detach = pgbulk.bulk_detach

    def spy(table: str) -> tuple[list[str], list[str]]:
        detached.append(real_detach(table))
        return detached[-1]

    monkeypatch.setattr(pgbulk, "bulk_detach", spy)
    rows = [f.entity_row(n) for n in range(1, 4)]
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, rows),
        confirm=True,
    )
    assert job.created_count == 3
    now, later = detached[0]
    assert any("registry_entity_live_uscc" in s for s in now)
    assert any("FOREIGN KEY (supervising_agency_id)" in s for s in now)
    assert all("UNIQUE" in s or "FOREIGN KEY" in s for s in now)
    assert any("USING gin" in s for s in later)
    assert any("registry_entity_dedupe" in s for s in later)
    assert _table_structure() == before


@postgres_only
def test_a_bulk_load_that_fails_keeps_the_indexes(personas, tmp_path, monkeypatch):
    from fazhi.registry.imports import entities, pgbulk

    before = _table_structure()
    monkeypatch.setattr(pgbulk, "BULK_ROWS", 1)

    def broken(self: Any, lo: int, hi: int) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(entities.EntitySpec, "_insert", broken)
    rows = [f.entity_row(n) for n in range(1, 4)]
    with pytest.raises(RuntimeError):
        run(
            personas.county_a_officer,
            personas.county_a,
            f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, rows),
            confirm=True,
        )
    assert _table_structure() == before
    assert not Entity.objects.exists()


@postgres_only
def test_indexes_are_built_again_when_a_load_stopped_before_them(personas):
    from fazhi.registry import filter_index
    from fazhi.registry.imports import pgbulk

    before = _table_structure()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {pgbulk.SEARCH_INDEX}")
        cursor.execute("DROP INDEX registry_entity_dedupe")
        cursor.execute(f"DROP INDEX {filter_index.PG_COVER}")  # migration 0020's own
    assert filter_index.PG_COVER in pgbulk.indexes_ensure()
    assert _table_structure() == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_big_file_is_staged_by_a_thread_on_its_own_connection(personas, tmp_path, monkeypatch):
    monkeypatch.setattr(streams, "STREAM_ROWS", 1)
    threads: list[str] = []
    real_run = streams.StagingStream._run

    def spy(self: streams.StagingStream) -> None:
        threads.append(threading.current_thread().name)
        real_run(self)

    monkeypatch.setattr(streams.StagingStream, "_run", spy)
    rows = [f.entity_row(n) for n in range(1, 4)]
    rows.append({**f.entity_row(4), "行政区划代码": "999999"})
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, rows),
    )
    assert threads == ["import-staging"]
    assert (job.status, job.valid_rows, job.error_rows) == (ImportStatus.VALIDATED, 3, 1)
    assert EntityStaging.objects.filter(job_id=job.pk).count() == 3
    # A bulk load then builds its plain indexes on two connections after the commit.
    from fazhi.registry.imports import pgbulk

    before = _table_structure()
    monkeypatch.setattr(pgbulk, "BULK_ROWS", 1)
    builders: list[str] = []
    real_restore = pgbulk.bulk_restore

    def restore(statements: Any) -> None:
        builders.append(threading.current_thread().name)
        real_restore(statements)

    monkeypatch.setattr(pgbulk, "bulk_restore", restore)
    jobs.import_job_confirm(actor=personas.county_a_officer, job=job, run=False)
    job = runner.job_apply(job.pk)
    assert job.created_count == 3
    assert len(builders) == 3
    assert builders[0] == "MainThread"
    assert "MainThread" not in builders[1:]
    assert _table_structure() == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_failed_staging_copy_is_reported_in_the_main_thread():
    stream = streams.StagingStream(1, EntityStaging, ("uscc",))
    stream.write([(1, 2, "x" * 19)])  # longer than the column
    with pytest.raises(Exception, match="too long"):
        stream.close()
    assert not EntityStaging.objects.exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_index_build_failing_after_the_commit_keeps_the_import(
    personas, tmp_path, monkeypatch, caplog
):
    from fazhi.registry.imports import pgbulk

    before = _table_structure()
    monkeypatch.setattr(pgbulk, "BULK_ROWS", 1)
    real_restore = pgbulk.bulk_restore

    def restore(statements: Any) -> None:
        if any("USING gin" in s for s in statements):
            raise RuntimeError("no space left on device")
        real_restore(statements)

    monkeypatch.setattr(pgbulk, "bulk_restore", restore)
    rows = [f.entity_row(n) for n in range(1, 4)]
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, rows),
        confirm=True,
    )
    assert (job.status, job.created_count) == (ImportStatus.DONE, 3)
    assert "no space left on device" in caplog.text
    assert pgbulk.SEARCH_INDEX not in dict(_table_structure())
    pgbulk.indexes_ensure()  # what the next import does first
    assert _table_structure() == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_others_see_a_bulk_loads_progress_before_it_commits(personas, tmp_path, monkeypatch):
    from django.db import connection as own

    from fazhi.registry.imports import entities, entity_apply, pgbulk

    monkeypatch.setattr(pgbulk, "BULK_ROWS", 1)
    monkeypatch.setattr(entity_apply, "APPLY_CHUNK", {"postgresql": 1})
    rows = [f.entity_row(n) for n in range(1, 4)]
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "a.csv", f.ENTITY_HEADERS, rows),
    )
    seen: list[int] = []
    real_insert = entities.EntitySpec._insert

    def insert(self: Any, lo: int, hi: int) -> int:
        assert own.in_atomic_block  # one transaction for the whole load

        def look() -> None:
            seen.append(ImportJob.objects.get(pk=job.pk).processed_rows)
            own.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        return real_insert(self, lo, hi)

    monkeypatch.setattr(entities.EntitySpec, "_insert", insert)
    jobs.import_job_confirm(actor=personas.county_a_officer, job=job, run=False)
    job = runner.job_apply(job.pk)
    assert job.created_count == 3
    assert seen == [0, 1, 2]


def test_a_twin_of_another_countys_entity_does_not_reveal_its_code(personas, tmp_path):
    theirs = f.entity(personas.county_b, region_code="370826")
    row = f.entity_row(1, **{"单位名称": theirs.name, "地址": theirs.address})
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, [row]),
    )
    ((_row, column, _v, reason),) = report_rows(job)
    assert column == "单位名称"
    assert reason == "Already registered by another unit; ask the city to transfer it."
    assert theirs.uscc not in reason


def test_a_bureaus_own_headers_are_understood(personas, tmp_path):
    # Issue 14: 详细地址, 单位类型, 行业代码 as a GB/T 4754 class (C2614) …
    variants = {"地址": "详细地址", "主体类型": "单位类型", "行业大类": "行业代码"}
    headers = [variants.get(h, h) for h in f.ENTITY_HEADERS if h != "行业门类"]
    row = {variants.get(k, k): v for k, v in f.entity_row(1).items() if k != "行业门类"}
    row["行业代码"] = "C2614"
    job = run(
        personas.county_a_officer,
        personas.county_a,
        f.write_csv(tmp_path / "e.csv", headers, [row]),
        valid_only=True,
    )
    assert (job.status, job.error_rows, job.created_count) == (ImportStatus.DONE, 0, 1)
    entity = Entity.objects.get()
    assert (entity.industry_section, entity.industry_division) == ("C", "26")
    assert entity.address == row["详细地址"]


def test_rows_outside_the_importing_units_territory_are_refused(personas, tmp_path):
    # Issue 14: a county imported another county's entity and it became its own.
    rows = [f.entity_row(1), f.entity_row(2, region="370826")]
    path = f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, rows)
    job = run(personas.county_a_officer, personas.county_a, path, valid_only=True)
    ((row_no, column, value, reason),) = report_rows(job)
    assert (row_no, column, value) == (3, "行政区划代码", "370826")
    assert "Outside the territory of 任城区应急管理局 (370811)" in reason
    assert list(Entity.objects.values_list("region_code", flat=True)) == ["370811"]
    # The city's territory holds both counties.
    city = run(personas.admin, personas.city, path, valid_only=True)
    assert (city.error_rows, city.valid_rows) == (0, 2)


def test_territory_prefixes():
    from fazhi.registry.imports.entity_rows import territory_prefix

    assert territory_prefix("370811") == "370811"
    assert territory_prefix("370800") == "3708"
    assert territory_prefix("370000") == "37"
    assert territory_prefix("") == ""
