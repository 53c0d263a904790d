"""Refresh docs/screenshots/ from a running demo bureau, in Chinese, on a desktop and a phone.

Usage (with ``./dev demo`` serving on port 8000, logins as it printed them)::

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 county_officer PASSWORD

Takes the login page, the home page, a list, a detail and a form, each on a
1366 px desktop and a 390 px phone, and fails on any HTTP error or console
error of those pages. Needs Debian's chromium (``/usr/bin/chromium``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def pages(base: str) -> dict[str, str]:
    """The page of each kind: a detail and a form reached from the case list."""
    return {
        "home": f"{base}/",
        "list": f"{base}/cases/",
        "detail": "first-case",
        "form": f"{base}/cases/new/",
    }


def _console(problems: list[str], url: str, message: Any) -> None:
    if message.type == "error":
        problems.append(f"{url}: {message.text}")


def main(base: str, username: str, password: str) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        for device, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            page.on("console", lambda m, page=page: _console(problems, page.url, m))
            page.goto(f"{base}/accounts/login/")
            page.screenshot(path=OUT / f"login-{device}.png")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            page.click("main button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            for name, url in pages(base).items():
                if url == "first-case":
                    page.goto(f"{base}/cases/")
                    link = page.locator("[data-testid=case-table] tbody a").first
                    url = base + (link.get_attribute("href") or "")
                response = page.goto(url)
                if response is None or response.status >= 400:
                    problems.append(f"{url}: HTTP {response.status if response else '?'}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=OUT / f"{name}-{device}.png")
            context.close()
        browser.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    raise SystemExit(main(*sys.argv[1:]))
