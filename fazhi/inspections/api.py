"""API of plans, random-check tasks and inspections, at /api/v1/inspections/.

Services decide permission and scope (403 / 404 through config/api.py); the
endpoints parse, call one service or selector, and shape the answer.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Form, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fazhi.core import policy
from fazhi.core.api_types import Id, Year
from fazhi.core.workflow import available_actions
from fazhi.inspections import (
    api_rules,  # noqa: F401  (its routes before /inspections/{pk})
    api_tasks,  # noqa: F401
    plan_export,
    selectors,
    services,
    workflow,
)
from fazhi.inspections.api_common import _actor, _unit, router
from fazhi.inspections.models import CheckItem, Finding, Inspection
from fazhi.laws.models import Article
from fazhi.registry.models import Entity, Officer

# --- schemas -------------------------------------------------------------------------


class ItemIn(Schema):
    unit_id: Id | None = None
    code: str
    name: str
    kind: str
    basis_text: str
    object_scope: str
    method: str
    ratio_ppm: int = 0
    basis: list[int] = []


class ItemOut(Schema):
    id: int
    unit_id: int
    code: str
    name: str
    kind: str
    basis_text: str
    basis: list[int]
    object_scope: str
    method: str
    ratio_ppm: int
    is_active: bool


def _item_out(item: CheckItem) -> dict[str, Any]:
    data = {f: getattr(item, f) for f in ItemOut.model_fields if f != "basis"}
    data["basis"] = [a.pk for a in item.basis.all()]
    return data


class GroupIn(Schema):
    name: str
    kind: str
    entities: int
    ratio: Decimal = Decimal(1)
    frequency: int = 1
    days_per_inspection: Decimal = Decimal(1)
    officers_per_team: int = 2
    industry: str = ""
    county: str = ""


class PlanIn(Schema):
    unit_id: Id | None = None
    year: Year
    title: str
    working_days: int = Field(..., ge=1, le=366)
    officers: int = Field(..., ge=1, le=100_000)
    other_enforcement_days: Decimal = Field(Decimal(0), ge=0, le=10_000_000)
    non_enforcement_days: Decimal = Field(Decimal(0), ge=0, le=10_000_000)
    notes: str = ""


class CapacityOut(Schema):
    supply: Decimal
    demand: Decimal
    key_demand: Decimal
    random_demand: Decimal
    inspections: int
    exceeds: bool
    by_industry: dict[str, int]
    by_county: dict[str, int]
    steps: list[str]
    warnings: list[str]


class PlanOut(Schema):
    id: int
    unit_id: int
    year: int
    title: str
    state: str
    working_days: int
    officers: int
    other_enforcement_days: Decimal
    non_enforcement_days: Decimal
    yearly_cap: int | None
    review_opinion: str
    groups: list[GroupIn]
    capacity: CapacityOut


def _plan_out(plan: Any) -> dict[str, Any]:
    capacity = services.plan_capacity(plan)
    data = {f: getattr(plan, f) for f in PlanOut.model_fields if hasattr(plan, f)}
    data["groups"] = [{f: getattr(g, f) for f in GroupIn.model_fields} for g in plan.groups.all()]
    data["capacity"] = capacity.__dict__ | {"exceeds": capacity.exceeds}
    return data


class ActionIn(Schema):
    opinion: str = ""
    rectify_by: datetime.date | None = None
    note: str = ""


class InspectionIn(Schema):
    unit_id: Id | None = None
    entity_id: Id
    source: str
    source_note: str = ""
    planned_on: datetime.date
    officers: list[int]
    items: list[int] = []


class CheckOut(Schema):
    item_id: int
    code: str
    name: str
    result: str
    note: str


class FindingOut(Schema):
    id: int
    description: str
    severity: str
    article_id: int | None
    provision: str
    rectified: bool
    referred: bool


class InspectionOut(Schema):
    id: int
    unit_id: int
    entity_id: int
    entity: str
    source: str
    task_id: int | None
    state: str
    publication_state: str
    planned_on: datetime.date
    ended_on: datetime.date | None
    site: str
    representative: str
    summary: str
    rectify_by: datetime.date | None
    results_published_on: datetime.date | None
    version: int
    officers: list[int]
    checks: list[CheckOut]
    findings: list[FindingOut]
    evidence: list[str]
    signed_by_officers: bool
    signed_by_representative: bool
    actions: list[dict[str, Any]]


def _inspection_out(request: HttpRequest, inspection: Inspection) -> dict[str, Any]:
    data = {
        f: getattr(inspection, f) for f in InspectionOut.model_fields if hasattr(inspection, f)
    }
    data["entity"] = inspection.entity.name
    data["officers"] = [o.pk for o in inspection.officers.all()]
    data["checks"] = [
        {
            "item_id": c.item_id,
            "code": c.item.code,
            "name": c.item.name,
            "result": c.result,
            "note": c.note,
        }
        for c in inspection.checks.all()
    ]
    data["findings"] = [
        {
            "id": f.pk,
            "description": f.description,
            "severity": f.severity,
            "article_id": f.article_id,
            "provision": f.provision,
            "rectified": f.rectified,
            "referred": hasattr(f, "referral"),
        }
        for f in inspection.findings.all()
    ]
    data["evidence"] = [a.blob.sha256 for a in inspection.evidence.all()]
    data["signed_by_officers"] = inspection.officer_signature_id is not None
    data["signed_by_representative"] = inspection.representative_signature_id is not None
    data["actions"] = [
        {"name": a.name, "label": str(a.label), "allowed": a.allowed, "reason": a.reason}
        for a in available_actions(inspection, actor=_actor(request), workflow=workflow.INSPECTION)
    ]
    return data


class RecordIn(Schema):
    version: int
    site: str | None = None
    representative: str | None = None
    summary: str | None = None
    checks: dict[int, tuple[str, str]] = {}


class FindingIn(Schema):
    description: str
    severity: str
    article_id: Id | None = None
    provision: str = ""
    item_id: Id | None = None


class SignatureIn(Schema):
    signer: str
    png_base64: str


class ReferralIn(Schema):
    note: str = ""


class ReferralOut(Schema):
    id: int
    finding_id: int
    note: str
    case_reference: str


class IndicatorOut(Schema):
    label: str
    value: Decimal | None
    unit: str
    numerator: int
    denominator: int
    link: str
    note: str


class OverdueOut(Schema):
    id: int
    entity: str
    ended_on: datetime.date | None
    due_on: datetime.date
    days_late: int


# --- check items ---------------------------------------------------------------------


@router.get("/inspections/items", response=list[ItemOut])
@paginate
def item_list(request: HttpRequest, q: str = "", kind: str = "") -> Any:
    policy.require(request.user, "inspections.view_checkitem")
    return [_item_out(i) for i in selectors.check_item_list(actor=_actor(request), q=q, kind=kind)]


@router.post("/inspections/items", response={201: ItemOut})
def item_create(request: HttpRequest, data: ItemIn) -> Any:
    fields = data.dict(exclude={"unit_id", "basis"})
    item = services.check_item_save(
        actor=_actor(request),
        unit=_unit(request, data.unit_id),
        basis=list(Article.objects.filter(pk__in=data.basis)),
        **fields,
    )
    return Status(201, _item_out(item))


# --- plans ---------------------------------------------------------------------------


@router.get("/inspections/plans", response=list[PlanOut])
@paginate
def plan_list(request: HttpRequest, year: Year | None = None, state: str = "") -> Any:
    policy.require(request.user, "inspections.view_annualplan")
    return [
        _plan_out(p) for p in selectors.plan_list(actor=_actor(request), year=year, state=state)
    ]


@router.post("/inspections/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, data: PlanIn) -> Any:
    plan = services.plan_create(
        actor=_actor(request), unit=_unit(request, data.unit_id), **data.dict(exclude={"unit_id"})
    )
    return Status(201, _plan_out(plan))


@router.get("/inspections/plans/{pk}", response=PlanOut)
def plan_detail(request: HttpRequest, pk: Id) -> Any:
    policy.require(request.user, "inspections.view_annualplan")
    return _plan_out(selectors.plan_get(actor=_actor(request), pk=pk))


@router.get("/inspections/plans/{pk}/export.xlsx", response={200: None})
def plan_xlsx(request: HttpRequest, pk: Id) -> Any:
    """The plan's figures as a workbook (groups, arithmetic, counts)."""
    policy.require(request.user, "inspections.view_annualplan")
    plan = selectors.plan_get(actor=_actor(request), pk=pk)
    response = HttpResponse(
        plan_export.plan_xlsx(plan),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.xlsx"'
    return response


class DocumentOut(Schema):
    id: int
    title: str
    number: str
    download_url: str


@router.post("/inspections/plans/{pk}/docx", response={201: DocumentOut})
def plan_docx(request: HttpRequest, pk: Id) -> Any:
    """Render the plan as a GB/T 9704 文书 (stored, audited); download it from the URL."""
    plan = selectors.plan_get(actor=_actor(request), pk=pk)
    document = plan_export.plan_docx(actor=_actor(request), plan=plan)
    url = reverse("core:attachment_download", args=[document.attachment_id])
    return Status(
        201,
        {"id": document.pk, "title": document.title, "number": document.number,
         "download_url": url},
    )  # fmt: skip


@router.post("/inspections/plans/{pk}/groups", response={201: PlanOut})
def plan_group_add(request: HttpRequest, pk: Id, data: GroupIn) -> Any:
    plan = selectors.plan_get(actor=_actor(request), pk=pk)
    services.plan_group_add(actor=_actor(request), plan=plan, **data.dict())
    return Status(201, _plan_out(plan))


@router.post("/inspections/plans/{pk}/actions/{name}", response=PlanOut)
def plan_action(request: HttpRequest, pk: Id, name: str, data: ActionIn) -> Any:
    plan = selectors.plan_get(actor=_actor(request), pk=pk)
    extra = {"opinion": data.opinion} if data.opinion else {}
    plan = services.plan_transition(actor=_actor(request), plan=plan, name=name, **extra)
    return _plan_out(plan)


# --- inspections -----------------------------------------------------------------------


@router.get("/inspections", response=list[dict[str, Any]])
@paginate
def inspection_list(
    request: HttpRequest,
    q: str = "",
    state: str = "",
    source: str = "",
    task: int | None = None,
    overdue: bool = False,
) -> Any:
    policy.require(request.user, "inspections.view_inspection")
    filters = selectors.InspectionFilters(
        q=q, state=state, source=source, task=task, overdue=overdue
    )
    return [
        {
            "id": i.pk,
            "entity_id": i.entity_id,
            "entity": i.entity.name,
            "source": i.source,
            "state": i.state,
            "planned_on": i.planned_on.isoformat(),
            "rectify_by": i.rectify_by.isoformat() if i.rectify_by else None,
        }
        for i in selectors.inspection_list(actor=_actor(request), filters=filters)
    ]


@router.post("/inspections", response={201: InspectionOut})
def inspection_create(request: HttpRequest, data: InspectionIn) -> Any:
    inspection = services.inspection_create(
        actor=_actor(request),
        unit=_unit(request, data.unit_id),
        entity=get_object_or_404(Entity, pk=data.entity_id),
        source=data.source,
        source_note=data.source_note,
        planned_on=data.planned_on,
        officers=list(Officer.objects.filter(pk__in=data.officers)),
        items=list(CheckItem.objects.filter(pk__in=data.items)),
    )
    return Status(201, _inspection_out(request, inspection))


@router.get("/inspections/overdue-publication", response=list[OverdueOut])
def publication_overdue(request: HttpRequest) -> Any:
    policy.require(request.user, "inspections.view_inspection")
    return [
        {
            "id": i.pk,
            "entity": i.entity.name,
            "ended_on": i.ended_on,
            "due_on": i.publication_due,
            "days_late": i.days_late,
        }
        for i in selectors.publication_overdue(actor=_actor(request))
    ]


@router.get("/inspections/indicators", response=list[IndicatorOut])
def indicators(request: HttpRequest, year: Year) -> Any:
    policy.require(request.user, "inspections.view_inspection")
    return [i.__dict__ for i in selectors.indicators(actor=_actor(request), year=year)]


@router.get("/inspections/{pk}", response=InspectionOut)
def inspection_detail(request: HttpRequest, pk: Id) -> Any:
    policy.require(request.user, "inspections.view_inspection")
    return _inspection_out(request, selectors.inspection_get(actor=_actor(request), pk=pk))


@router.put("/inspections/{pk}/record", response=InspectionOut)
def inspection_record(request: HttpRequest, pk: Id, data: RecordIn) -> Any:
    inspection = selectors.inspection_get(actor=_actor(request), pk=pk)
    fields = {
        k: v
        for k, v in data.dict(include={"site", "representative", "summary"}).items()
        if v is not None
    }
    inspection = services.inspection_record_save(
        actor=_actor(request),
        inspection=inspection,
        version=data.version,
        checks={int(k): (v[0], v[1]) for k, v in data.checks.items()},
        **fields,
    )
    return _inspection_out(request, selectors.inspection_get(actor=_actor(request), pk=pk))


@router.post("/inspections/{pk}/findings", response={201: FindingOut})
def finding_add(request: HttpRequest, pk: Id, data: FindingIn) -> Any:
    inspection = selectors.inspection_get(actor=_actor(request), pk=pk)
    finding = services.finding_add(
        actor=_actor(request),
        inspection=inspection,
        description=data.description,
        severity=data.severity,
        article=get_object_or_404(Article, pk=data.article_id) if data.article_id else None,
        provision=data.provision,
        item=get_object_or_404(CheckItem, pk=data.item_id) if data.item_id else None,
    )
    return Status(
        201,
        {
            "id": finding.pk,
            "description": finding.description,
            "severity": finding.severity,
            "article_id": finding.article_id,
            "provision": finding.provision,
            "rectified": finding.rectified,
            "referred": False,
        },
    )


@router.post("/inspections/{pk}/evidence", response={201: dict[str, Any]})
def evidence_add(
    request: HttpRequest,
    pk: int,
    file: File[UploadedFile],
    finding_id: Form[int | None] = None,
    description: Form[str] = "",
) -> Any:
    inspection = selectors.inspection_get(actor=_actor(request), pk=pk)
    finding = (
        get_object_or_404(Finding, pk=finding_id, inspection=inspection) if finding_id else None
    )
    attachment = services.evidence_add(
        actor=_actor(request),
        inspection=inspection,
        upload=file,
        name=file.name or "evidence",
        description=description,
        finding=finding,
    )
    return Status(201, {"id": attachment.pk, "sha256": attachment.blob.sha256})


@router.post("/inspections/{pk}/signatures", response=InspectionOut)
def signature_save(request: HttpRequest, pk: Id, data: SignatureIn) -> Any:
    import base64
    import binascii

    from fazhi.core.errors import DomainError

    inspection = selectors.inspection_get(actor=_actor(request), pk=pk)
    try:
        png = base64.b64decode(data.png_base64.split(",")[-1], validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("png_base64", field="signature") from None
    services.signature_save(
        actor=_actor(request), inspection=inspection, signer=data.signer, png=png
    )
    return _inspection_out(request, selectors.inspection_get(actor=_actor(request), pk=pk))


@router.post("/inspections/{pk}/actions/{name}", response=InspectionOut)
def inspection_action(request: HttpRequest, pk: Id, name: str, data: ActionIn) -> Any:
    inspection = selectors.inspection_get(actor=_actor(request), pk=pk)
    extra: dict[str, Any] = {}
    if data.rectify_by:
        extra["rectify_by"] = data.rectify_by
    if data.note:
        extra["note"] = data.note
    services.inspection_transition(
        actor=_actor(request), inspection=inspection, name=name, **extra
    )
    return _inspection_out(request, selectors.inspection_get(actor=_actor(request), pk=pk))


@router.post("/inspections/{pk}/publish", response=InspectionOut)
def inspection_publish(request: HttpRequest, pk: Id) -> Any:
    inspection = selectors.inspection_get(actor=_actor(request), pk=pk)
    services.inspection_publish_results(actor=_actor(request), inspection=inspection)
    return _inspection_out(request, selectors.inspection_get(actor=_actor(request), pk=pk))


@router.post("/inspections/findings/{pk}/referral", response={201: ReferralOut})
def finding_refer(request: HttpRequest, pk: Id, data: ReferralIn) -> Any:
    finding = get_object_or_404(Finding.objects.select_related("inspection"), pk=pk)
    selectors.inspection_get(actor=_actor(request), pk=finding.inspection_id)
    referral = services.finding_refer_to_case(
        actor=_actor(request), finding=finding, note=data.note
    )
    return Status(
        201,
        {
            "id": referral.pk,
            "finding_id": finding.pk,
            "note": referral.note,
            "case_reference": referral.case_reference,
        },
    )
