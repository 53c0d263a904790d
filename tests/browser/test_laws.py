"""Browser journey: search the law library, open an article, build a compilation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.services import law_import
from fazhi.laws.tests.conftest import law_file
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _import(short: str) -> None:
    path = law_file(short)
    result = law_import(actor=SYSTEM, text=path.read_text("utf-8"), source_name=path.name)
    assert not result.failed, result.errors


def test_officer_searches_opens_an_article_and_downloads_a_compilation(
    browser_page, live_server, personas
) -> None:
    for short in ("安全生产法", "山东省安全生产条例", "行政处罚法"):
        _import(short)
    page = browser_page
    login(page, live_server.url, personas.county_a_officer)

    # Search a phrase: hits come back with the phrase highlighted.
    page.goto(f"{live_server.url}/laws/search/")
    page.fill("input[name=q]", "重大事故隐患")
    page.press("input[name=q]", "Enter")
    results = page.locator("[data-testid=search-results]")
    results.wait_for()
    assert results.locator("mark").first.inner_text() == "重大事故隐患"

    # Open the first hit: the article page shows its text and citation.
    results.locator("li a").first.click()
    page.wait_for_url("**/articles/**")
    assert "重大事故隐患" in page.locator("[data-testid=article-text]").inner_text()
    citation = page.locator("[data-testid=citation]").inner_text()
    assert citation.startswith("《")
    assert "第" in citation
    assert "条" in citation

    # Build a compilation of two laws and download its DOCX.
    page.goto(f"{live_server.url}/laws/compilations/new/")
    page.fill("input[name=title]", "安全生产执法依据汇编")
    page.fill("#law-filter", "安全生产")
    assert page.locator(".law-choice:not(.is-hidden)").count() == 2
    page.get_by_label("中华人民共和国安全生产法", exact=False).check()
    page.get_by_label("山东省安全生产条例", exact=False).check()
    assert page.locator("#law-selected-count").inner_text() == "2"
    page.click("[data-testid=save-compilation]")
    page.wait_for_url("**/compilations/*/")
    with page.expect_download() as info:
        page.click("[data-testid=download-compilation]")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    content = Path(download.path()).read_bytes()
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "安全生产执法依据汇编" in text
    assert "中华人民共和国安全生产法" in text
    assert "山东省安全生产条例" in text
