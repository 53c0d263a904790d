"""./dev manage case_evidence_verify [--case ID] — re-hash stored case evidence."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.cases.evidence import evidence_verify_all
from fazhi.cases.records import CaseEvidence


class Command(BaseCommand):
    help = (
        "Hash every stored evidence file of cases again and compare with the hash taken at "
        "upload; audit and list each changed or missing file, exit non-zero if any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", type=int, help="only this case's evidence")

    def handle(self, *args: Any, **options: Any) -> None:
        items = None
        if options.get("case"):
            items = CaseEvidence.objects.filter(case_id=options["case"]).select_related(
                "attachment__blob", "case__unit"
            )
        count, bad = evidence_verify_all(actor=None, items=items)
        for check in bad:
            evidence = check.evidence
            found = check.found or "missing"
            self.stdout.write(
                f"CHANGED case {evidence.case_id} evidence {evidence.pk} "
                f"“{evidence.attachment.original_name}”: expected {evidence.sha256}, found {found}"
            )
        if bad:
            raise CommandError(f"{len(bad)} of {count} evidence files changed")
        self.stdout.write(f"OK ({count} evidence files intact)")
