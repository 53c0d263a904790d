"""Anchor the audit chain outside the database: keyed, chained checkpoints.

A checkpoint says "the chain held N events and event #N had hash H at time
T". It is one JSON line appended to ``AUDIT_ANCHOR_FILE``, authenticated with
an HMAC under ``AUDIT_ANCHOR_KEY`` (from the environment, never stored in the
database) and linked to the previous line's MAC. Because every event hash
covers the previous one, a checkpoint pins the whole prefix of the chain:
rewriting any earlier event changes event #N's hash, deleting the tail leaves
fewer than N events, and forging a new checkpoint needs the key.

A checkpoint is written after every transaction that appended events
(``checkpoint_after_commit``) and by ``./dev manage audit_checkpoint`` (for a
timer that also copies the file off the host). Appends are serialized with an
exclusive ``flock`` on the file. See docs/decisions/0008-audit-anchor.md.
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from fazhi.core.models import AuditChainHead

log = logging.getLogger(__name__)

GENESIS_MAC = "0" * 64


@dataclass(frozen=True)
class Checkpoint:
    line: int
    seq: int
    hash: str
    time: str
    prev: str
    mac: str

    def fields(self) -> dict[str, Any]:
        """The fields the MAC covers."""
        return {"seq": self.seq, "hash": self.hash, "time": self.time, "prev": self.prev}


def _key() -> bytes | None:
    key = settings.AUDIT_ANCHOR_KEY
    return key.encode() if key else None


def _path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def _mac(key: bytes, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _last_line(handle: IO[bytes]) -> bytes:
    """Read the file's last non-empty line without reading the whole file."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    block = b""
    position = end
    while position > 0:
        step = min(4096, position)
        position -= step
        handle.seek(position)
        block = handle.read(step) + block
        lines = block.rstrip(b"\n").split(b"\n")
        if len(lines) > 1 or position == 0:
            return lines[-1]
    return b""


def _parse(raw: bytes, number: int) -> Checkpoint:
    data = json.loads(raw)
    return Checkpoint(
        line=number,
        seq=int(data["seq"]),
        hash=str(data["hash"]),
        time=str(data["time"]),
        prev=str(data["prev"]),
        mac=str(data["mac"]),
    )


def checkpoint_write() -> Checkpoint | None:
    """Append a checkpoint of the committed chain head, if it moved since the last one.

    Return the new checkpoint, or None when there was nothing new (or no key).
    """
    key = _key()
    if key is None:
        return None
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            raw = _last_line(handle)
            last = _parse(raw, 0) if raw else None
            head = AuditChainHead.objects.filter(pk=1).first()
            if head is None or head.last_seq == 0:
                return None
            if last is not None and head.last_seq <= last.seq:
                return None
            point = Checkpoint(
                line=0,
                seq=head.last_seq,
                hash=head.last_hash,
                time=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                prev=last.mac if last is not None else GENESIS_MAC,
                mac="",
            )
            fields = point.fields()
            mac = _mac(key, fields)
            handle.seek(0, os.SEEK_END)
            handle.write(json.dumps({**fields, "mac": mac}, sort_keys=True).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
            return Checkpoint(line=0, mac=mac, **fields)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def checkpoint_after_commit() -> None:
    """on_commit hook: anchor what was just committed; never fail the request."""
    try:
        checkpoint_write()
    except OSError:
        # The next commit (or the timer) retries; audit_verify reports the lag.
        log.exception("could not write the audit checkpoint to %s", _path())


@dataclass(frozen=True)
class AnchorState:
    """What the checkpoint file says: its last good checkpoint, or a problem."""

    last: Checkpoint | None
    lines: int
    problem: str = ""


def checkpoints() -> Iterator[Checkpoint]:
    path = _path()
    if not path.exists():
        return
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield _parse(raw, number)


def anchor_read() -> AnchorState | None:
    """Check every checkpoint's MAC and link; None when anchoring is off (no key)."""
    key = _key()
    if key is None:
        return None
    previous = GENESIS_MAC
    last: Checkpoint | None = None
    count = 0
    try:
        for point in checkpoints():
            count += 1
            if not hmac.compare_digest(point.mac, _mac(key, point.fields())):
                return AnchorState(last, count, f"checkpoint line {point.line} is forged")
            if point.prev != previous:
                return AnchorState(
                    last, count, f"checkpoint line {point.line} does not follow the one before"
                )
            if last is not None and point.seq <= last.seq:
                return AnchorState(last, count, f"checkpoint line {point.line} goes backwards")
            previous = point.mac
            last = point
    except (ValueError, KeyError) as exc:
        return AnchorState(last, count, f"checkpoint line {count} is unreadable ({exc})")
    return AnchorState(last, count)
