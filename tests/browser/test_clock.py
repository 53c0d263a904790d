"""Browser journey: an officer computes a deadline across the Spring Festival."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_computes_a_deadline_and_sees_how(browser_page, live_server, personas) -> None:
    page = browser_page
    login(page, live_server.url, personas.county_a_officer)
    page.goto(f"{live_server.url}/core/clock/")
    page.select_option("select[name=rule]", "penalty_hearing_request")
    page.fill("input[name=start]", "2026-02-12")
    page.click("[data-testid=clock-form] button[type=submit]")
    due = page.locator("[data-testid=due-date]")
    due.wait_for()
    assert due.inner_text().startswith("2026-02-26")
    derivation = page.locator("[data-testid=derivation] li")
    assert derivation.count() >= 13
    assert "春节" in page.locator("[data-testid=derivation]").inner_text()
    assert page.locator("[data-testid=derivation] li.skipped").count() == 9
