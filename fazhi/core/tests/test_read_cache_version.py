"""The data version behind the read cache (fazhi/core/read_cache.py)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fazhi.core import read_cache

pytestmark = pytest.mark.django_db(transaction=True)


def _asks(ctx: CaptureQueriesContext) -> int:
    return sum("pg_current_snapshot" in q["sql"] for q in ctx.captured_queries)


def _write() -> Session:
    return Session.objects.create(
        session_key="k" * 32, session_data="", expire_date=timezone.now()
    )


def test_any_committed_write_moves_the_version_and_reads_do_not() -> None:
    before = read_cache.data_version()
    assert before is not None
    Session.objects.exists()
    assert read_cache.data_version() == before
    unit = _write()
    after = read_cache.data_version()
    assert after != before
    unit.delete()
    assert read_cache.data_version() != after


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's snapshot")
def test_a_request_asks_once_until_it_writes() -> None:
    request_started.send(sender=None)
    try:
        with CaptureQueriesContext(connection) as ctx:
            first = read_cache.data_version()
            assert read_cache.data_version() == first
        assert _asks(ctx) == 1
        unit = _write()
        with CaptureQueriesContext(connection) as ctx:
            assert read_cache.data_version() != first
        assert _asks(ctx) == 1  # its own write made it ask again
        unit.delete()
    finally:
        request_finished.send(sender=None)
    with CaptureQueriesContext(connection) as ctx:
        read_cache.data_version()
        read_cache.data_version()
    assert _asks(ctx) == 2  # outside a request, every look asks
