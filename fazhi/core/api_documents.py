"""API: numbering patterns, 文书 templates and the documents made from them.

No ``from __future__ import annotations`` (see fazhi/core/api.py).
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from fazhi.core import documents, numbering, policy
from fazhi.core.models import DocumentTemplate, OrgUnit
from fazhi.core.selectors import unit_get

router = Router(tags=["documents"])


class PatternIn(Schema):
    kind: str
    label: str
    pattern: str
    agency_id: int | None = None


class PatternOut(Schema):
    id: int
    kind: str
    label: str
    pattern: str
    agency_id: int | None


class TemplateOut(Schema):
    id: int
    code: str
    version: int
    name: str
    sha256: str
    variables: list[str]
    is_active: bool
    note: str
    uploaded_at: datetime


class DocumentOut(Schema):
    id: int
    title: str
    number: str
    unit_id: int
    template_code: str
    template_version: int
    object_type: str
    object_id: str
    attachment_id: int
    sha256: str
    created_at: datetime

    @staticmethod
    def resolve_template_code(obj: Any) -> str:
        return str(obj.template.code)

    @staticmethod
    def resolve_template_version(obj: Any) -> int:
        return int(obj.template.version)

    @staticmethod
    def resolve_object_type(obj: Any) -> str:
        return str(obj.content_type.app_label + "." + obj.content_type.model)

    @staticmethod
    def resolve_sha256(obj: Any) -> str:
        return str(obj.attachment.blob.sha256)


class SearchFilter(Schema):
    q: str = ""


def _agency(request: HttpRequest, agency_id: int | None) -> OrgUnit | None:
    return None if agency_id is None else unit_get(actor=request.user, pk=agency_id)


@router.get("/numbering/patterns", response=list[PatternOut])
@paginate
def patterns(request: HttpRequest, filters: Query[SearchFilter]) -> Any:
    policy.page_require(request.user, "core.view_numberpattern")
    found = numbering.number_pattern_list(actor=request.user)
    if filters.q:
        found = found.filter(kind__icontains=filters.q)
    return found.order_by("kind", "agency__path")


@router.post("/numbering/patterns", response={201: PatternOut})
def pattern_create(request: HttpRequest, payload: PatternIn) -> Any:
    row = numbering.number_pattern_save(
        actor=request.user,
        kind=payload.kind,
        label=payload.label,
        pattern=payload.pattern,
        agency=_agency(request, payload.agency_id),
    )
    return Status(201, row)


@router.put("/numbering/patterns/{pattern_id}", response=PatternOut)
def pattern_update(request: HttpRequest, pattern_id: int, payload: PatternIn) -> Any:
    instance = numbering.number_pattern_list(actor=request.user).get(pk=pattern_id)
    return numbering.number_pattern_save(
        actor=request.user,
        instance=instance,
        kind=payload.kind,
        label=payload.label,
        pattern=payload.pattern,
        agency=_agency(request, payload.agency_id),
    )


@router.get("/documents/templates", response=list[TemplateOut])
@paginate
def templates(request: HttpRequest, filters: Query[SearchFilter]) -> Any:
    policy.page_require(request.user, "core.view_documenttemplate")
    found = DocumentTemplate.objects.defer("content")
    if filters.q:
        found = found.filter(code__icontains=filters.q)
    return found.order_by("code", "-version")


@router.post("/documents/templates", response={201: TemplateOut})
def template_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    code: Form[str],
    name: Form[str] = "",
    note: Form[str] = "",
) -> Any:
    """Upload a .docx as the next version of template ``code``."""
    template = documents.document_template_upload(
        actor=request.user, code=code, upload=file, name=name, note=note
    )
    return Status(201, template)


@router.get("/documents/templates/{template_id}/file")
def template_file(request: HttpRequest, template_id: int) -> HttpResponse:
    policy.page_require(request.user, "core.view_documenttemplate")
    template = DocumentTemplate.objects.get(pk=template_id)
    response = HttpResponse(documents.template_bytes(template), content_type=documents.DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="{template.code}-v{template.version}.docx"'
    )
    return response


@router.get("/documents", response=list[DocumentOut])
@paginate
def document_list(request: HttpRequest, filters: Query[SearchFilter]) -> Any:
    policy.page_require(request.user, "core.view_document")
    return documents.document_list(actor=request.user, q=filters.q).select_related(
        "content_type", "attachment__blob"
    )
