"""./dev manage case_verify FILE.zip — check an exported case file offline."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.cases.archive import verify_archive


class Command(BaseCommand):
    help = (
        "Verify an electronic case file (电子卷宗) ZIP against its manifest: print MATCH, "
        "or the first mismatch and exit non-zero. Uses no database."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the exported ZIP")

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify_archive(options["file"])
        if not verdict.ok:
            raise CommandError(
                f"MISMATCH {verdict.problem} ({verdict.files} files matched before)"
            )
        self.stdout.write(
            f"MATCH ({verdict.files} files; manifest SHA-256 {verdict.manifest_sha256})"
        )
