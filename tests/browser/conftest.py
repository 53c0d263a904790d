"""Playwright on Debian's chromium: fixtures for the browser tests.

The tests are skipped, with the reason printed, when /usr/bin/chromium is
absent (``./dev test`` says so up front); ``.ci/run`` installs it so CI always
runs them. A screenshot of the page is kept in ``test-artifacts/`` when a
browser test fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("FAZHI_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Passw0rd!2026"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    # Playwright's sync API runs an event loop; Django must allow ORM use beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def browser_page(_browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = _browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def totp_code(key_hex: str, offset: int = 0) -> str:
    """The code an authenticator app shows for a device key (``offset`` seconds ahead)."""
    import time

    from django_otp.oath import TOTP

    generator = TOTP(bytes.fromhex(key_hex))
    generator.time = time.time() + offset
    return f"{generator.token():06d}"


def login(page: Any, base_url: str, user: Any, password: str = PASSWORD) -> None:
    """Log ``user`` in through the real login form (and the second factor if needed).

    A user whose role requires two-factor login gets a fresh authenticator
    here; the code typed is the one a phone would show.
    """
    from fazhi.core import two_factor

    key_hex = ""
    if two_factor.required_for(user) or two_factor.is_enrolled(user):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="browser", confirmed=True)
        key_hex = device.key
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
    if key_hex:
        page.wait_for_url(re.compile(r".*/accounts/two-factor/verify/.*"))
        page.fill("input[name=token]", totp_code(key_hex))
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r"^(?!.*/accounts/two-factor/).*$"))


def submit(page: Any, target: Any) -> None:
    """Click ``target`` (a selector or a locator) and wait for the page it loads.

    ``click`` returns once the click is dispatched; the next page may not have
    arrived yet, and ``wait_for_load_state`` answers for the page still shown.
    """
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()
