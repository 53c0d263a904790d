"""Browser journey: a county officer imports an entity list with a bad row."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from fazhi.registry.tests import factories as f
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_imports_entities_reads_the_report_and_finds_them(
    browser_page, live_server, personas, tmp_path: Path
) -> None:
    page = browser_page
    rows = [
        f.entity_row(1, **{"单位名称": "济宁浏览器测试化工有限公司"}),
        f.entity_row(2, **{"风险等级": "非常高"}),
        f.entity_row(3),
    ]
    path = f.write_xlsx(tmp_path / "对象名录.xlsx", f.ENTITY_HEADERS, rows)
    login(page, live_server.url, personas.county_a_officer)

    page.goto(f"{live_server.url}/registry/entities/")
    page.click("a[href='/registry/entities/import/']")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=unit]", str(personas.county_a.pk))
    page.click("[data-testid=import-form] button[type=submit]")

    status = page.locator("[data-testid=import-status][data-status=validated]")
    status.wait_for()
    assert page.locator("[data-testid=valid-rows]").inner_text() == "2"
    assert page.locator("[data-testid=error-rows]").inner_text() == "1"
    with page.expect_download() as download:
        page.click("[data-testid=report-link]")
    report = CalamineWorkbook.from_filelike(io.BytesIO(Path(download.value.path()).read_bytes()))
    errors = [[str(cell) for cell in row] for row in report.get_sheet_by_index(1).to_python()]
    assert [errors[1][0].removesuffix(".0"), errors[1][1]] == ["3", "风险等级"]
    assert "非常高" in errors[1][2]

    page.click("[data-testid=import-confirm]")
    page.locator("[data-testid=import-status][data-status=done]").wait_for()
    assert page.locator("[data-testid=created-count]").inner_text() == "2"

    page.goto(f"{live_server.url}/registry/entities/")
    page.fill("input[name=q]", "浏览器测试")
    page.click("[data-testid=entity-filters] button[type=submit]")
    # The click returns before the filtered page has loaded: wait for it.
    page.wait_for_url("**/registry/entities/?*q=*")
    expect(page.locator("[data-testid=entity-table] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=entity-table]")).to_contain_text(
        "济宁浏览器测试化工有限公司"
    )
    page.click("text=济宁浏览器测试化工有限公司")
    expect(page.locator("main")).to_contain_text("危险化学品经营")


def test_the_progress_card_follows_a_background_job(
    browser_page, live_server, personas, tmp_path: Path
) -> None:
    from fazhi.registry.imports import jobs, runner

    page = browser_page
    rows = [f.entity_row(n) for n in range(1, 6)]
    path = f.write_csv(tmp_path / "e.csv", f.ENTITY_HEADERS, rows)
    job = jobs.import_job_create(
        actor=personas.county_a_officer,
        kind="entity",
        unit=personas.county_a,
        filename="e.csv",
        path=str(path),
        run=False,
    )
    login(page, live_server.url, personas.county_a_officer)
    page.goto(f"{live_server.url}/registry/imports/{job.pk}/")
    page.locator("[data-testid=import-status][data-status=pending]").wait_for()
    assert page.locator("[data-testid=import-progress]").count() == 1
    # A worker picks the job up; htmx polling shows the result without a reload.
    runner.job_validate(job.pk)
    page.locator("[data-testid=import-status][data-status=validated]").wait_for()
    assert page.locator("[data-testid=valid-rows]").inner_text() == "5"
    assert page.locator("[data-testid=import-progress]").count() == 0


def test_a_big_export_shows_progress_then_offers_its_file(
    browser_page, live_server, personas, settings, monkeypatch
) -> None:
    """Entity list → 导出 (CSV) → the job page polls while a worker writes it →
    the download link appears without a reload."""
    from fazhi.registry import export_jobs

    settings.FAZHI_EXPORT_INLINE_MAX = 1  # so that three entities go to the worker
    queued: list[int] = []
    monkeypatch.setattr(export_jobs, "_enqueue", queued.append)
    for _ in range(3):
        f.entity(personas.county_a)
    f.entity(personas.county_b, region_code="370826")
    page = browser_page
    login(page, live_server.url, personas.county_a_officer)
    page.goto(f"{live_server.url}/registry/entities/")
    page.click("[data-testid=entity-export] button[value=csv]")
    page.wait_for_url("**/registry/exports/*/")
    page.locator("[data-testid=export-status][data-status=queued]").wait_for()
    assert page.locator("[data-testid=export-progress]").count() == 1
    export_jobs.export_run(queued[0])  # the worker
    page.locator("[data-testid=export-status][data-status=done]").wait_for()
    with page.expect_download() as download:
        page.click("[data-testid=export-download]")
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 4  # the header and county A's three
