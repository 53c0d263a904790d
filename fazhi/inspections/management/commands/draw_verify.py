"""./dev manage draw_verify receipt.json — recompute a draw from its receipt.

Touches no database: the receipt holds everything (docs/draw-algorithm.md).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.inspections.draw import receipt_verify


class Command(BaseCommand):
    help = "Recompute a 双随机 draw from its receipt; print MATCH or the first difference."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("receipt", help="the receipt JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["receipt"], "rb") as fh:
                receipt = json.loads(fh.read().decode("utf-8"))
        except OSError as exc:
            raise CommandError(f"cannot read {options['receipt']}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(f"DIFFERENCE: the receipt is not valid JSON: {exc}") from None
        result = receipt_verify(receipt)
        if not result.ok:
            raise CommandError(f"DIFFERENCE: {result.difference}")
        self.stdout.write(f"MATCH: {result.selected} selected, {result.teams} teams")
