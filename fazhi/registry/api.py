"""API of the two databases, mounted at /api/v1.

Entities page with a cursor (``next_cursor``), never a full count; officers'
citizen IDs come masked unless the caller may see them; a certificate check
answers whether an officer may enforce on a given day (持证上岗).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fazhi.core import policy, privacy
from fazhi.core.api_types import Id
from fazhi.core.errors import Conflict
from fazhi.core.models import OrgUnit
from fazhi.core.read_cache import cached_read
from fazhi.core.selectors import unit_list
from fazhi.registry import export_jobs, exports, selectors, services
from fazhi.registry.api_schemas import (
    ENTITY_COLUMNS,
    CertifiedOut,
    EntityIn,
    EntityOut,
    EntityPage,
    EntityPatch,
    EntityQuery,
    ImportJobOut,
    Mapped,
    OfficerOut,
    _categories,
    _entity_fields,
    entity_out,
    entity_row_out,
    job_out,
    officer_out,
)
from fazhi.registry.choices import ExportFormat
from fazhi.registry.imports import jobs as import_jobs
from fazhi.registry.imports import mapping
from fazhi.registry.imports.report import job_problems
from fazhi.registry.keyset import Cursor, keyset_page, with_count
from fazhi.registry.models import (
    EnforcementCertificate,
    ImportJob,
)
from fazhi.registry.permissions import IMPORT_PERMS

router = Router(tags=["registry"])

# --- entities ---------------------------------------------------------------


def _require_view(request: HttpRequest) -> None:
    policy.require(request.user, "registry.view_entity")


@router.get("/entities", response=EntityPage)
@cached_read(check=_require_view)
def entities(request: HttpRequest, filters: Query[EntityQuery]) -> Any:
    """Live entities in scope, newest first; follow ``next_cursor`` for more."""
    items = selectors.entity_list(actor=request.user, filters=filters.filters())
    # Rows as dicts, not model instances: building 100 objects cost more than the query.
    # Only the page's rows join the agency: finding and counting them joins nothing.
    page = with_count(
        keyset_page(
            items,
            cursor=Cursor.parse(filters.cursor),
            per_page=filters.per_page,
            shape=_entity_rows,
        ),
        items,
    )
    categories = _categories()
    return {
        "items": [entity_row_out(row, categories) for row in page.items],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "count": page.count,
        "count_is_estimate": page.count_is_estimate,
        "count_capped": page.count_capped,
    }


def _entity_rows(items: Any) -> Any:
    return items.values(*ENTITY_COLUMNS, agency_name=F("supervising_agency__name"))


_NOT_READY = {
    "description": "The export is not finished (poll it), or the list is too big for an "
    "immediate answer (start a background export).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


@router.get("/entities/export", openapi_extra={"responses": {409: _NOT_READY}})
def entities_export(request: HttpRequest, filters: Query[EntityQuery]) -> Any:
    """A small filtered list as XLSX, in the import layout, in the response.

    Over ``FAZHI_EXPORT_INLINE_MAX`` rows (20,000) it answers 409: start a
    background export (``POST /entities/exports``) instead.
    """
    policy.require(request.user, "registry.view_entity")
    policy.require(request.user, export_jobs.EXPORT_PERM)
    entities = selectors.entity_list(actor=request.user, filters=filters.filters())
    limit = export_jobs.inline_max()
    if entities[: limit + 1].count() > limit:
        raise Conflict(
            _("The list has more than %(n)s entities: export it in the background.")
            % {"n": f"{limit:,}"}
        )
    handle = exports.scratch_file()
    exports.entities_xlsx(handle, entities)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename="entities.xlsx", content_type=exports.XLSX
    )


class ExportIn(Schema):
    format: ExportFormat = Field(description="csv or xlsx")


class ExportOut(Schema):
    id: int
    format: str
    status: str = Field(description="queued, running, done or failed")
    total_rows: int
    written_rows: int
    percent: int
    size: int
    message: str
    may_rerun: bool = Field(description="True when it failed or its worker stopped.")
    download_url: str | None = Field(description="Set once the file is ready.")
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


def export_out(job: Any) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": job.pk,
        "format": job.format,
        "status": job.status,
        "total_rows": job.total_rows,
        "written_rows": job.written_rows,
        "percent": job.percent,
        "size": job.size,
        "message": job.message,
        "may_rerun": export_jobs.may_rerun(job),
        "download_url": reverse("api:registry_export_download", args=[job.pk])
        if job.status == "done"
        else None,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post("/entities/exports", response={202: ExportOut})
def entities_export_start(
    request: HttpRequest, payload: ExportIn, filters: Query[EntityQuery]
) -> Any:
    """Export the filtered list (CSV or XLSX) in the background; poll the job,
    then fetch ``download_url``. A small list is ready at once."""
    policy.require(request.user, "registry.view_entity")
    job = export_jobs.export_start(
        actor=request.user, filters=filters.filters(), format=payload.format.value
    )
    return Status(202, export_out(job))


@router.get("/exports/{export_id}", response=ExportOut)
def export_status(request: HttpRequest, export_id: Id) -> Any:
    """One of your exports: status and progress."""
    return export_out(export_jobs.export_get(actor=request.user, pk=export_id))


@router.get(
    "/exports/{export_id}/download",
    url_name="registry_export_download",
    openapi_extra={"responses": {409: _NOT_READY}},
)
def export_download(request: HttpRequest, export_id: Id) -> FileResponse:
    """The file of a finished export."""
    job = export_jobs.export_get(actor=request.user, pk=export_id)
    return FileResponse(
        export_jobs.export_open(job),
        as_attachment=True,
        filename=job.filename,
        content_type=export_jobs.content_type(job),
    )


@router.post("/exports/{export_id}/rerun", response={202: ExportOut})
def export_rerun(request: HttpRequest, export_id: Id) -> Any:
    """Run again an export that failed or whose worker stopped."""
    job = export_jobs.export_get(actor=request.user, pk=export_id)
    return Status(202, export_out(export_jobs.export_rerun(actor=request.user, job=job)))


@router.get("/entities/{entity_id}", response=EntityOut)
def entity(request: HttpRequest, entity_id: Id) -> Any:
    policy.require(request.user, "registry.view_entity")
    return entity_out(selectors.entity_get(actor=request.user, pk=entity_id), _categories())


@router.post("/entities", response={201: EntityOut})
def entity_create(request: HttpRequest, payload: EntityIn) -> Any:
    """Register an entity; invalid fields come back as 422 with their names."""
    policy.require(request.user, "registry.add_entity")
    created = services.entity_create(actor=request.user, **_entity_fields(request, payload.dict()))
    return Status(201, entity_out(created, _categories()))


@router.patch("/entities/{entity_id}", response=EntityOut)
def entity_update(request: HttpRequest, entity_id: Id, payload: EntityPatch) -> Any:
    policy.require(request.user, "registry.change_entity")
    current = selectors.entity_get(actor=request.user, pk=entity_id)
    fields = _entity_fields(request, payload.dict(exclude_unset=True))
    updated = services.entity_update(actor=request.user, entity=current, **fields)
    return entity_out(updated, _categories())


# --- imports ----------------------------------------------------------------


@router.post("/imports", response={202: ImportJobOut})
def import_create(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str] = "entity",
    unit_id: Form[Id | None] = None,
    valid_only: Form[bool] = False,
    import_if_clean: Form[bool] = False,
) -> Any:
    """Upload a file; its rows are checked in the background. Poll the job.

    After the check it waits for ``confirm``, unless ``valid_only`` (import
    the valid rows at once) or ``import_if_clean`` (import all rows at once
    if none is bad, else nothing) asks otherwise.
    """
    if kind not in IMPORT_PERMS:
        raise ValidationError({"kind": [_("Unknown kind of import.")]})
    if valid_only and import_if_clean:
        raise ValidationError(
            {"import_if_clean": [_("Choose either the valid rows or a clean file, not both.")]}
        )
    policy.require_all(request.user, *IMPORT_PERMS[kind])
    if unit_id is None:
        unit = request.user.unit.agency() if request.user.unit_id else None  # type: ignore[union-attr]
    else:
        unit = unit_list(actor=request.user).filter(pk=unit_id).first()
    if not isinstance(unit, OrgUnit):
        raise ValidationError({"unit_id": [_("This unit is outside your scope.")]})
    job = import_jobs.import_job_create(
        actor=request.user,
        kind=kind,
        unit=unit,
        filename=file.name or "upload",
        upload=file,
        valid_only=valid_only,
        import_if_clean=import_if_clean,
    )
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.get("/imports/{job_id}", response=ImportJobOut)
def import_status(request: HttpRequest, job_id: Id) -> Any:
    policy.require(request.user, "registry.view_importjob")
    job = selectors.import_job_get(actor=request.user, pk=job_id)
    data = job_out(job)
    data["problems"] = [p._asdict() for p in job_problems(job)]
    return data


@router.post("/imports/{job_id}/confirm", response={202: ImportJobOut})
def import_confirm(request: HttpRequest, job_id: Id) -> Any:
    """Import the valid rows of a checked file."""
    policy.require(request.user, "registry.view_importjob")
    job = selectors.import_job_get(actor=request.user, pk=job_id)
    policy.require_all(request.user, *IMPORT_PERMS[job.kind])
    import_jobs.import_job_confirm(actor=request.user, job=job)
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.get("/imports/{job_id}/report")
def import_report(request: HttpRequest, job_id: Id) -> FileResponse:
    """The check's XLSX report (row, column, value, reason)."""
    policy.require(request.user, "registry.view_importjob")
    job = selectors.import_job_get(actor=request.user, pk=job_id)
    if not job.report:
        raise ImportJob.DoesNotExist
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-report.xlsx",
        content_type=exports.XLSX,
    )


