"""The registry's demo data: plausible, valid and idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fazhi.core import demo as core_demo
from fazhi.core.codes import validate_region, validate_ric, validate_uscc
from fazhi.registry import demo, selectors, services
from fazhi.registry.models import (
    ConflictOfInterest,
    EnforcementCertificate,
    Entity,
    ExternalAgency,
    Officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _counts() -> tuple[int, ...]:
    return (
        Entity.objects.count(),
        Officer.objects.count(),
        EnforcementCertificate.objects.count(),
        ExternalAgency.objects.count(),
        ConflictOfInterest.objects.count(),
    )


def test_demo_loads_realistic_registries_once():
    ctx, _logins = core_demo.load()
    lines = demo.load(ctx)
    assert any("entities imported" in line for line in lines)
    counts = _counts()
    assert counts[0] == demo.ENTITY_COUNT + 3  # plus three duplicate registrations to merge
    assert counts[1] == len(ctx.officers) + 2 + 9  # ctx officers, two logins, external officers
    assert counts[3] == 3
    assert counts[4] == 3
    for entity in Entity.objects.all()[:300]:
        assert validate_uscc(entity.uscc).valid
        assert validate_region(entity.region_code).valid
        assert entity.region_code in {c.region_code for c in ctx.counties}
    assert all(validate_ric(o.citizen_id).valid for o in Officer.objects.all())
    assert Entity.objects.filter(supervising_agency=ctx.city).exists()
    for county in ctx.counties:
        assert Entity.objects.filter(supervising_agency=county).count() > 200
    assert Entity.objects.exclude(category_bits=0).count() == Entity.objects.count()
    assert set(Entity.objects.values_list("risk_level", flat=True)) == {
        "low",
        "moderate",
        "high",
        "major",
    }
    assert set(Entity.objects.values_list("credit_class", flat=True)) == {"A", "B", "C", "D"}
    today = timezone.localdate()
    assert selectors.certificates_expiring(actor=ctx.admin, on=today, days=60).count() >= 3
    lapsed = [
        o
        for o in Officer.objects.all()
        if services.officer_certification_problem(officer=o, on=today)
    ]
    assert 3 <= len(lapsed) < 20
    assert len(selectors.entity_duplicate_groups(actor=ctx.admin)) == 3

    ctx_again, _ = core_demo.load()
    assert demo.load(ctx_again) == ["already loaded"]
    assert _counts() == counts
