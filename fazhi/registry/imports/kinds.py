"""The kinds of list the import pipeline knows, by ``ImportJob.kind``."""

from __future__ import annotations

from fazhi.registry.imports.entities import EntitySpec
from fazhi.registry.imports.officers import OfficerSpec
from fazhi.registry.imports.spec import ImportSpec

SPECS: dict[str, type[ImportSpec]] = {EntitySpec.kind: EntitySpec, OfficerSpec.kind: OfficerSpec}
