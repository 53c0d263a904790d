"""Browser journey on a phone (390 px): a random draw from commitment to receipt,
then an inspection with a photo and two signatures."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from fazhi.inspections import draw, services
from fazhi.inspections.demo import png
from fazhi.inspections.models import Inspection, InspectionTask
from fazhi.registry.tests import factories as f
from tests.browser.conftest import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(_browser: Any) -> Any:
    context = _browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def _defaults() -> None:
    """Transactional tests empty the tables: put the shipped 文书 and patterns back."""
    from fazhi.core.documents import document_templates_load
    from fazhi.core.numbering import number_patterns_load

    number_patterns_load()
    document_templates_load()


def _sign(page: Any, signer: str) -> None:
    canvas = page.locator(f"canvas[data-signer={signer}]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 30)
    page.mouse.up()
    submit(page, f"#sign-{signer}")


def test_draw_to_receipt_and_inspection_with_photo_and_signatures_on_a_phone(
    phone: Any, live_server: Any, personas: Any, tmp_path: Path
) -> None:
    _defaults()
    personas.county_a.doc_abbr = "任"
    personas.county_a.save(update_fields=["doc_abbr"])
    for credit, risk in (("C", "major"), ("D", "high")) * 2:
        f.entity(personas.county_a, credit_class=credit, risk_level=risk)
    for _ in range(3):
        f.officer(personas.county_a_brigade)
    services.check_item_save(
        actor=personas.admin, unit=personas.county_a, code="AQ-04", name="隐患排查治理情况",
        kind="key", basis_text="《安全生产法》第四十一条", object_scope="全部", method="on_site",
    )  # fmt: skip
    page = phone
    login(page, live_server.url, personas.county_a_officer)

    page.goto(f"{live_server.url}/inspections/tasks/new/")
    page.fill("input[name=title]", "手机端双随机抽查")
    page.fill("input[name=reference_date]", datetime.date.today().isoformat())
    page.fill("input[name=ratio_scale_pct]", "1000")
    page.fill("input[name=nonce_count]", "1")
    page.select_option("select[name=items]", index=0)
    submit(page, "main button[type=submit]")
    submit(page, "#commit-btn")
    commitment = page.locator("#commitment").inner_text().strip()
    assert len(commitment) == 64
    page.fill("input[name=announced]", "4 0 7")
    page.fill("textarea[name=nonces]", "现场 5821")
    submit(page, "#seed-btn")
    submit(page, "#draw-btn")
    with page.expect_download() as download:
        page.click("#receipt-link")
    receipt = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert receipt["commitment"] == commitment
    assert draw.receipt_verify(receipt).ok
    task = InspectionTask.objects.get(title="手机端双随机抽查")
    assert task.state == "drawn"
    submit(page, "text=生成检查任务")

    inspection = Inspection.objects.filter(task=task).order_by("pk").first()
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/")
    submit(page, "#action-start")
    page.check("#record-form input[type=radio][value=hazard]")
    page.fill("#id_representative", "周强")
    page.fill("#id_summary", "仓库现场检查")
    submit(page, "#save-record")
    page.click("summary:has-text('记录隐患')")
    page.fill("textarea[name=description]", "未设置可燃气体报警装置")
    page.fill("input[name=provision]", "《安全生产法》第四十一条")
    submit(page, "#add-finding")
    photo = tmp_path / "hazard.png"
    photo.write_bytes(png())
    page.set_input_files("#id_photo", str(photo))
    submit(page, "#upload-evidence")
    _sign(page, "officer")
    _sign(page, "representative")
    submit(page, "#action-finish_hazards")
    inspection.refresh_from_db()
    assert inspection.state == "hazards_found"
    assert inspection.officer_signature_id
    assert inspection.representative_signature_id
    assert inspection.evidence.count() == 1  # the photo; signatures are kept apart
    assert "现场检查记录" in page.locator("#documents").inner_text()


def test_a_big_draw_runs_in_the_background_and_the_page_follows_its_progress(
    browser_page: Any, live_server: Any, personas: Any, settings: Any, monkeypatch: Any
) -> None:
    """Task page → 抽取 on a pool above the inline limit → the draw is queued; the
    page polls its progress bar while a worker draws, then shows the result,
    all without a reload by the user."""
    from playwright.sync_api import expect

    from fazhi.inspections import jobs

    _defaults()
    personas.county_a.doc_abbr = "任"
    personas.county_a.save(update_fields=["doc_abbr"])
    for credit, risk in (("C", "major"), ("D", "high"), ("A", "low")) * 2:
        f.entity(personas.county_a, credit_class=credit, risk_level=risk)
    for _ in range(3):
        f.officer(personas.county_a_brigade)
    actor = personas.county_a_officer
    task = services.task_create(
        actor=actor, unit=personas.county_a, title="后台抽取", seed_rule="福彩3D 开奖号码",
        reference_date=datetime.date.today(), ratio_scale_pct=1000, nonce_count=1,
    )  # fmt: skip
    task = services.task_commit(actor=actor, task=task)
    task = services.task_seed(actor=actor, task=task, announced="4 0 7", nonces=["5821"])
    settings.FAZHI_DRAW_INLINE_MAX = 1  # so that six entities go to the worker
    queued: list[int] = []
    monkeypatch.setattr(jobs, "_enqueue", queued.append)
    page = browser_page
    login(page, live_server.url, actor)
    page.goto(f"{live_server.url}/inspections/tasks/{task.pk}/")
    submit(page, "#draw-btn")
    card = page.locator("[data-testid=task-run]")
    expect(card).to_have_attribute("data-state", "queued")
    expect(card).to_contain_text("等待后台任务处理")
    expect(page.locator("[data-testid=run-progress]")).to_have_count(1)
    assert len(queued) == 1

    real_draw = jobs.task_services.task_draw

    def worker_draw(**kwargs: Any) -> Any:
        # The worker reports a stage through the draw's progress callback (on
        # SQLite the reports made inside the draw's transaction are seen only
        # when it commits; this one is made before): the page follows.
        kwargs["on_progress"]("teams", 1, 2)
        expect(card).to_have_attribute("data-state", "running")
        expect(page.locator("[data-testid=run-progress]")).to_have_attribute("value", "52")
        expect(card).to_contain_text("组成检查组")
        return real_draw(**kwargs)

    monkeypatch.setattr(jobs.task_services, "task_draw", worker_draw)
    assert jobs.run_execute(queued[0]) == "done"  # the worker
    expect(page.locator("#receipt-link")).to_be_visible()
    expect(page.locator("[data-testid=task-run]")).to_have_count(0)
    expect(page.locator("#selections tbody tr").first).to_contain_text("ID")
    task.refresh_from_db()
    assert task.state == "drawn"
    assert task.selections.count() >= 1
