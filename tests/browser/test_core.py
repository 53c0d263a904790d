"""Browser journey: log in, switch language, compute a deadline, open the audit log."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_logs_in_switches_language_and_reads_the_audit_log(
    browser_page, live_server, personas
) -> None:
    page = browser_page
    login(page, live_server.url, personas.city_reviewer)
    # Chinese by default, whatever the browser prefers.
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    submit(page, "[data-testid=switch-language]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-testid=sidebar]").get_by_text("System", exact=True).is_visible()

    page.goto(f"{live_server.url}/core/clock/")
    page.fill("input[name=length]", "15")
    page.select_option("select[name=unit]", "calendar")
    page.fill("input[name=start]", "2025-09-16")
    page.click("[data-testid=clock-form] button[type=submit]")
    due = page.locator("[data-testid=due-date]")
    due.wait_for()
    # 2025-10-01 is National Day: the period rolls to the first working day after it.
    assert due.inner_text().startswith("2025-10-09")

    page.locator("[data-testid=sidebar]").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/core/audit/**")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1
    assert "Signed in" in page.locator("table").inner_text()  # the verb in words

    # Back to Chinese.
    submit(page, "[data-testid=switch-language]")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
