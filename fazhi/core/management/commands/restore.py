"""./dev manage restore DIR --replace — load a backup made by ``backup``, then verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Check a backup's hashes and replace this database and the uploaded files with it; "
        "then run audit_verify."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="required: the current database is overwritten",
        )
        parser.add_argument(
            "--check-only", action="store_true", help="only check the manifest's hashes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["directory"]
        try:
            if options["check_only"]:
                manifest = backup_check(source=source)
                self.stdout.write(f"Backup OK: {len(manifest['files'])} files match their hashes")
                return
            if not options["replace"]:
                raise CommandError("restore overwrites this database: pass --replace to go on")
            manifest = backup_restore(source=source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored the backup of {manifest['created_at']} from {source}")
        call_command("audit_verify", stdout=self.stdout)
