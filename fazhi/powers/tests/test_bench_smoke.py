"""The benchmark's data builder and cases work at a tiny size (benchmarks never run here)."""

from __future__ import annotations

import pytest

from bench import bench_powers


@pytest.mark.django_db
def test_benchmark_builder_and_cases_run_at_tiny_size() -> None:
    from fazhi.powers.excel import write_catalog
    from fazhi.powers.importing import catalog_import_check
    from fazhi.powers.selectors import catalog_diff

    data = bench_powers.build(rows=12)
    assert data["old"].items.count() == 12
    report = catalog_import_check(catalog=data["target"], data=data["workbook"])
    assert report.ok, report.errors
    diff = catalog_diff(old=data["old"], new=data["new"])
    assert diff.total > 0
    assert write_catalog("x", data["new"].items.select_related("lead_unit", "parent"))[:2] == b"PK"
