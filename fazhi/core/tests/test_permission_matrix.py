"""The permission matrix: every page and API endpoint against every persona.

Pages: every URL pattern of the project (except the admin, the language
switch and the API, which is walked through its OpenAPI schema) must send an
anonymous visitor to the login page, unless an app lists it in
``PUBLIC_URLS``; no persona may ever get a server error; and a pattern that
takes arguments must be registered in its app's ``tests/urlargs.py``
``URL_ARGS`` (see ``fazhi/core/tests/urlargs.py`` for the contract), so that
county A's officer is shown to be refused county B's objects.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, converters, get_resolver, reverse

SKIP_NAMESPACES = {"admin", "api"}
SKIP_NAMES = {"set_language"}
PERSONAS = (
    "admin",
    "city_reviewer",
    "city_officer",
    "county_a_officer",
    "county_b_officer",
    "leader",
    "supervisor",
    "licensing_clerk",
    "enterprise",
)
DEFAULT_VIEWERS = ("county_b_officer", "city_reviewer", "admin")
FOR_SCOPE = 404  # the actor has the role but the object is outside their org scope
FOR_ROLE = 403  # the actor's roles lack the permission (checked before scope)


@dataclass(frozen=True)
class Pattern:
    name: str  # "ns:name", or the route when the pattern has no name
    route: str
    converters: tuple[tuple[str, Any], ...]
    named: bool = True

    @property
    def has_args(self) -> bool:
        return bool(self.converters)


def _walk(
    patterns: list[Any], namespaces: tuple[str, ...] = (), prefix: str = "", convs: tuple = ()
):
    for entry in patterns:
        own = _converters(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIP_NAMESPACES:
                continue
            yield from _walk(
                entry.url_patterns,
                namespaces + ((entry.namespace,) if entry.namespace else ()),
                prefix + str(entry.pattern),
                convs + own,
            )
        elif isinstance(entry, URLPattern):
            if entry.name in SKIP_NAMES:
                continue
            route = prefix + str(entry.pattern)
            name = ":".join((*namespaces, entry.name)) if entry.name else route
            yield Pattern(name, route, convs + own, bool(entry.name))


def _converters(pattern: Any) -> tuple[tuple[str, Any], ...]:
    found = getattr(pattern, "converters", None)
    if found:
        return tuple(found.items())
    regex = getattr(pattern, "_regex", None)
    if regex is not None and not hasattr(pattern, "converters"):
        return tuple((group, None) for group in re.compile(regex).groupindex)
    return ()


def _patterns() -> list[Pattern]:
    seen: dict[tuple[str, tuple[str, ...]], Pattern] = {}
    for pattern in _walk(get_resolver().url_patterns):
        seen.setdefault((pattern.name, tuple(k for k, _ in pattern.converters)), pattern)
    return list(seen.values())


def _registry() -> tuple[dict[str, Any], set[str], list[str]]:
    """Merge URL_ARGS and PUBLIC_URLS from every fazhi app's tests/urlargs*.py."""
    url_args: dict[str, Any] = {}
    public: set[str] = set()
    clashes: list[str] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("fazhi."):
            continue
        try:
            tests = importlib.import_module(f"{app}.tests")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.tests":
                raise
            continue
        extra = (m.name for m in pkgutil.iter_modules(tests.__path__))
        names = ["urlargs", *sorted(name for name in extra if name.startswith("urlargs_"))]
        for module_name in names:
            try:
                module = importlib.import_module(f"{app}.tests.{module_name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.tests.{module_name}":
                    raise
                continue
            for key, fn in getattr(module, "URL_ARGS", {}).items():
                if key in url_args:
                    clashes.append(key)
                url_args[key] = fn
            public |= set(getattr(module, "PUBLIC_URLS", set()))
    return url_args, public, clashes


PATTERNS = _patterns()
URL_ARGS, PUBLIC_URLS, CLASHES = _registry()


def _dummy(converter: Any) -> Any:
    if isinstance(converter, converters.IntConverter):
        return 987654
    if isinstance(converter, converters.UUIDConverter):
        return uuid.UUID(int=0)
    return "zz-missing"


def _dummy_url(pattern: Pattern) -> str | None:
    kwargs = {name: _dummy(conv) for name, conv in pattern.converters}
    try:
        return reverse(pattern.name, kwargs=kwargs or None)
    except Exception:
        return None


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _registered(pattern: Pattern, personas: Any) -> tuple[str, bool, tuple[str, ...]]:
    result = URL_ARGS[pattern.name](personas)
    kwargs, scoped = result[0], result[1]
    viewers = tuple(result[2]) if len(result) > 2 else DEFAULT_VIEWERS
    return reverse(pattern.name, kwargs=kwargs), scoped, viewers


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _login_url() -> str:
    return reverse("login")


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].split("?")[0] == _login_url()


# --- Registration ---


def test_url_args_are_registered_for_every_pattern_with_arguments():
    missing = sorted(p.name for p in PATTERNS if p.has_args and p.name not in URL_ARGS)
    assert not missing, (
        "URL patterns with arguments but no URL_ARGS entry in their app's tests/urlargs.py: "
        + ", ".join(missing)
    )


