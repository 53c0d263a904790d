"""The audit chain anchored outside the database (docs/decisions/0008-audit-anchor.md).

Each attack below leaves a chain that verifies on its own (it is consistent in
the database), and is found only by holding it against the checkpoints.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fazhi.core import anchor, services
from fazhi.core.audit import GENESIS, audit_verify, event_hash
from fazhi.core.models import AuditChainHead, AuditEvent


@pytest.fixture
def anchored(personas, django_capture_on_commit_callbacks):
    """The personas' chain plus a few changes, each committed and so checkpointed."""
    for name in ("一", "二", "三"):
        with django_capture_on_commit_callbacks(execute=True):
            services.orgunit_update(
                actor=personas.admin, unit=personas.county_b_brigade, short_name=name
            )
    count = AuditEvent.objects.count()
    assert audit_verify() == (count, None)
    return count


def _lines() -> list[dict]:
    return [json.loads(line) for line in settings.AUDIT_ANCHOR_FILE.read_text().splitlines()]


def _rechain(from_seq: int) -> None:
    """Recompute every hash from ``from_seq`` on and move the head: a careful forger."""
    previous = AuditEvent.objects.get(seq=from_seq - 1).hash if from_seq > 1 else GENESIS
    for event in AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq"):
        event.prev_hash = previous
        event.hash = event_hash(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        previous = event.hash
    last = AuditEvent.objects.order_by("-seq").first()
    AuditChainHead.objects.update_or_create(
        pk=1,
        defaults={
            "last_seq": last.seq if last else 0,
            "last_hash": last.hash if last else GENESIS,
        },
    )


def test_each_commit_appends_a_keyed_checkpoint_of_the_head(anchored):
    lines = _lines()
    head = AuditChainHead.objects.get(pk=1)
    assert (lines[-1]["seq"], lines[-1]["hash"]) == (head.last_seq, head.last_hash)
    assert [line["prev"] for line in lines[1:]] == [line["mac"] for line in lines[:-1]]
    assert anchor.checkpoint_write() is None  # nothing new since the last commit


def test_deleting_the_last_events_with_the_head_row_is_detected(anchored):
    AuditEvent.objects.filter(seq__gt=anchored - 2).delete()
    _rechain(anchored - 2)  # the head now agrees with the shortened chain
    _count, broken = audit_verify()
    assert broken is not None
    assert broken.seq == anchored - 1
    assert f"records {anchored} events" in broken.problem


def test_deleting_everything_is_detected(anchored):
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    count, broken = audit_verify()
    assert count == 0
    assert broken is not None
    assert "missing" in broken.problem


def test_rewriting_an_event_and_recomputing_later_hashes_is_detected(anchored):
    victim = AuditEvent.objects.get(verb="core.orgunit.update", after__short_name="二")
    AuditEvent.objects.filter(pk=victim.pk).update(object_repr="someone else")
    _rechain(victim.seq)
    _count, broken = audit_verify()
    assert broken is not None
    assert "rewritten" in broken.problem


def test_a_checkpoint_forged_without_the_key_is_detected(anchored):
    lines = _lines()
    forged = dict(lines[-1], seq=lines[-1]["seq"] + 5)
    with settings.AUDIT_ANCHOR_FILE.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    broken = audit_verify()[1]
    assert broken is not None
    assert "forged" in broken.problem


def test_removing_a_checkpoint_from_the_middle_is_detected(anchored):
    lines = settings.AUDIT_ANCHOR_FILE.read_text().splitlines()
    del lines[1]
    settings.AUDIT_ANCHOR_FILE.write_text("\n".join(lines) + "\n")
    broken = audit_verify()[1]
    assert broken is not None
    assert "does not follow" in broken.problem


def test_a_chain_written_before_anchoring_still_verifies_and_is_then_anchored(personas):
    assert not settings.AUDIT_ANCHOR_FILE.exists()
    count = AuditEvent.objects.count()
    assert audit_verify() == (count, None)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert f"#{count}" in out.getvalue()
    assert _lines()[-1]["seq"] == count
    assert audit_verify() == (count, None)


def test_without_a_key_nothing_is_anchored(personas, settings):
    settings.AUDIT_ANCHOR_KEY = ""
    assert anchor.checkpoint_write() is None
    assert anchor.anchor_read() is None


def test_audit_verify_command_names_the_anchor_break(anchored):
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    with pytest.raises(CommandError, match="missing"):
        call_command("audit_verify", stdout=StringIO())
