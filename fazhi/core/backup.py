"""Backup and restore: the database, the uploaded files, and a manifest of hashes.

The database is dumped with the engine's own tool: ``pg_dump`` (custom
format, restored with ``pg_restore``) on PostgreSQL, SQLite's online backup
API otherwise — both give a consistent snapshot while the system runs. Media
files are copied as they are. ``manifest.json`` records the SHA-256 of every
file in the backup and the audit chain's head at the time; ``backup_restore``
checks every hash before it loads anything.

The audit checkpoints (``AUDIT_ANCHOR_FILE``) are deliberately not part of a
backup: they are what a restored database is held against.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from fazhi.core.models import AuditChainHead

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """The backup could not be written or read; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    engine: str
    files: int
    audit_events: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes by environment."""
    db: dict[str, Any] = connection.settings_dict
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed (apt-get install postgresql-client)"
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def backup_create(*, target: Path) -> BackupInfo:
    """Write a backup into the empty or new directory ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)
    if _is_postgres():
        engine, dump = "postgresql", target / "database.dump"
        args, env = _pg_env()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(dump),
                *args,
            ],
            env,
        )
    else:
        engine, dump = "sqlite", target / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(dump)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        shutil.copytree(media_root, target / "media", symlinks=False)
    files = {
        str(path.relative_to(target)): _sha256(path)
        for path in sorted(target.rglob("*"))
        if path.is_file()
    }
    head = AuditChainHead.objects.filter(pk=1).first()
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "database": dump.name,
        "audit_head": {"seq": head.last_seq, "hash": head.last_hash} if head else None,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return BackupInfo(target, engine, len(files), head.last_seq if head else 0)


def backup_check(*, source: Path) -> dict[str, Any]:
    """Read the manifest and check every file's hash; raise BackupError on any mismatch."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST} is missing or unreadable: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    listed = set(manifest["files"])
    present = {
        str(path.relative_to(source))
        for path in source.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    if present - listed:
        raise BackupError(f"files not in the manifest: {sorted(present - listed)[:5]}")
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"{name} is listed in the manifest but missing")
        if _sha256(path) != expected:
            raise BackupError(f"{name} does not match its hash in the manifest")
    return manifest


def backup_restore(*, source: Path) -> dict[str, Any]:
    """Replace the database and the media files with the backup in ``source``."""
    manifest = backup_check(source=source)
    engine = "postgresql" if _is_postgres() else "sqlite"
    if manifest["engine"] != engine:
        raise BackupError(f"the backup is of {manifest['engine']}, this database is {engine}")
    dump = source / manifest["database"]
    if engine == "postgresql":
        args, env = _pg_env()
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *args,
                str(dump),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        backup = sqlite3.connect(dump)
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
    media_backup = source / "media"
    if media_backup.is_dir():
        shutil.copytree(media_backup, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    return manifest
