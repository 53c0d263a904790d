"""./dev manage exports_expire — delete export files older than EXPORT_KEEP_DAYS.

The worker does it after each export; ``./dev serve``/``demo``, the
container's and systemd's worker run it at start. Safe to run at any time.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fazhi.registry import export_jobs


class Command(BaseCommand):
    help = "Delete the files of entity exports older than EXPORT_KEEP_DAYS (default 7)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = export_jobs.exports_expire()
        days = export_jobs.keep_days()
        self.stdout.write(f"export files older than {days} days deleted: {deleted}")
