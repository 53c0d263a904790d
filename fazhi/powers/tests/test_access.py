"""Every powers URL: anonymous users go to the login page, county A never sees county B."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

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


# GET answers for each page on county B's objects (or the city's shared ones):
# (county A's officer, county B's officer, the administrator). Officers hold
# the view permissions but not the editing ones: a page that needs a role they
# lack answers 403 before looking at the object; a page they may open answers
# 404 for another county's object. Publishing is POST-only (405 on GET).
EXPECTED: dict[str, tuple[int, int, int]] = {
    "powers:catalog_detail": (404, 200, 200),
    "powers:catalog_publish": (403, 403, 405),
    "powers:catalog_diff": (404, 200, 200),
    "powers:catalog_export": (404, 200, 200),
    "powers:catalog_import": (403, 403, 200),
    "powers:catalog_import_review": (403, 403, 200),
    "powers:catalog_import_report": (403, 403, 200),
    "powers:catalog_local_changes": (404, 200, 200),
    "powers:template_derive": (403, 403, 200),
    "powers:item_create": (403, 403, 200),
    "powers:item_detail": (404, 200, 200),
    "powers:item_edit": (403, 403, 200),
    "powers:item_remove": (403, 403, 200),
    "powers:template_detail": (200, 200, 200),
    "powers:template_adopt": (403, 403, 200),
}


def test_every_url_with_arguments_has_an_expected_answer() -> None:
    assert set(EXPECTED) == set(URL_ARGS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_persona_gets_the_expected_answer(personas, name: str) -> None:
    kwargs, scoped = URL_ARGS[name](personas)[:2]
    url = reverse(name, kwargs=kwargs)
    who = (personas.county_a_officer, personas.county_b_officer, personas.admin)
    got = tuple(personas.client(user).get(url).status_code for user in who)
    assert got == EXPECTED[name]
    # Only county B's own objects may answer "not found" to county A.
    assert scoped or EXPECTED[name][0] != 404


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
    # Every builder reuses what an earlier one made: building twice names the same objects.
    first = {name: build(personas)[0] for name, build in URL_ARGS.items()}
    again = {name: build(personas)[0] for name, build in URL_ARGS.items()}
    for name in ("powers:catalog_detail", "powers:item_detail", "powers:template_detail"):
        assert first[name] == again[name]
    for name, kwargs in first.items():
        assert resolve(reverse(name, kwargs=kwargs)).view_name == name
