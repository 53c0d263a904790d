"""One audit event per state change, with a known verb (a representative run).

Each step of an ordinary day in the registry and the plans changes one thing
and must add exactly one event to the chain, of the verb named; a save that
changes nothing adds none. The chain still verifies at the end.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from fazhi.core import audit_verbs
from fazhi.core.audit import audit_verify
from fazhi.core.models import AuditEvent
from fazhi.inspections import services as inspections
from fazhi.registry import services as registry
from fazhi.registry.tests import factories as f


@contextmanager
def events(*verbs: str) -> Iterator[None]:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    yield
    written = list(
        AuditEvent.objects.filter(seq__gt=last).order_by("seq").values_list("verb", flat=True)
    )
    assert written == list(verbs)
    assert all(audit_verbs.known(verb) for verb in written)


@pytest.mark.django_db
def test_every_state_change_writes_exactly_one_event(personas):
    actor = personas.city_reviewer
    day = datetime.date(2026, 3, 2)
    with events("registry.entity.create"):
        entity = f.entity(personas.county_a, actor=actor)
    with events("registry.entity.update"):
        registry.entity_update(actor=actor, entity=entity, name=entity.name + "（更名）")
    with events():  # nothing changed
        registry.entity_update(actor=actor, entity=entity, name=entity.name + "（更名）")
    duplicate = f.entity(personas.county_a, actor=actor, name=entity.name + "分厂")
    with events("registry.entity.merge"):
        registry.entity_merge(actor=actor, survivor=entity, duplicates=[duplicate])
    with events("registry.officer.create"):
        officer = f.officer(personas.county_a_brigade, actor=actor, certified=False)
    with events("registry.certificate.issue"):
        f.certificate(officer, valid_from=day, valid_to=day.replace(year=2031))
    with events("registry.officer.training"):
        registry.training_record(actor=actor, officer=officer, year=2026, hours=Decimal(40))
    with events("registry.conflict.record"):
        conflict = registry.conflict_record(
            actor=actor,
            officer=officer,
            entity=entity,
            kind="relative",
            source="declared",
            valid_from=day,
        )
    with events("registry.conflict.end"):
        registry.conflict_end(actor=actor, conflict=conflict, valid_to=day)
    with events("registry.externalagency.create"):
        agency = f.external_agency(personas.city)
    with events("registry.externalagency.update"):
        registry.external_agency_update(actor=actor, agency=agency, contact="王科长")
    with events("inspections.annualplan.create"):
        inspections.plan_create(
            actor=actor,
            unit=personas.county_a,
            year=2026,
            title="年度计划",
            working_days=248,
            officers=10,
        )
    assert audit_verify()[1] is None
