"""./dev manage doctor — put the registry right after a crash.

Marks failed the import jobs whose worker died, drops staging rows no job
needs, and builds the entity indexes a stopped bulk load left missing
(see ``fazhi.registry.imports.recovery``). Safe to run at any time.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fazhi.registry.imports import recovery


class Command(BaseCommand):
    help = "Mark dead import jobs failed, clean staging rows, rebuild missing indexes."

    def handle(self, *args: Any, **options: Any) -> None:
        result = recovery.doctor()
        dead = ", ".join(f"#{pk}" for pk in result.dead_jobs) or "none"
        built = ", ".join(result.indexes_built) or "none"
        self.stdout.write(f"import jobs whose worker died, now failed: {dead}")
        self.stdout.write(f"staging rows removed: {result.staging_rows}")
        self.stdout.write(f"indexes rebuilt: {built}")
