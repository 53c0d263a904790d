"""Every discretion URL: anonymous users go to the login page; enterprises see nothing."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fazhi.discretion.tests.urlargs import PUBLIC_URLS, URL_ARGS


def _patterns() -> list[tuple[str, list[str]]]:
    found = []
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver) or entry.namespace != "discretion":
            continue
        for pattern in entry.url_patterns:
            assert isinstance(pattern, URLPattern)
            found.append((f"discretion:{pattern.name}", list(pattern.pattern.converters)))
    return found


PATTERNS = _patterns()


def test_every_url_with_arguments_has_url_args() -> None:
    assert {name for name, args in PATTERNS if args} == set(URL_ARGS)
    assert not PUBLIC_URLS


@pytest.mark.parametrize(("name", "args"), PATTERNS)
def test_anonymous_users_are_sent_to_login(personas, name: str, args: list[str]) -> None:
    kwargs = URL_ARGS[name](personas)[0] if args else {}
    response = personas.client(None).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_enterprise_users_see_no_discretion_pages(personas) -> None:
    client = personas.client(personas.enterprise)
    assert client.get(reverse("discretion:discretion_list")).status_code == 403
    assert client.get(reverse("discretion:discretion_calculator")).status_code == 403
    assert client.get("/api/v1/discretion/entries").status_code == 403


def test_api_refuses_anonymous_callers(personas) -> None:
    assert personas.client(None).get("/api/v1/discretion/entries").status_code == 401
