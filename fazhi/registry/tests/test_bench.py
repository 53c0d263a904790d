"""A small run of the registry benchmark's data and cases (the real run is ./dev bench)."""

from __future__ import annotations

import pytest

from bench import bench_registry
from fazhi.registry.models import Entity

pytestmark = pytest.mark.django_db


def test_bench_data_imports_cleanly_and_lists(tmp_path):
    org = bench_registry.setup_org()
    xlsx = bench_registry.write_xlsx(tmp_path / "e.xlsx", 40)
    assert bench_registry.calamine_read(xlsx) == 41
    job = bench_registry.import_file(xlsx, org)
    assert (job.created_count, job.error_rows) == (40, 0)
    csv_path = bench_registry.write_csv(tmp_path / "e.csv", 60)
    bench_registry.raw_copy(csv_path)
    bench_registry.clear_entities()
    job = bench_registry.import_file(csv_path, org)
    assert Entity.objects.count() == 60
    again = bench_registry.import_file(csv_path, org)
    assert (again.unchanged_rows, again.created_count) == (60, 0)
    city, county = bench_registry.list_latencies(org, 4)
    assert len(city) >= 4
    assert len(county) >= 4
    assert bench_registry.p95(city) > 0


def test_bench_every_filter_and_duplicates_run(tmp_path):
    from bench import registry_lists
    from bench.harness import Bench

    org = bench_registry.setup_org()
    bench_registry.import_file(bench_registry.write_csv(tmp_path / "e.csv", 30), org)
    bench = Bench("test")
    p95s = registry_lists.every_filter(bench, org, "30 rows")
    assert sorted(p95s) == [
        f"entity list {kind} p95 ({who}, every filter)"
        for kind in ("api", "html")
        for who in ("city", "county")
    ]
    assert len(set(registry_lists.combinations())) == len(registry_lists.combinations()) == 21
    registry_lists.duplicates_page(bench, org, "30 rows")
    names = [r.name for r in bench.results]
    assert set(p95s) <= set(names)
    assert "duplicates page" in names


def test_bench_exports_run(tmp_path):
    from bench import registry_exports
    from bench.harness import Bench

    org = bench_registry.setup_org()
    bench_registry.import_file(bench_registry.write_csv(tmp_path / "e.csv", 30), org)
    bench = Bench("test")
    registry_exports.run_exports(bench, org, "30 rows")
    names = [r.name for r in bench.results]
    assert "export csv (background job)" in names
    assert "export xlsx (background job, rustpy-xlsxwriter)" in names
    assert "rustpy-xlsxwriter (rows in memory)" in names
    assert (
        registry_exports.export_job(org["bench_county"], "csv")
        == Entity.objects.filter(supervising_agency=org["county"]).count()
    )
