"""Repeated list reads answered from memory, and never a stale or foreign answer.

The read cache (fazhi/core/read_cache.py) works only outside transactions, so
these tests commit like a server does (transaction=True).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fazhi.core import auth, policy, read_cache, services
from fazhi.core.models import ApiToken, User
from fazhi.core.tests.factories import SYSTEM
from fazhi.registry import services as registry_services
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
LIST = "/api/v1/entities?per_page=50"
PAGE = "/registry/entities/"


@pytest.fixture(autouse=True)
def _empty_memory() -> Iterator[None]:
    read_cache.memory.clear()
    yield
    read_cache.memory.clear()


def _entity_queries(client: Client, url: str, **headers: Any) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response, sum("registry_entity" in q["sql"] for q in ctx.captured_queries)


def _remembered(client: Client, url: str, **headers: Any) -> Any:
    """The answer once it comes from memory. On PostgreSQL the version is the
    cluster's snapshot: a commit in another test database (a parallel test
    worker) makes one miss, so a few tries are allowed; one must hit."""
    for _ in range(5):
        response, queries = _entity_queries(client, url, **headers)
        if queries == 0:
            return response
    raise AssertionError(f"{url} was never answered from memory")


def _token(user: Any) -> dict[str, str]:
    _token, key = services.token_issue(actor=user, user=user, name="t")
    return {"Authorization": f"Bearer {key}"}


def _ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_a_repeated_list_is_answered_from_memory_until_anything_is_written(personas, monkeypatch):
    first = f.entity(personas.county_a)
    client, bearer = Client(), _token(personas.county_a_officer)
    response, queries = _entity_queries(client, LIST, **bearer)
    assert _ids(response) == [first.pk]
    assert queries
    again = _remembered(client, LIST, **bearer)  # the list was not read again
    assert again.content == response.content
    assert again["Content-Type"] == response["Content-Type"]
    with monkeypatch.context() as patch:  # the permission check runs before the memory
        patch.setattr(policy, "has_permission", lambda *args, **kwargs: False)
        assert client.get(LIST, headers=bearer).status_code == 403

    second = f.entity(personas.county_a)  # a committed write, through a service
    response, queries = _entity_queries(client, LIST, **bearer)
    assert _ids(response) == [second.pk, first.pk]
    assert queries
    _remembered(client, LIST, **bearer)

    # Another server thread (or process) writes on its own connection.
    failures: list[BaseException] = []

    def rename() -> None:
        try:
            registry_services.entity_update(actor=SYSTEM, entity=first, name="改名有限公司")
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=rename)
    writer.start()
    writer.join()
    assert not failures
    response, queries = _entity_queries(client, LIST, **bearer)
    assert queries
    assert response.json()["items"][1]["name"] == "改名有限公司"


def test_users_scopes_and_languages_never_share_an_answer(personas):
    mine = f.entity(personas.county_a)
    theirs = f.entity(personas.county_b, region_code="370826")
    a, b = _token(personas.county_a_officer), _token(personas.county_b_officer)
    client = Client()
    for _ in range(2):
        assert _ids(client.get(LIST, headers=a)) == [mine.pk]
        assert _ids(client.get(LIST, headers=b)) == [theirs.pk]
    outsider = _token(personas.enterprise)  # no registry.view_entity
    assert client.get(LIST, headers=outsider).status_code == 403
    assert client.get(LIST, headers=outsider).status_code == 403
    # A role changed is a write: the remembered permissions and answers go with it.
    officer = personas.county_b_officer
    User.objects.filter(pk=officer.pk).update(role_id=personas.enterprise.role_id)
    assert client.get(LIST, headers=b).status_code == 403
    page = personas.client(personas.county_a_officer)
    page.get(PAGE)  # sets the CSRF cookie: that answer is this client's alone
    english = page.get(PAGE)
    assert page.get(PAGE).content == english.content
    page.cookies["django_language"] = "zh-hans"
    chinese = page.get(PAGE).content.decode()
    assert english.content.decode() != chinese
    assert 'lang="zh-hans"' in chinese


def test_a_revoked_token_a_logout_and_an_expired_token_count_at_once(personas, monkeypatch):
    f.entity(personas.county_a)
    officer = personas.county_a_officer
    client, bearer = Client(), _token(officer)
    assert client.get(LIST, headers=bearer).status_code == 200
    assert client.get(LIST, headers=bearer).status_code == 200  # remembered token and answer
    ApiToken.objects.filter(user=officer).update(revoked=True)
    assert client.get(LIST, headers=bearer).status_code == 401

    page = personas.client(officer)
    assert page.get(PAGE).status_code == 200
    assert page.get(PAGE).status_code == 200
    page.post("/accounts/logout/")
    assert page.get(PAGE).status_code == 302  # to the login page, not a remembered answer

    # A token's expiry date is checked on every call, remembered or not.
    bearer = _token(officer)
    assert client.get(LIST, headers=bearer).status_code == 200
    expiry = ApiToken.objects.get(user=officer, revoked=False).expires_at
    assert expiry is not None
    later = expiry + datetime.timedelta(seconds=1)
    monkeypatch.setattr(auth.timezone, "now", lambda: later)
    assert client.get(LIST, headers=bearer).status_code == 401


def test_waiting_messages_and_open_transactions_bypass_the_memory(personas, rf):
    f.entity(personas.county_a)
    page = personas.client(personas.county_a_officer)
    page.get(PAGE)
    page.get(PAGE)
    # A message waiting in its cookie, as after a redirect that added one.
    storage = CookieStorage(rf.get("/"))
    page.cookies["messages"] = storage._encode(  # type: ignore[attr-defined]
        [Message(messages.INFO, "一条待显示的消息")]
    )
    assert "一条待显示的消息" in page.get(PAGE).content.decode()
    assert "一条待显示的消息" not in page.get(PAGE).content.decode()  # once

    # Inside a transaction (a test wrapped in one, a view that writes): nothing kept.
    read_cache.memory.clear()
    client, bearer = Client(), _token(personas.county_a_officer)
    with transaction.atomic():
        client.get(LIST, headers=bearer)
        client.get(LIST, headers=bearer)
        assert read_cache.memory.size == 0
    assert read_cache.data_version() is not None


def test_answers_expire_and_the_memory_keeps_to_its_size(personas, settings, monkeypatch):
    f.entity(personas.county_a)
    client, bearer = Client(), _token(personas.county_a_officer)
    client.get(LIST, headers=bearer)
    _remembered(client, LIST, **bearer)
    settings.READ_CACHE_SECONDS = 0  # off
    assert _entity_queries(client, LIST, **bearer)[1] > 0
    settings.READ_CACHE_SECONDS = 60
    start = read_cache.time.monotonic()
    client.get(LIST, headers=bearer)
    monkeypatch.setattr(read_cache.time, "monotonic", lambda: start + 61)
    assert _entity_queries(client, LIST, **bearer)[1] > 0
    monkeypatch.undo()

    read_cache.memory.clear()
    client.get(LIST, headers=bearer)
    one = read_cache.memory.size
    assert one > 0
    monkeypatch.setattr(read_cache, "_limit", lambda: 3 * one + one // 2)
    for n in range(10):
        client.get(f"{LIST}&n={n}", headers=bearer)
    assert len(read_cache.memory.answers) == 3
    assert read_cache.memory.size <= 3 * one + one // 2
    # The most recent are kept, the oldest went first.
    assert [key[0] for key in read_cache.memory.answers] == [f"{LIST}&n={n}" for n in (7, 8, 9)]
