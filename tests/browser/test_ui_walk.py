"""Walk every menu entry as each persona, in Chinese and in English.

A page fails the walk when it answers 4xx/5xx, logs a console error (a CSP
violation, a missing file, a script error), or, in Chinese, shows English
words or raw codes outside the allow-list of proper nouns and formats.
Bounded: each persona logs in once per language and opens each entry once.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAS = (
    "admin",
    "city_reviewer",
    "city_officer",
    "county_a_officer",
    "leader",
    "supervisor",
    "licensing_clerk",
    "enterprise",
)

# Latin words a Chinese page may show: names of standards, formats and
# products, units, and the persona fixtures' own user names.
ALLOWED = {
    "API",
    "GB",
    "SHA",
    "SM3",
    "Excel",
    "XLSX",
    "CSV",
    "DOCX",
    "PDF",
    "ZIP",
    "JSON",
    "ID",
    "English",
    "OpenAPI",
    "Word",
    "USCC",
    "Bearer",
    "Token",
    "URL",
    "KB",
    "MB",
    "GB/T",
    "admin",
    "reviewer",
    "city_officer",
    "a_officer",
    "b_officer",
    "leader",
    "supervisor",
    "clerk",
    "enterprise",
    "fixture",
    # The working-day calendar names its data source, a library.
    "chinesecalendar",
}
WORD = re.compile(r"[A-Za-z][A-Za-z_.]*[A-Za-z]|[A-Za-z]")
LEAK = re.compile(r"^[A-Za-z][A-Za-z_.]{2,}$")


# A source cited by its web address (rule data, law notes) is data, not UI text.
WEB_ADDRESS = re.compile(
    r"(?:https?://)?[\w-]+(?:\.[\w-]+)*\.(?:com|cn|org|net|gov)(?:/[^\s）)]*)?"
)


def _latin_leaks(text: str) -> set[str]:
    words = set()
    for token in WORD.findall(WEB_ADDRESS.sub(" ", text)):
        if token in ALLOWED or not LEAK.match(token):
            continue
        # Codes of the shape A1/B (credit classes, risk letters) are data, not words.
        if len(token) <= 2:
            continue
        words.add(token)
    return words


def _menu(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "[data-testid=sidebar] a", "links => links.map(a => a.getAttribute('href'))"
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_menu_entry_opens_cleanly_for_every_persona(
    browser_page, live_server, personas, language
):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    problems: list[str] = []
    walked = 0
    for name in PERSONAS:
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        login(page, live_server.url, getattr(personas, name))
        for href in _menu(page):
            errors.clear()
            response = page.goto(f"{live_server.url}{href}")
            walked += 1
            where = f"{name} {language} {href}"
            if response is None or response.status >= 400:
                problems.append(f"{where}: HTTP {response.status if response else '—'}")
                continue
            assert page.locator("html").get_attribute("lang") == language, where
            if errors:
                problems.append(f"{where}: console {errors[:3]}")
            if language == "zh-hans":
                leaks = _latin_leaks(page.locator("body").inner_text())
                if leaks:
                    problems.append(f"{where}: English or codes {sorted(leaks)[:8]}")
    assert walked >= 3 * len(PERSONAS), walked
    assert not problems, "\n".join(problems)
