"""The shapes of the registry API's entities, import jobs and officers."""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from fazhi.core import privacy
from fazhi.core.api_types import DictOut, Id, PatchIn
from fazhi.core.selectors import unit_list
from fazhi.registry import selectors
from fazhi.registry.models import (
    Entity,
    ImportJob,
    Officer,
    RegulatoryCategory,
)

MAX_PER_PAGE = 200


def _categories() -> list[RegulatoryCategory]:
    return selectors.category_list()


class EntityOut(DictOut):
    id: int
    uscc: str
    name: str
    kind: str
    legal_representative: str
    region_code: str
    address: str
    industry_section: str
    industry_division: str
    scale: str
    categories: list[str]
    key_supervision: bool
    standardization_level: str
    risk_level: str
    credit_class: str
    status: str
    contact_phone: str
    supervising_agency_id: int
    supervising_agency: str
    merged_into_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


#: The columns an EntityOut is made of (categories and the agency's name are derived).
ENTITY_COLUMNS = [
    f for f in EntityOut.model_fields if f not in ("categories", "supervising_agency")
] + ["category_bits"]


def entity_out(entity: Entity, categories: list[RegulatoryCategory]) -> dict[str, Any]:
    data = {field: getattr(entity, field) for field in ENTITY_COLUMNS}
    data["agency_name"] = entity.supervising_agency.name
    return entity_row_out(data, categories)


def entity_row_out(row: dict[str, Any], categories: list[RegulatoryCategory]) -> dict[str, Any]:
    """An EntityOut from a ``values()`` row of ``ENTITY_COLUMNS`` and ``agency_name``."""
    row["supervising_agency"] = row.pop("agency_name")
    bits = row.pop("category_bits")
    row["categories"] = [c.code for c in categories if bits & c.mask]
    return row


class EntityPage(DictOut):
    items: list[EntityOut]
    next_cursor: str | None
    prev_cursor: str | None
    count: int | None
    count_is_estimate: bool
    count_capped: bool


class EntityQuery(Schema):
    q: str = ""
    kind: str = ""
    status: str = ""
    risk_level: str = ""
    credit_class: str = ""
    risk: str = Field("", description="Short for risk_level.")
    credit: str = Field("", description="Short for credit_class.")
    key_supervision: bool | None = None
    category: str = ""
    industry_section: str = ""
    industry_division: str = ""
    standardization_level: str = ""
    scale: str = ""
    region: str = Field("", pattern=r"^(\d{2,6})?$")
    agency: Id | None = None
    cursor: str = ""
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)

    def filters(self) -> selectors.EntityFilters:
        return selectors.EntityFilters(
            q=self.q,
            kind=self.kind,
            status=self.status,
            risk_level=self.risk_level or self.risk,
            credit_class=(self.credit_class or self.credit).upper(),
            key_supervision=self.key_supervision,
            category=self.category,
            industry_section=self.industry_section,
            industry_division=self.industry_division,
            standardization_level=self.standardization_level,
            scale=self.scale,
            region=self.region,
            agency=self.agency,
        )


class EntityIn(Schema):
    uscc: str
    name: str
    kind: str = "enterprise"
    legal_representative: str = ""
    region_code: str
    address: str
    industry_section: str = ""
    industry_division: str = ""
    scale: str = ""
    categories: list[str] = []
    key_supervision: bool = False
    standardization_level: str = ""
    risk_level: str = ""
    credit_class: str = ""
    status: str = "active"
    contact_phone: str = ""
    supervising_agency_id: Id
    allow_duplicate: bool = False


class EntityPatch(PatchIn):
    uscc: str | None = None
    name: str | None = None
    kind: str | None = None
    legal_representative: str | None = None
    region_code: str | None = None
    address: str | None = None
    industry_section: str | None = None
    industry_division: str | None = None
    scale: str | None = None
    categories: list[str] | None = None
    key_supervision: bool | None = None
    standardization_level: str | None = None
    risk_level: str | None = None
    credit_class: str | None = None
    status: str | None = None
    contact_phone: str | None = None
    supervising_agency_id: Id | None = None
    allow_duplicate: bool = False


