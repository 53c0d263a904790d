"""Repeated reads answered from memory while the data they show is unchanged.

A view marked ``@cached_read`` (a list or a search whose answer depends only
on the database, the URL, the user, the language and a few request headers)
is answered from this process's memory when the same user asks for the same
URL again and **no committed write has happened anywhere in the database**
since the answer was made. The test is the database's own, so every write
path counts — services, imports by COPY, the admin, a management command, a
DBA's SQL — and no code has to remember to invalidate anything:

- PostgreSQL: the current snapshot (``pg_current_snapshot()``: the oldest
  running transaction, the next transaction id and those in progress). Two
  statements with the same snapshot see the same committed data.
- SQLite: ``PRAGMA data_version`` (changes when another connection commits)
  with this connection's own ``total_changes``, turned into one generation
  per process (``_SqliteGenerations``); connections are kept between
  requests (``CONN_MAX_AGE``).

The version is read before the view runs, so an answer can only be *newer*
than the version it is filed under, never older. Inside a transaction (tests
wrapped in one, a view that writes) nothing is read from or kept in memory.
Authentication and the view's permission check (``check``) run on every
request before the memory is looked at; they are never skipped. Scope is
part of the data: a user's answer is filed under the user. Answers live at most
``READ_CACHE_SECONDS`` (a bound on anything that depends on the clock) in at
most ``READ_CACHE_MB`` per process; 0 turns the cache off.

What is never kept: anything but a complete 200 answer; an answer that sets a
cookie or carries a CSRF secret the client does not hold yet; a request with
messages waiting to be shown; answers over 1 MB. The CSRF cookie is part of
the key, so a page's form tokens always match the client's cookie.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

MAX_ANSWER_BYTES = 1024 * 1024
# Request headers a cached view may answer differently to (htmx fragments).
VARY_HEADERS = ("Accept", "HX-Request", "HX-Target", "HX-Boosted")
_PENDING = "_fazhi_read_cache"
MEMO_MAX = 10_000  # entries of one remembered() memo before it starts over


@dataclass(frozen=True, slots=True)
class _Answer:
    version: tuple[Any, ...]
    expires: float
    content: bytes
    headers: tuple[tuple[str, str], ...]
    uses_csrf: bool

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        return response


class _Memory:
    """A least-recently-used map of answers, bounded in bytes."""

    def __init__(self) -> None:
        self.answers: OrderedDict[tuple[Any, ...], _Answer] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> _Answer | None:
        with self.lock:
            answer = self.answers.get(key)
            if answer is not None:
                self.answers.move_to_end(key)
            return answer

    def put(self, key: tuple[Any, ...], answer: _Answer, limit: int) -> None:
        with self.lock:
            old = self.answers.pop(key, None)
            if old is not None:
                self.size -= len(old.content)
            self.answers[key] = answer
            self.size += len(answer.content)
            while self.size > limit and self.answers:
                _key, dropped = self.answers.popitem(last=False)
                self.size -= len(dropped.content)

    def clear(self) -> None:
        with self.lock:
            self.answers.clear()
            self.size = 0


memory = _Memory()


def data_version() -> tuple[Any, ...] | None:
    """A value that changes whenever committed data may have changed, or None
    when it cannot be known here (inside a transaction, another database)."""
    if connection.in_atomic_block:
        return None
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return ("sqlite", _sqlite_generation())
    if connection.vendor == "postgresql":
        return _postgresql_version()
    return None


def _postgresql_version() -> tuple[Any, ...]:
    """The snapshot, read once per request until the request itself writes.

    A request thus sees what it remembers as of its first look (the session,
    its user, a token, an answer), like one read transaction; any statement
    but a SELECT on its connection (``_note_write``) makes the next look ask
    again. Outside a request every look asks.
    """
    in_request = getattr(connection, "fazhi_in_request", False)
    if in_request:
        known: tuple[Any, ...] | None = getattr(connection, "fazhi_request_version", None)
        if known is not None:
            return known
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        (snapshot,) = cursor.fetchone()
    version = ("postgresql", snapshot)
    if in_request:
        setattr(connection, "fazhi_request_version", version)  # noqa: B010
    return version


def _note_write(execute: Any, sql: Any, params: Any, many: bool, context: Any) -> Any:
    if not (isinstance(sql, str) and sql.lstrip()[:6].upper() == "SELECT"):
        context["connection"].fazhi_request_version = None
    return execute(sql, params, many, context)


def _request_started(**kwargs: Any) -> None:
    _mark(in_request=True)


def _request_finished(**kwargs: Any) -> None:
    _mark(in_request=False)


def _mark(*, in_request: bool) -> None:
    # On this thread's connection wrapper (one per server thread).
    setattr(connection, "fazhi_in_request", in_request)  # noqa: B010
    setattr(connection, "fazhi_request_version", None)  # noqa: B010


class _SqliteGenerations:
    """One number per process that moves whenever any of its connections sees a change.

    ``PRAGMA data_version`` moves when *another* connection commits, and
    ``total_changes`` when this one writes; both are per connection, and a
    server thread each has its own. A connection seeing either move since it
    last looked bumps the process's generation: after any commit, the first
    look by each connection bumps it, so no answer made before the commit is
    read again. Connections are told apart by a serial given when they open
    (a closed connection's id may be reused, its serial never).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation = 0
        self.seen: dict[int, tuple[int, int]] = {}
        self.serials = itertools.count(1)

    def on_connect(self, connection: Any) -> None:
        connection.fazhi_read_serial = next(self.serials)

    def current(self) -> int:
        raw = connection.connection
        (changed,) = raw.execute("PRAGMA data_version").fetchone()
        state = (changed, raw.total_changes)
        serial = getattr(connection, "fazhi_read_serial", None)
        with self.lock:
            if serial is None:
                serial = next(self.serials)
                setattr(connection, "fazhi_read_serial", serial)  # noqa: B010
            if self.seen.get(serial) != state:
                if len(self.seen) >= MEMO_MAX:
                    self.seen.clear()
                self.seen[serial] = state
                self.generation += 1
            return self.generation


_sqlite = _SqliteGenerations()
_sqlite_generation = _sqlite.current


def _on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A new connection: SQLite names it, PostgreSQL notes its writes."""
    if connection.vendor == "sqlite":
        _sqlite.on_connect(connection)
    elif connection.vendor == "postgresql":
        connection.fazhi_request_version = None
        if _note_write not in connection.execute_wrappers:
            connection.execute_wrappers.append(_note_write)


connection_created.connect(_on_connect, dispatch_uid="fazhi.read_cache")
request_started.connect(_request_started, dispatch_uid="fazhi.read_cache")
request_finished.connect(_request_finished, dispatch_uid="fazhi.read_cache")


def remembered[T](
    memo: dict[Any, tuple[tuple[Any, ...], T]], key: Any, load: Callable[[], T]
) -> T:
    """``load()``, or what it returned for ``key`` while the data stood at this version.

    For the rows every request reads before its view (the session, its user,
    a token): reused only while no committed write happened anywhere, so a
    logout, a revoked token or a locked account is seen on the next request.
    Whatever depends on the clock (expiry) must be checked by the caller on
    every request, on the remembered value.
    """
    version = data_version()
    known = memo.get(key)
    if known is not None and version is not None and known[0] == version:
        return known[1]
    value = load()
    if version is not None:
        if len(memo) >= MEMO_MAX:
            memo.clear()
        memo[key] = (version, value)
    return value


def _limit() -> int:
    return int(settings.READ_CACHE_MB) * 1024 * 1024


def _key(request: HttpRequest) -> tuple[Any, ...] | None:
    if request.method != "GET" or not _limit() or not settings.READ_CACHE_SECONDS:
        return None
    waiting = getattr(request, "_messages", None)
    if waiting is not None and len(waiting):
        return None  # the page must show them, once
    user = getattr(request, "user", None)
    credential = request.headers.get("Authorization", "")
    return (
        request.get_full_path(),
        getattr(user, "pk", None),
        # A token's own digest, never the token: memory dumps hold no secret.
        hashlib.blake2b(credential.encode(), digest_size=16).digest() if credential else b"",
        getattr(request, "LANGUAGE_CODE", ""),
        request.META.get("CSRF_COOKIE", ""),
        *(request.headers.get(name, "") for name in VARY_HEADERS),
    )


def cached_read[**P](
    *, check: Callable[[HttpRequest], None]
) -> Callable[[Callable[P, Any]], Callable[P, Any]]:
    """Answer the view from memory while the database is unchanged (see above).

    ``check(request)`` is the view's permission check (it raises to refuse):
    it runs on every request, before the memory is looked at, so a refusal is
    never skipped; the view may repeat it. Put the decorator directly on the
    function, under the route and login decorators. The view's answer may
    depend only on the database, the URL, the user, the language and
    ``VARY_HEADERS`` (and the clock within ``READ_CACHE_SECONDS``).
    """

    def decorator(view: Callable[P, Any]) -> Callable[P, Any]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            request = args[0]
            assert isinstance(request, HttpRequest)
            check(request)
            key = _key(request)
            version = data_version() if key is not None else None
            if key is None or version is None:
                return view(*args, **kwargs)
            answer = memory.get(key)
            now = time.monotonic()
            if answer is not None and answer.version == version and answer.expires > now:
                if answer.uses_csrf:
                    get_token(request)  # renews the cookie's age, as rendering the form did
                return answer.response()
            setattr(request, _PENDING, (key, version, now, "CSRF_COOKIE" in request.META))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def anyone(request: HttpRequest) -> None:
    """The ``check`` of a public view: nobody is refused."""


class ReadCacheMiddleware:
    """Keep the answers of ``@cached_read`` views (innermost, so the answer is
    kept as the view made it and the outer middleware adds its headers to a
    remembered answer as to a new one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, _PENDING, None)
        if pending is not None and _keepable(request, response):
            key, version, started, had_csrf_cookie = pending
            uses_csrf = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            if uses_csrf and not had_csrf_cookie:
                return response  # the answer carries a new CSRF secret: this client's only
            answer = _Answer(
                version=version,
                expires=started + settings.READ_CACHE_SECONDS,
                content=response.content,
                headers=tuple(response.items()),
                uses_csrf=uses_csrf,
            )
            memory.put(key, answer, _limit())
        return response


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and len(response.content) <= MAX_ANSWER_BYTES
        and not connection.in_atomic_block
    )
