"""manage.py import_officers FILE [--valid-only] [--report OUT.xlsx] [--agency ID] [--user NAME]
[--check]"""

from __future__ import annotations

from fazhi.registry.choices import ImportKind
from fazhi.registry.management.commands.import_entities import Command as EntityCommand


class Command(EntityCommand):
    help = "Check and import a file of enforcement officers (XLSX or CSV)."
    kind = ImportKind.OFFICER
