"""Entity merge locks survivor and duplicates together, in primary-key order."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext

from fazhi.core.errors import DomainError, NotAllowed, OutOfScope
from fazhi.core.tests import factories
from fazhi.registry import services
from fazhi.registry.models import Entity
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def _pair(personas) -> tuple[Entity, Entity]:
    first = f.entity(personas.county_a)
    second = f.entity(
        personas.county_a, name=first.name, address=first.address, allow_duplicate=True
    )
    return first, second


def test_merge_locks_every_entity_in_one_query_in_primary_key_order(personas):
    first, second = _pair(personas)
    with CaptureQueriesContext(connection) as queries:
        services.entity_merge(actor=personas.city_reviewer, survivor=second, duplicates=[first])
    locks = [q["sql"] for q in queries.captured_queries if 'FROM "registry_entity"' in q["sql"]]
    assert str(first.pk) in locks[0]
    assert str(second.pk) in locks[0]
    assert "ORDER BY" in locks[0].upper()
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in locks[0].upper()


def test_merge_needs_the_merge_permission_and_both_entities_in_scope(personas):
    first, second = _pair(personas)
    with pytest.raises(NotAllowed):
        services.entity_merge(actor=personas.leader, survivor=first, duplicates=[second])
    legal = factories.unit("任城区法制股", personas.county_a)
    county_reviewer = factories.user("a_reviewer", legal, "legal_reviewer")
    theirs = f.entity(personas.county_b)
    with pytest.raises(OutOfScope):
        services.entity_merge(actor=county_reviewer, survivor=first, duplicates=[theirs])
    assert not Entity.objects.filter(merged_into__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_two_opposite_merges_at_once_do_not_deadlock(personas):
    first, second = _pair(personas)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def merge(survivor: Entity, duplicate: Entity) -> None:
        try:
            barrier.wait()
            services.entity_merge(
                actor=personas.city_reviewer, survivor=survivor, duplicates=[duplicate]
            )
            outcomes.append("merged")
        except DomainError:
            outcomes.append("refused")  # the other merge went first
        except OperationalError as exc:
            # PostgreSQL reports a deadlock here; SQLite's shared in-memory
            # test database answers a second writer "locked" at once.
            outcomes.append("deadlock" if "deadlock" in str(exc) else "locked")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=merge, args=(first, second)),
        threading.Thread(target=merge, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "deadlock" not in outcomes
    assert outcomes.count("merged") == 1
    if connection.vendor == "postgresql":
        assert sorted(outcomes) == ["merged", "refused"]
    assert Entity.objects.filter(merged_into__isnull=False).count() == 1