def test_every_pattern_has_a_name():
    unnamed = sorted(p.route for p in PATTERNS if not p.named)
    assert not unnamed, "unnamed URL patterns: " + ", ".join(unnamed)


def test_url_args_and_public_urls_name_real_patterns():
    names = {p.name for p in PATTERNS}
    stale = sorted((set(URL_ARGS) | PUBLIC_URLS) - names)
    assert not stale, (
        "URL_ARGS / PUBLIC_URLS entries for patterns that do not exist: " + ", ".join(stale)
    )
    assert not CLASHES, "registered by two apps: " + ", ".join(CLASHES)


def test_the_walk_finds_core_pages():
    names = {p.name for p in PATTERNS}
    assert {"home", "login", "core:unit_list", "core:unit_detail", "token_revoke"} <= names
    assert not any(name.startswith(("admin:", "api:")) for name in names)


# --- Pages ---


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_anonymous_is_sent_to_login(pattern):
    if pattern.name in PUBLIC_URLS:
        url = _dummy_url(pattern)
        if url is not None:
            assert _client(None).get(url).status_code < 500
        return
    url = _dummy_url(pattern)
    if url is None:
        pytest.skip("cannot build a URL without a URL_ARGS entry")
    client = _client(None)
    response = client.get(url)
    if response.status_code == 405:  # POST-only: the refusal must come before anything else
        response = client.post(url)
    assert _is_login_redirect(response), f"anonymous {url} -> {response.status_code}"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_no_persona_gets_a_server_error(pattern, personas):
    urls = []
    if pattern.has_args and pattern.name in URL_ARGS:
        urls.append(_registered(pattern, personas)[0])
    dummy = _dummy_url(pattern)
    if dummy is not None:
        urls.append(dummy)
    if not urls:
        pytest.skip("cannot build a URL without a URL_ARGS entry")
    failures = []
    for who in (*PERSONAS, None):
        client = _client(getattr(personas, who) if who else None)
        for url in urls:
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{who or 'anonymous'} GET {url} -> {status}")
    assert not failures, "\n".join(failures)


SCOPED = [p for p in PATTERNS if p.has_args and p.name in URL_ARGS]


@pytest.mark.parametrize("pattern", SCOPED, ids=lambda p: p.name)
def test_county_a_cannot_open_county_b_objects(pattern, personas):
    url, scoped, viewers = _registered(pattern, personas)
    if not scoped:
        pytest.skip("not scoped to county B")
    client = _client(personas.county_a_officer)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    # County A's officer holds the same roles as county B's: where county B's
    # officer may open the page, A is refused for scope; elsewhere for role.
    expected = FOR_SCOPE if "county_b_officer" in viewers else FOR_ROLE
    assert response.status_code == expected, (
        f"county A officer {url} -> {response.status_code}, expected {expected}"
    )
    problems = []
    for who in viewers:
        status = _client(getattr(personas, who)).get(url).status_code
        if status in {FOR_SCOPE, FOR_ROLE} or status >= 500:
            problems.append(f"{who} GET {url} -> {status}")
    assert not problems, "\n".join(
        [
            *problems,
            "(if only some personas may open this page, let its URL_ARGS entry return "
            "(kwargs, scoped, ('admin', ...)) naming the Personas attributes that may)",
        ]
    )


# --- API ---


def _operations() -> list[tuple[str, str, bool]]:
    schema = Client().get("/api/v1/openapi.json").json()
    return [
        (path, method, bool(operation.get("security")))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.django_db
def test_api_refuses_anonymous_callers():
    operations = _operations()
    assert operations
    failures = []
    for path, method, secured in operations:
        response = getattr(_client(None), method)(_concrete(path), content_type="application/json")
        if secured and response.status_code != 401:
            failures.append(f"anonymous {method.upper()} {path} -> {response.status_code}")
        if not secured and response.status_code in {401, 403} | set(range(500, 600)):
            failures.append(f"public {method.upper()} {path} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    public = {path for path, method, secured in operations if not secured}
    assert "/api/v1/codes/validate" in public


def test_api_gets_give_no_server_error_to_any_persona(personas):
    gets = [path for path, method, _ in _operations() if method == "get"]
    failures = []
    for who in PERSONAS:
        client = _client(getattr(personas, who))
        for path in gets:
            status = client.get(_concrete(path)).status_code
            if status >= 500:
                failures.append(f"{who} GET {path} -> {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("path", "attribute"),
    [
        ("/api/v1/units/{}", "county_b"),
        ("/api/v1/units/{}", "county_b_brigade"),
        ("/api/v1/users/{}", "county_b_officer"),
    ],
)
def test_api_county_a_cannot_read_county_b_objects(personas, path, attribute):
    url = path.format(getattr(personas, attribute).pk)
    assert _client(personas.county_a_officer).get(url).status_code == 404
    for who in DEFAULT_VIEWERS:
        assert _client(getattr(personas, who)).get(url).status_code == 200, who
