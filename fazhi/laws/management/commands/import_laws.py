"""import_laws PATH… — import law texts from files or folders.

Prints one line per file (title, version, article count, or the problems
with their line numbers); exits with status 1 if any file failed.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.actors import SystemActor
from fazhi.laws.choices import ImportOutcome
from fazhi.laws.services import law_import_paths


class Command(BaseCommand):
    help = "Import law texts (Markdown files, or folders of them) into the law library."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files or folders")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        results = law_import_paths(actor=SystemActor("import_laws"), paths=options["paths"])
        if not results:
            raise CommandError("No law files found.")
        failed = 0
        for result in results:
            if result.failed:
                failed += 1
                self.stderr.write(self.style.ERROR(result.summary()))
                for problem in result.errors:
                    self.stderr.write(f"  {result.source_name}:{problem.line}: {problem.message}")
            else:
                self.stdout.write(result.summary())
            if result.outcome == ImportOutcome.UNCHANGED:
                continue  # its warnings were shown when it was first imported
            for problem in result.warnings:
                self.stdout.write(
                    self.style.WARNING(f"  {result.source_name}:{problem.line}: {problem.message}")
                )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{len(results) - failed} imported or unchanged, {failed} failed, {elapsed:.1f} s"
        )
        if failed:
            raise CommandError(f"{failed} file(s) failed", returncode=1)
