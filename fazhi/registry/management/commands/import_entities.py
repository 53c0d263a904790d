"""manage.py import_entities FILE [--valid-only] [--report OUT.xlsx] [--agency ID]
[--user NAME] [--check]

Check every row of an XLSX/CSV entity file and write the error report (also
to OUT.xlsx with --report); import only when the file is clean, or with
--valid-only (the valid rows). A progress line shows while it runs. Exit
status 1 when rows were refused.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fazhi.core.actors import SystemActor
from fazhi.core.errors import DomainError
from fazhi.core.models import OrgUnit, User
from fazhi.registry.choices import ImportKind, ImportStatus
from fazhi.registry.imports import jobs, runner
from fazhi.registry.models import ImportJob

MIN_SECONDS = 0.5  # a rate over a shorter time means nothing


def rate_text(rows: int, seconds: float) -> str:
    """Rows per second of a phase, or "—" until it has run long enough."""
    if seconds < MIN_SECONDS or rows <= 0:
        return "—"
    return f"{rows / seconds:,.0f}"


class Command(BaseCommand):
    help = "Check and import a file of regulated entities (XLSX or CSV)."
    kind = ImportKind.ENTITY

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="XLSX, XLS or CSV file")
        parser.add_argument(
            "--valid-only", action="store_true", help="import the valid rows even if some are bad"
        )
        parser.add_argument(
            "--check", action="store_true", help="only check the file and write the report"
        )
        parser.add_argument(
            "--report", metavar="OUT.xlsx", help="also save the check's report (XLSX) here"
        )
        parser.add_argument("--agency", type=int, help="id of the unit for rows that name none")
        parser.add_argument("--user", help="user name to act as (default: system, all units)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        actor: Any = SystemActor("system")
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(_("No active user %(name)s.") % {"name": options["user"]})
        unit = self._unit(options["agency"], actor)
        # The check imports at once where the user has nothing more to choose:
        # the valid rows (--valid-only), or all rows if none is bad (default).
        check_only = options["check"]
        try:
            job = jobs.import_job_create(
                actor=actor,
                kind=self.kind,
                unit=unit,
                filename=path.name,
                path=str(path),
                valid_only=options["valid_only"] and not check_only,
                import_if_clean=not (options["valid_only"] or check_only),
                run=False,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.importing, self.started = False, time.monotonic()
        self.base: int | None = None
        job = runner.job_validate(job.pk, on_progress=self._progress)
        self._end_line()
        self._summary(job)
        if options["report"]:
            self._save_report(job, Path(options["report"]))
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.message)
        clean = job.error_rows == 0
        if job.status == ImportStatus.DONE:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Imported: %(created)d created, %(updated)d updated, "
                        "%(unchanged)d unchanged, %(skipped)d skipped."
                    )
                    % {
                        "created": job.created_count,
                        "updated": job.updated_count,
                        "unchanged": job.unchanged_rows,
                        "skipped": job.skipped_count,
                    }
                )
            )
        else:
            if not clean and not check_only:
                self.stdout.write(
                    _(
                        "Nothing was imported. Fix the rows in the report, "
                        "or rerun with --valid-only."
                    )
                )
            if job.status == ImportStatus.VALIDATED:
                jobs.import_job_discard(actor=actor, job=job)
        if not clean:
            sys.exit(1)

    def _save_report(self, job: ImportJob, target: Path) -> None:
        if not job.report:
            raise CommandError(_("The check wrote no report."))
        with job.report.open("rb") as source:
            target.write_bytes(source.read())
        self.stdout.write(_("Report saved to %(path)s") % {"path": target})

    def _unit(self, agency_id: int | None, actor: Any) -> OrgUnit:
        if agency_id is not None:
            unit = OrgUnit.objects.filter(pk=agency_id).first()
            if unit is None:
                raise CommandError(_("No unit with id %(id)d.") % {"id": agency_id})
            return unit
        if getattr(actor, "unit", None) is not None:
            return actor.unit.agency()
        top = OrgUnit.objects.filter(parent__isnull=True, kind="agency").order_by("path").first()
        if top is None:
            raise CommandError(_("No agency exists yet; create the org units first."))
        return top

    def _progress(self, job: ImportJob) -> None:
        importing = job.status in (ImportStatus.IMPORTING, ImportStatus.DONE)
        if importing and not self.importing:
            if job.status == ImportStatus.DONE:
                return  # imported as it was checked: the check's line told it all
            self.importing, self.started = True, time.monotonic()  # rates count per phase
            self.base = None
        if self.base is None:  # the phase's first line: rows counted before it are not its own
            self.base = job.processed_rows
        total = max(job.total_rows, job.processed_rows, 1)
        values = {
            "done": f"{job.processed_rows:,}",
            "total": f"{total:,}",
            "percent": job.processed_rows * 100 // total,
            "rate": rate_text(job.processed_rows - self.base, time.monotonic() - self.started),
        }
        if importing:
            line = (
                _("Importing: %(done)s / %(total)s rows (%(percent)d%%), %(rate)s rows/s") % values
            )
        else:
            line = (
                _("Checking: %(done)s / %(total)s rows (%(percent)d%%), %(rate)s rows/s") % values
            )
        self.stdout.write("\r" + line + "   ", ending="")
        self.stdout.flush()

    def _end_line(self) -> None:
        self.stdout.write("")

    def _summary(self, job: ImportJob) -> None:
        self.stdout.write(
            _(
                "Rows: %(total)d, valid: %(valid)d, with errors: %(errors)d "
                "(new %(new)d, changed %(changed)d, unchanged %(unchanged)d)"
            )
            % {
                "total": job.total_rows,
                "valid": job.valid_rows,
                "errors": job.error_rows,
                "new": job.new_rows,
                "changed": job.changed_rows,
                "unchanged": job.unchanged_rows,
            }
        )
        if job.report:
            try:
                where = job.report.path
            except NotImplementedError:
                where = job.report.name or ""
            self.stdout.write(_("Report: %(path)s") % {"path": where})