class UnknownValueOut(Schema):
    column: str = Field(description="The import column's key (kind, categories, risk_level …).")
    header: str = Field(description="The column's header in the file.")
    value: str
    rows: int = Field(description="How many rows hold the value.")
    choices: list[tuple[str, str]] = Field(description="The registry values: (code, label).")


class ValueDecisionIn(Schema):
    column: str = Field(max_length=30)
    value: str = Field(min_length=1, max_length=100)
    target: str = Field(
        max_length=40, description="A code from the value's choices; blank refuses the value."
    )


class ValueMapIn(Schema):
    decisions: list[ValueDecisionIn] = Field(min_length=1, max_length=1000)


@router.get("/imports/{job_id}/unknown-values", response=list[UnknownValueOut])
def import_unknown_values(request: HttpRequest, job_id: Id) -> Any:
    """The words of a checked file the registry does not know, each once."""
    policy.require(request.user, "registry.view_importjob")
    job = selectors.import_job_get(actor=request.user, pk=job_id)
    return [
        {**row.unknown.__dict__, "choices": row.choices}
        for row in mapping.mapping_rows(job, request.user)
    ]


@router.post("/imports/{job_id}/value-map", response={202: ImportJobOut})
def import_value_map(request: HttpRequest, job_id: Id, payload: ValueMapIn) -> Any:
    """Map or refuse a checked file's unknown words for its agency; when a
    word was mapped the file is checked again and the new job is returned."""
    policy.require(request.user, "registry.view_importjob")
    job = selectors.import_job_get(actor=request.user, pk=job_id)
    again = mapping.import_values_map(
        actor=request.user,
        job=job,
        decisions=[(d.column, d.value, d.target) for d in payload.decisions],
    )
    again.refresh_from_db()
    return Status(202, job_out(again))