def _entity_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Turn API input into service keyword arguments (field errors → 422)."""
    fields = dict(data)
    if "categories" in fields:
        wanted = set(fields.pop("categories") or [])
        table = {c.code: c for c in _categories()}
        unknown = sorted(wanted - set(table))
        if unknown:
            raise ValidationError(
                {
                    "categories": [
                        _("Unknown category code: %(codes)s") % {"codes": ", ".join(unknown)}
                    ]
                }
            )
        fields["category_bits"] = sum(table[code].mask for code in wanted)
    if "supervising_agency_id" in fields:
        unit = unit_list(actor=request.user).filter(pk=fields.pop("supervising_agency_id")).first()
        if unit is None:
            raise ValidationError(
                {"supervising_agency_id": [_("This unit is outside your scope.")]}
            )
        fields["supervising_agency"] = unit
    return fields


class ProblemOut(Schema):
    row: int
    column: str
    value: str
    reason: str


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    source_name: str
    source_sha256: str
    unit_id: int
    total_rows: int
    processed_rows: int
    percent: int
    valid_rows: int
    error_rows: int
    error_count: int
    new_rows: int
    changed_rows: int
    unchanged_rows: int
    created_count: int
    updated_count: int
    skipped_count: int
    message: str
    report_url: str | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    problems: list[ProblemOut] = Field(
        default=[], description="The first problems the check found (GET /imports/{id} only)."
    )


def job_out(job: ImportJob) -> dict[str, Any]:
    data = {
        field: getattr(job, field) for field in ImportJobOut.model_fields if hasattr(job, field)
    }
    data["report_url"] = f"/api/v1/imports/{job.pk}/report" if job.report else None
    return data


class CertificateOut(Schema):
    id: int
    number: str
    issuer: str
    valid_from: datetime.date
    valid_to: datetime.date
    status: str
    status_today: str


class OfficerOut(Schema):
    id: int
    full_name: str
    citizen_id: str
    citizen_id_masked: bool = Field(
        description="True when the ID and phone numbers are masked (no personal-data permission)."
    )
    phone: str
    unit_id: int | None
    external_agency_id: int | None
    home: str
    position: str
    domains: list[str]
    legal_qualification: bool
    status: str
    certificates: list[CertificateOut]


class Mapped:
    """A queryset the paginator slices and counts, turned into output rows per page.

    Handing ``@paginate`` a list built from the whole queryset loaded every
    officer in scope on every request; this loads only the page asked for.
    """

    def __init__(self, items: QuerySet[Any], row: Callable[[Any], dict[str, Any]]) -> None:
        self.items = items
        self.row = row

    def __len__(self) -> int:
        return self.items.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.row(item) for item in self.items[window]]


def officer_out(officer: Officer, show_id: bool, today: datetime.date) -> dict[str, Any]:
    return {
        "id": officer.pk,
        "full_name": officer.full_name,
        "citizen_id": privacy.citizen_id(officer.citizen_id, show_id),
        "citizen_id_masked": not show_id,
        "phone": privacy.phone(officer.phone, show_id),
        "unit_id": officer.unit_id,
        "external_agency_id": officer.external_agency_id,
        "home": str(officer.home),
        "position": officer.position,
        "domains": officer.domain_list,
        "legal_qualification": officer.legal_qualification,
        "status": officer.status,
        "certificates": [
            {
                "id": c.pk,
                "number": c.number,
                "issuer": c.issuer,
                "valid_from": c.valid_from,
                "valid_to": c.valid_to,
                "status": c.status,
                "status_today": c.status_on(today),
            }
            for c in officer.certificates.all()
        ],
    }


class CertifiedOut(Schema):
    officer_id: int
    on: datetime.date
    certified: bool
    reason: str | None
    certificate: CertificateOut | None
