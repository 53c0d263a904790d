"""Registry entries for the permission matrix (see core's test_permission_matrix).

Each function creates, through the services, an object belonging to county B
and returns the URL kwargs, ``scoped=True`` and, where the page needs a
permission county B's officer lacks, the personas that must open it.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path
from typing import Any

from fazhi.core.tests.factories import SYSTEM
from fazhi.registry import export_jobs, selectors, services
from fazhi.registry.imports import jobs, runner
from fazhi.registry.models import RegistryRule
from fazhi.registry.tests import factories as f

PUBLIC_URLS: set[str] = set()

STEWARDS = ("city_reviewer", "admin")


def _entity(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": f.entity(personas.county_b, region_code="370826").pk}, True


def _entity_steward(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": f.entity(personas.county_b, region_code="370826").pk}, True, STEWARDS


def _officer(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": f.officer(personas.county_b_brigade).pk}, True


def _officer_steward(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": f.officer(personas.county_b_brigade).pk}, True, STEWARDS


def _certificate(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    officer = f.officer(personas.county_b_brigade)
    return {"pk": officer.certificates.get().pk}, True, STEWARDS


def _conflict(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    officer = f.officer(personas.county_b_brigade)
    entity = f.entity(personas.county_b, region_code="370826")
    conflict = services.conflict_record(
        actor=SYSTEM,
        officer=officer,
        entity=entity,
        kind="relative",
        source="declared",
        valid_from=datetime.date(2024, 1, 1),
    )
    return {"pk": conflict.pk}, True, STEWARDS


def _agency(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": f.external_agency(personas.county_b, "微山县市场监督管理局").pk}, True, STEWARDS


def _job(personas: Any) -> tuple[dict[str, Any], bool]:
    folder = Path(tempfile.mkdtemp(prefix="registry-urlargs-"))
    path = f.write_csv(
        folder / "b.csv", f.ENTITY_HEADERS, [f.entity_row(1, region="370826"), {"单位名称": "x"}]
    )
    job = jobs.import_job_create(
        actor=personas.county_b_officer,
        kind="entity",
        unit=personas.county_b,
        filename="b.csv",
        path=str(path),
        run=False,
    )
    runner.job_validate(job.pk)
    return {"pk": job.pk}, True


def _export(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    """An export is its maker's alone: even the city and the administrator get 404."""
    job = export_jobs.export_start(
        actor=personas.county_b_officer,
        filters=selectors.EntityFilters(),
        format="csv",
    )
    return {"pk": job.pk}, True, ("county_b_officer",)


def _rule(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": RegistryRule.objects.first().pk}, False, ("admin",)  # type: ignore[union-attr]


URL_ARGS = {
    "registry:entity_detail": _entity,
    "registry:entity_edit": _entity,
    "registry:entity_merge": _entity_steward,
    "registry:import_detail": _job,
    "registry:import_progress": _job,
    "registry:import_report": _job,
    "registry:import_confirm": _job,
    "registry:import_discard": _job,
    "registry:import_values_map": _job,
    "registry:officer_detail": _officer,
    "registry:officer_edit": _officer_steward,
    "registry:certificate_create": _officer_steward,
    "registry:conflict_create": _officer,
    "registry:training_set": _officer_steward,
    "registry:certificate_status": _certificate,
    "registry:conflict_end": _conflict,
    "registry:agency_edit": _agency,
    "registry:rule_edit": _rule,
    "registry:export_detail": _export,
    "registry:export_progress": _export,
    "registry:export_download": _export,
    "registry:export_rerun": _export,
}