# --- officers ---------------------------------------------------------------


@router.get("/officers", response=list[OfficerOut])
@paginate
def officers(
    request: HttpRequest,
    q: str = "",
    unit: Id | None = None,
    external: bool | None = None,
    status: str = "",
    certificate: str = "",
    domain: str = "",
) -> Any:
    """Officers in scope (ID numbers masked unless you may see them)."""
    policy.require(request.user, "registry.view_officer")
    chosen = selectors.OfficerFilters(
        q=q, unit=unit, external=external, status=status, certificate=certificate, domain=domain
    )
    show = privacy.may_see_personal_data(request.user)
    today = timezone.localdate()
    found = selectors.officer_list(actor=request.user, filters=chosen).prefetch_related(
        "certificates"
    )
    return Mapped(found, lambda o: officer_out(o, show, today))


@router.get("/officers/{officer_id}", response=OfficerOut)
def officer(request: HttpRequest, officer_id: Id) -> Any:
    policy.require(request.user, "registry.view_officer")
    found = selectors.officer_get(actor=request.user, pk=officer_id)
    return officer_out(found, privacy.may_see_personal_data(request.user), timezone.localdate())


@router.get("/officers/{officer_id}/certified", response=CertifiedOut)
def officer_certified(
    request: HttpRequest, officer_id: Id, on: datetime.date | None = None
) -> Any:
    """May this officer carry out enforcement on ``on`` (持证上岗)?"""
    policy.require(request.user, "registry.view_officer")
    found = selectors.officer_get(actor=request.user, pk=officer_id)
    day = on or timezone.localdate()
    problem = services.officer_certification_problem(officer=found, on=day)
    certificate: EnforcementCertificate | None = None
    if problem is None:
        certificate = services.officer_assert_certified(officer=found, on=day)
    return {
        "officer_id": found.pk,
        "on": day,
        "certified": problem is None,
        "reason": problem,
        "certificate": None
        if certificate is None
        else {
            "id": certificate.pk,
            "number": certificate.number,
            "issuer": certificate.issuer,
            "valid_from": certificate.valid_from,
            "valid_to": certificate.valid_to,
            "status": certificate.status,
            "status_today": certificate.status_on(day),
        },
    }
