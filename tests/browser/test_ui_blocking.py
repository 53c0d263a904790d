"""Browser checks for the interface's blocking defects (issue 14).

The API docs page renders its operations from vendored files under the CSP,
and every form with a date keeps and saves its dates in the Chinese UI. The
forms are found by walking every page the permission matrix knows, so a new
form with a date is covered without being listed here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fazhi.core.tests.test_permission_matrix import PATTERNS, URL_ARGS
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATE_INPUT = re.compile(r"<input[^>]*type=\"(?:date|datetime-local)\"", re.S)


def _console_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_api_docs_render_their_operations_under_the_csp(browser_page, live_server, personas):
    page = browser_page
    errors = _console_errors(page)
    login(page, live_server.url, personas.city_reviewer)
    response = page.goto(f"{live_server.url}{reverse('api:openapi-view')}")
    assert response.status == 200
    assert "cdn" not in (response.text() or "").lower()
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 5
    assert page.locator(".opblock-summary-path", has_text="/api/v1/me").count() == 1
    assert not errors, errors


def _pages_with_dates(personas: Any) -> list[str]:
    """Every page, as a persona allowed to open it, whose HTML has a date input."""
    found = []
    clients: dict[str, Client] = {}
    with translation.override("zh-hans"):
        for pattern in PATTERNS:
            if pattern.name in ("logout", "set_language") or pattern.name.startswith("admin"):
                continue
            if pattern.has_args:
                if pattern.name not in URL_ARGS:
                    continue
                result = URL_ARGS[pattern.name](personas)
                viewer = (tuple(result[2]) if len(result) > 2 else ("admin",))[-1]
                url = reverse(pattern.name, kwargs=result[0])
            else:
                viewer = "admin"
                try:
                    url = reverse(pattern.name)
                except Exception:
                    continue
            if viewer not in clients:
                clients[viewer] = Client(raise_request_exception=False)
                clients[viewer].force_login(getattr(personas, viewer))
            response = clients[viewer].get(url)
            if (
                response.status_code == 200
                and response.get("Content-Type", "").startswith("text/html")
                and not response.streaming
                and DATE_INPUT.search(response.content.decode())
            ):
                found.append((viewer, url))
    return found


def test_every_form_with_a_date_keeps_and_saves_it_in_chinese(browser_page, live_server, personas):
    pages = _pages_with_dates(personas)
    # The walk must find the known date forms, or it is not walking at all.
    assert len(pages) >= 5, pages
    page = browser_page
    logged_in = ""
    problems = []
    for viewer, url in pages:
        if viewer != logged_in:
            page.context.clear_cookies()
            login(page, live_server.url, getattr(personas, viewer))
            logged_in = viewer
        page.goto(f"{live_server.url}{url}")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        for form in page.locator("form").all():
            inputs = form.locator("input[type=date], input[type=datetime-local]").all()
            if not inputs:
                continue
            given = {}
            for field in inputs:
                written = field.get_attribute("value") or ""
                kept = field.input_value()
                if written and written != kept:
                    problems.append(f"{url}: {field.get_attribute('name')}={written!r} dropped")
                if kept:
                    given[field.get_attribute("name")] = kept
            if not given or form.get_attribute("method") != "post":
                continue
            # Send the form as shown: a date it carried must not come back as missing.
            form.locator("[type=submit]").first.click()
            page.wait_for_load_state()
            for name in given:
                field = page.locator(f"form input[name='{name}']")
                if field.count() and field.first.input_value() == "":
                    problems.append(f"{url}: {name} lost after saving")
                errors = page.locator(
                    f"form :is(div, td):has(> input[name='{name}']) .invalid-feedback"
                )
                if errors.count():
                    problems.append(f"{url}: {name}: {errors.first.inner_text()}")
            page.goto(f"{live_server.url}{url}")
            break
    assert not problems, problems
