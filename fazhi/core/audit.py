"""The audit chain: every state change is one hash-chained AuditEvent.

``audit_record`` must be called inside the transaction that makes the change,
so the event and the change commit or roll back together. Appends are
serialized by a row lock on ``AuditChainHead``; ``audit_verify`` walks the
chain and names the first event whose hash or link does not hold.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from fazhi.core.anchor import anchor_read, checkpoint_after_commit
from fazhi.core.models import AuditChainHead, AuditEvent, OrgUnit, User
from fazhi.core.request_context import current_client_ip

if TYPE_CHECKING:
    from fazhi.core.actors import Actor

GENESIS = "0" * 64


def _sm3_available() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


PREFERRED_ALGORITHM = "sm3" if _sm3_available() else "sha256"


def digest(data: bytes, algorithm: str = PREFERRED_ALGORITHM) -> str:
    return hashlib.new(algorithm, data).hexdigest()


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)


def canonical(value: Any) -> str:
    """Serialize deterministically (sorted keys, no spaces)."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    )


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Return the concrete field values of a model row, JSON-ready (none the database derives)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"} or field.generated:  # derived by the database
            continue
        data[field.attname] = json.loads(canonical(getattr(instance, field.attname)))
    return data


def _event_payload(event: AuditEvent) -> str:
    return canonical(
        {
            "seq": event.seq,
            "occurred_at": event.occurred_at.astimezone(datetime.UTC).isoformat(),
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "unit_id": event.unit_id,
            "unit_path": event.unit_path,
            "verb": event.verb,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "object_repr": event.object_repr,
            "before_digest": event.before_digest,
            "after_digest": event.after_digest,
            "client_ip": event.client_ip,
            "algorithm": event.algorithm,
            "prev_hash": event.prev_hash,
        }
    )


def event_hash(event: AuditEvent) -> str:
    return digest(_event_payload(event).encode(), event.algorithm)


def audit_record(
    *,
    actor: Actor | None,
    verb: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    unit: OrgUnit | None = None,
    client_ip: str | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    if unit is None and actor is not None and actor.is_authenticated:
        unit = actor.unit
    algorithm = PREFERRED_ALGORITHM
    before_json = json.loads(canonical(before)) if before is not None else None
    after_json = json.loads(canonical(after)) if after is not None else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            actor=actor if isinstance(actor, User) and actor.pk else None,
            actor_label=actor_label
            or (
                actor.get_username() if actor is not None and actor.is_authenticated else "system"
            ),
            unit=unit,
            unit_path=unit.path if unit is not None else "",
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=before_json,
            after=after_json,
            before_digest=digest(canonical(before_json).encode(), algorithm)
            if before is not None
            else "",
            after_digest=digest(canonical(after_json).encode(), algorithm)
            if after is not None
            else "",
            client_ip=client_ip if client_ip is not None else current_client_ip(),
            algorithm=algorithm,
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save()
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
        # Anchor the head outside the database once (and only if) it commits.
        transaction.on_commit(checkpoint_after_commit)
    return event


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event #{self.seq}: {self.problem}"


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def _data_digest(data: Any, algorithm: str) -> str:
    """The digest recorded for before/after data ("" when there was none)."""
    return digest(canonical(data).encode(), algorithm) if data is not None else ""


def audit_verify() -> tuple[int, Break | None]:
    """Walk the chain; return (events checked, first break or None)."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for event in _events():
        if event.seq != expected_seq:
            return count, Break(expected_seq, f"missing (next stored event is #{event.seq})")
        if event.prev_hash != expected_prev:
            return count, Break(event.seq, "does not link to the previous event's hash")
        if event.before_digest != _data_digest(event.before, event.algorithm):
            return count, Break(event.seq, "its 'before' data was altered")
        if event.after_digest != _data_digest(event.after, event.algorithm):
            return count, Break(event.seq, "its 'after' data was altered")
        if event_hash(event) != event.hash:
            return count, Break(event.seq, "its contents do not match its hash")
        expected_prev = event.hash
        expected_seq += 1
        count += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None and count:
        return count, Break(count + 1, "missing: the chain head was removed")
    if head is not None and (head.last_seq != count or head.last_hash != expected_prev):
        return count, Break(count + 1, f"missing: the chain head records {head.last_seq} events")
    return count, _check_anchor(count)


def _check_anchor(count: int) -> Break | None:
    """Hold the chain against the last checkpoint written outside the database."""
    state = anchor_read()
    if state is None:
        return None
    if state.problem:
        return Break(state.last.seq if state.last else 0, f"anchor file: {state.problem}")
    last = state.last
    if last is None:
        return None
    if count < last.seq:
        return Break(
            count + 1, f"missing: the checkpoint of {last.time} records {last.seq} events"
        )
    stored = AuditEvent.objects.filter(seq=last.seq).values_list("hash", flat=True).first()
    if stored != last.hash:
        return Break(
            last.seq, f"differs from the checkpoint of {last.time}: the chain was rewritten"
        )
    return None
