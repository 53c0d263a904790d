"""Two-factor login in the browser: enrol from the page's key, then log in with a code."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, submit, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_enrols_then_logs_in_with_a_code(
    browser_page: Any, live_server: Any, personas: Any
) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", personas.admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    # An administrator must enrol before any page opens.
    page.wait_for_url(re.compile(r".*/accounts/two-factor/enrol/.*"))
    assert page.locator("[data-testid=two-factor-qr]").is_visible()
    key = page.locator("[data-testid=two-factor-key]").inner_text().replace(" ", "")
    key_hex = base64.b32decode(key + "=" * (-len(key) % 8)).hex()
    page.fill("input[name=token]", totp_code(key_hex))
    submit(page, "main button[type=submit]")
    expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)
    page.click("text=继续")
    page.goto(f"{live_server.url}/units/")
    assert "/two-factor/" not in page.url

    # Log out, log in again: the password alone is not enough.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", personas.admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/two-factor/verify/.*"))
    page.fill("input[name=token]", "000000")
    page.click("main button[type=submit]")
    page.locator(".invalid-feedback, .alert-danger, .errorlist").first.wait_for()
    page.wait_for_timeout(1100)  # a wrong code slows the next try by a second
    page.fill("input[name=token]", totp_code(key_hex, 30))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/two-factor/).*$"))
    page.goto(f"{live_server.url}/accounts/two-factor/")
    assert page.locator("[data-testid=two-factor-status]").is_visible()
