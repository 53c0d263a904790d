"""The cases demo: a seizure paused for testing then released, and a referred case."""

from __future__ import annotations

import pytest

from fazhi.cases import demo
from fazhi.cases.choices import CaseState, CoercionState, ReferralState
from fazhi.cases.models import Case, Coercion, CrimeReferral
from fazhi.core import demo as core_demo
from fazhi.core.workflow import clocks_for
from fazhi.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_demo_has_a_released_seizure_and_a_referred_case() -> None:
    ctx, _logins = core_demo.load()
    registry_demo.load(ctx)
    assert demo.load(ctx)
    seizure = Coercion.objects.get()
    assert seizure.state == CoercionState.RELEASED
    clock = clocks_for(seizure).get()
    assert clock.state == "stopped"
    assert "检测" in clock.pauses[0]["reason"]
    referral = CrimeReferral.objects.get()
    assert referral.state == ReferralState.HANDED_OVER
    assert referral.case.state == CaseState.REFERRED
    assert demo.load(ctx) == []  # idempotent
    assert Case.objects.filter(source_ref__startswith=demo.MARK).count() == 10
