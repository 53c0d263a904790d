"""The cases demo: a seizure paused for testing then released, and a referred case."""

from __future__ import annotations

import pytest

from fazhi.cases import demo
from fazhi.cases.choices import CaseState, CoercionState, ReferralState
from fazhi.cases.models import Case, CasePublication, Coercion, CrimeReferral
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
    # 执法公示: the closed decision is on the public page.
    published = CasePublication.objects.get()
    assert published.case.state == CaseState.CLOSED
    assert published.document_number


def test_demo_cases_carry_hashed_evidence_and_an_exported_case_file_that_verifies(
    tmp_path,
) -> None:
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from fazhi.cases.evidence import evidence_verify_all
    from fazhi.cases.preservation import CLOCK
    from fazhi.cases.records import ArchiveState, CaseArchive, CaseEvidence

    ctx, _logins = core_demo.load()
    registry_demo.load(ctx)
    demo.load(ctx)
    assert CaseEvidence.objects.count() >= 15
    assert set(CaseEvidence.objects.values_list("content_type", flat=True)) == {
        "image/png",
        "audio/wav",
        "text/plain",
    }
    count, changed = evidence_verify_all(actor=None)
    assert count == CaseEvidence.objects.count()
    assert changed == []
    closed = Case.objects.get(source_ref=f"{demo.MARK}03")
    assert closed.state == CaseState.CLOSED
    archive = CaseArchive.objects.get(case=closed)
    assert archive.state == ArchiveState.READY
    assert archive.files > 3
    target = tmp_path / "demo.zip"
    with default_storage.open(archive.storage_name, "rb") as handle:
        target.write_bytes(handle.read())
    from io import StringIO

    out = StringIO()
    call_command("case_verify", str(target), stdout=out)
    assert out.getvalue().startswith("MATCH")
    clocks = {c.state for c in clocks_for(closed) if c.rule_code == CLOCK}
    assert clocks == {"stopped"}
    open_case = Case.objects.get(source_ref=f"{demo.MARK}09")
    assert {c.state for c in clocks_for(open_case) if c.rule_code == CLOCK} == {"running"}
