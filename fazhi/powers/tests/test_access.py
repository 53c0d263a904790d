"""Every powers URL: anonymous users go to the login page, county A never sees county B."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fazhi.powers.tests.urlargs import PUBLIC_URLS, URL_ARGS


def _patterns() -> list[tuple[str, list[str]]]:
    resolver = get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if not isinstance(entry, URLResolver) or entry.namespace != "powers":
            continue
        for pattern in entry.url_patterns:
            assert isinstance(pattern, URLPattern)
            found.append((f"powers:{pattern.name}", list(pattern.pattern.converters)))
    return found


PATTERNS = _patterns()


def test_every_url_with_arguments_has_url_args() -> None:
    needing = {name for name, args in PATTERNS if args}
    assert needing == set(URL_ARGS)
    assert not PUBLIC_URLS


@pytest.mark.parametrize(("name", "args"), PATTERNS)
def test_anonymous_users_are_sent_to_login(personas, name: str, args: list[str]) -> None:
    kwargs = URL_ARGS[name](personas)[0] if args else {}
    response = personas.client(None).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", sorted(name for name, fn in URL_ARGS.items()))
def test_county_a_cannot_see_county_b_objects(personas, name: str) -> None:
    kwargs, scoped = URL_ARGS[name](personas)[:2]
    response = personas.client(personas.county_a_officer).get(reverse(name, kwargs=kwargs))
    if scoped:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 403)
    own = personas.client(personas.county_b_officer).get(reverse(name, kwargs=kwargs))
    assert own.status_code in (200, 403, 405)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/powers/catalogs",
        "/api/v1/powers/items",
    ],
)
def test_api_refuses_anonymous_callers(personas, path: str) -> None:
    assert personas.client(None).get(path).status_code == 401


def test_enterprise_users_see_no_powers_pages(personas) -> None:
    client = personas.client(personas.enterprise)
    assert client.get(reverse("powers:catalog_list")).status_code == 403
    assert client.get("/api/v1/powers/catalogs").status_code == 403


def test_url_args_can_share_one_database(personas) -> None:
    for name, build in URL_ARGS.items():
        kwargs = build(personas)[0]
        assert reverse(name, kwargs=kwargs)
