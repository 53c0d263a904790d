"""Importing the officer list (执法人员名录库), through the same pipeline.

Officer lists are small (thousands), so the checked rows are applied one by
one through the services: each officer gets its audit events like an edit.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fazhi.core import codes, privacy
from fazhi.core.errors import DomainError
from fazhi.core.models import OrgUnit
from fazhi.registry import selectors, services
from fazhi.registry.choices import ImportKind
from fazhi.registry.imports import labels
from fazhi.registry.imports.readers import cell_text
from fazhi.registry.imports.report import RowError
from fazhi.registry.imports.spec import Column, ImportSpec
from fazhi.registry.models import EnforcementCertificate, ExternalAgency, Officer, OfficerStaging
from fazhi.registry.services import REGISTERED_ELSEWHERE

COLUMNS = (
    Column("full_name", "姓名", True, ("full_name",)),
    Column("citizen_id", "公民身份号码", True, ("身份证号", "身份证号码", "citizen_id"), "18位"),
    Column(
        "unit",
        "所属单位",
        False,
        ("单位", "unit"),
        "本局内设机构名称；与“外部门”二选一，均空白时为导入时选定的单位",
    ),
    Column(
        "external_agency", "外部门", False, ("外部门名称", "external_agency"), "已登记的外部门名称"
    ),
    Column("position", "职务", False, ("position",)),
    Column("phone", "联系电话", False, ("电话", "phone")),
    Column("domains", "执法领域", False, ("domains",), labels.allowed(labels.DOMAIN)),
    Column("legal_qualification", "法律职业资格", False, ("legal_qualification",), "是/否"),
    Column(
        "legal_qualification_number",
        "法律职业资格证书编号",
        False,
        ("legal_qualification_number",),
    ),
    Column("cert_number", "执法证号", False, ("执法证件号", "执法证编号", "cert_number")),
    Column("cert_issuer", "发证机关", False, ("cert_issuer",)),
    Column(
        "cert_valid_from",
        "有效期起",
        False,
        ("有效期开始", "cert_valid_from"),
        "日期，如 2025-01-01",
    ),
    Column(
        "cert_valid_to", "有效期止", False, ("有效期至", "有效期截止", "cert_valid_to"), "日期"
    ),
)
STAGING_FIELDS = (
    "full_name",
    "citizen_id",
    "unit_id",
    "external_agency_id",
    "position",
    "phone",
    "domains",
    "legal_qualification",
    "legal_qualification_number",
    "cert_number",
    "cert_issuer",
    "cert_valid_from",
    "cert_valid_to",
)
_SPLIT = re.compile(r"[、,，;；/|\s]+")
_DATE = re.compile(r"^(\d{4})\D{0,2}(\d{1,2})\D{0,2}(\d{1,2})\D?$")
APPLY_BATCH = 200


def parse_date(value: Any) -> datetime.date | None:
    """Read a date cell: a real date, or text such as 2025-01-31, 2025/1/31, 2025年1月31日."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = _DATE.match(cell_text(value))
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


class OfficerSpec(ImportSpec):
    kind = ImportKind.OFFICER
    columns = COLUMNS
    staging_model = OfficerStaging
    staging_fields = STAGING_FIELDS

    def prepare(self) -> None:
        self.seen_ids: dict[str, int] = {}
        self.seen_certs: dict[str, int] = {}
        self.domains = labels.lookup(labels.DOMAIN)
        self.booleans = dict.fromkeys(labels.TRUE_WORDS, True) | dict.fromkeys(
            labels.FALSE_WORDS, False
        )
        scope = selectors.units_in_scope(self.actor)
        units = OrgUnit.objects.all() if scope is None else OrgUnit.objects.filter(pk__in=scope)
        self.units: dict[str, int | None] = {}
        for unit in units:
            self.units[str(unit.pk)] = unit.pk
            for name in {unit.name, unit.short_name} - {""}:
                self.units[name] = (
                    None if name in self.units and self.units[name] != unit.pk else unit.pk
                )
        self.agencies: dict[str, int | None] = {}
        for agency in selectors.external_agency_list(actor=self.actor):
            self.agencies[str(agency.pk)] = agency.pk
            self.agencies[agency.name] = (
                None
                if agency.name in self.agencies and self.agencies[agency.name] != agency.pk
                else agency.pk
            )

    def clean_chunk(
        self, chunk: Sequence[tuple[int, list[Any]]], errors: list[RowError]
    ) -> list[tuple[Any, ...]]:
        staged = []
        for row_no, cells in chunk:
            row_errors: list[RowError] = []

            def value(key: str, cells: list[Any] = cells) -> Any:
                i = self.index.get(key)
                return cells[i] if i is not None and i < len(cells) else None

            def text(key: str) -> str:
                return cell_text(value(key))

            def error(
                key: str,
                shown: str,
                reason: str,
                row_no: int = row_no,
                found: list[RowError] = row_errors,
            ) -> None:
                found.append(RowError(row_no, self.header_of(key), shown, reason))

            full_name = text("full_name")
            if not full_name:
                error("full_name", "", _("This column is required."))
            elif len(full_name) > 60:
                error("full_name", full_name[:50], _("Longer than %(n)d characters.") % {"n": 60})
            citizen_id = text("citizen_id").upper()
            if not citizen_id:
                error("citizen_id", "", _("This column is required."))
            else:
                check = codes.validate_ric(citizen_id)
                if not check.valid:
                    error("citizen_id", citizen_id, str(check.reason))
                elif citizen_id in self.seen_ids:
                    error(
                        "citizen_id",
                        citizen_id,
                        _("The same ID number is already on row %(row)d.")
                        % {"row": self.seen_ids[citizen_id]},
                    )
            unit_id = agency_id = None
            unit_text, agency_text = text("unit"), text("external_agency")
            if unit_text and agency_text:
                error(
                    "external_agency",
                    agency_text,
                    _("Give either a unit or an external agency, not both."),
                )
            elif unit_text:
                unit_id = self.units.get(unit_text, 0)
                if not unit_id:
                    error("unit", unit_text, _("No unit by this name in your scope."))
            elif agency_text:
                agency_id = self.agencies.get(agency_text, 0)
                if not agency_id:
                    error(
                        "external_agency",
                        agency_text,
                        _("No external agency by this name in your scope."),
                    )
            domains = []
            for part in _SPLIT.split(text("domains").upper()):
                if not part:
                    continue
                code = self.domains.get(part)
                if code is None:
                    error(
                        "domains",
                        part,
                        _("“%(value)s” is not one of: %(allowed)s.")
                        % {"value": part, "allowed": labels.allowed(labels.DOMAIN)},
                    )
                else:
                    domains.append(code)
            qualified_text = text("legal_qualification").upper()
            qualified = self.booleans.get(qualified_text)
            if qualified is None:
                error(
                    "legal_qualification",
                    qualified_text,
                    _("“%(value)s” is not one of: %(allowed)s.")
                    % {"value": qualified_text, "allowed": "是、否"},
                )
            qualification_number = text("legal_qualification_number")
            if qualification_number and not qualified:
                error(
                    "legal_qualification",
                    qualified_text,
                    _("A certificate number is given but the qualification is not."),
                )
            cert_number = text("cert_number").upper()
            cert_issuer = text("cert_issuer")
            valid_from = parse_date(value("cert_valid_from"))
            valid_to = parse_date(value("cert_valid_to"))
            if cert_number:
                if cert_number in self.seen_certs:
                    error(
                        "cert_number",
                        cert_number,
                        _("The same certificate number is already on row %(row)d.")
                        % {"row": self.seen_certs[cert_number]},
                    )
                for key, present in (
                    ("cert_issuer", cert_issuer),
                    ("cert_valid_from", valid_from),
                    ("cert_valid_to", valid_to),
                ):
                    if not present:
                        shown = text(key)
                        error(
                            key,
                            shown,
                            _("Not a date.")
                            if shown
                            else _("Required when a certificate number is given."),
                        )
                if valid_from and valid_to and valid_to < valid_from:
                    error(
                        "cert_valid_to",
                        text("cert_valid_to"),
                        _("The end date is before the start date."),
                    )
            else:
                for key in ("cert_issuer", "cert_valid_from", "cert_valid_to"):
                    if text(key):
                        error("cert_number", "", _("Give the certificate number too."))
                        break
            if row_errors:
                errors.extend(row_errors)
                continue
            self.seen_ids[citizen_id] = row_no
            if cert_number:
                self.seen_certs[cert_number] = row_no
            staged.append(
                (
                    self.job.pk,
                    row_no,
                    full_name,
                    citizen_id,
                    unit_id,
                    agency_id,
                    text("position")[:60],
                    text("phone")[:30],
                    services.domains_value(domains),
                    bool(qualified),
                    qualification_number[:40],
                    cert_number[:40],
                    cert_issuer[:120],
                    valid_from if cert_number else None,
                    valid_to if cert_number else None,
                )
            )
        return staged

    def _rows(self) -> list[OfficerStaging]:
        return list(self.staged().order_by("row_no"))

    def check_database(self) -> list[RowError]:
        errors: list[RowError] = []
        drop: set[int] = set()
        rows = self._rows()
        existing = {
            o.citizen_id: o
            for o in Officer.objects.filter(citizen_id__in=[r.citizen_id for r in rows])
        }
        certificates = {
            c.number: c
            for c in EnforcementCertificate.objects.filter(
                number__in=[r.cert_number for r in rows if r.cert_number]
            )
        }
        for row in rows:
            officer = existing.get(row.citizen_id)
            if officer is not None and not selectors.officer_in_scope(self.actor, officer):
                drop.add(row.row_no)
                errors.append(
                    RowError(
                        row.row_no,
                        self.header_of("citizen_id"),
                        row.citizen_id,
                        str(REGISTERED_ELSEWHERE),
                    )
                )
                continue
            certificate = certificates.get(row.cert_number) if row.cert_number else None
            if certificate is not None and (
                officer is None or certificate.officer_id != officer.pk
            ):
                drop.add(row.row_no)
                errors.append(
                    RowError(
                        row.row_no,
                        self.header_of("cert_number"),
                        row.cert_number,
                        _("This certificate number belongs to another officer."),
                    )
                )
        self.drop_rows(drop)
        return errors

    def _officer_changes(self, row: OfficerStaging, officer: Officer) -> dict[str, Any]:
        wanted = {
            "full_name": row.full_name,
            "position": row.position,
            "phone": row.phone,
            "domains": row.domains,
            "legal_qualification": row.legal_qualification,
            "legal_qualification_number": row.legal_qualification_number,
        }
        if row.unit_id is not None:
            wanted |= {"unit_id": row.unit_id, "external_agency_id": None}
        elif row.external_agency_id is not None:
            wanted |= {"external_agency_id": row.external_agency_id, "unit_id": None}
        return {k: v for k, v in wanted.items() if getattr(officer, k) != v}

    def _certificate_changes(
        self, row: OfficerStaging, officer: Officer | None
    ) -> dict[str, Any] | None:
        """None: nothing to do; {} : a new certificate; else fields to correct."""
        if not row.cert_number:
            return None
        certificate = EnforcementCertificate.objects.filter(number=row.cert_number).first()
        if certificate is None:
            return {}
        wanted = {
            "issuer": row.cert_issuer,
            "valid_from": row.cert_valid_from,
            "valid_to": row.cert_valid_to,
        }
        changes = {k: v for k, v in wanted.items() if getattr(certificate, k) != v}
        return changes or None

    def classify(self) -> tuple[int, int, int]:
        new = changed = unchanged = 0
        rows = self._rows()
        existing = {
            o.citizen_id: o
            for o in Officer.objects.filter(citizen_id__in=[r.citizen_id for r in rows])
        }
        for row in rows:
            officer = existing.get(row.citizen_id)
            if officer is None:
                new += 1
            elif (
                self._officer_changes(row, officer)
                or self._certificate_changes(row, officer) is not None
            ):
                changed += 1
            else:
                unchanged += 1
        return new, changed, unchanged

    def apply(self, progress: Callable[[int], None]) -> tuple[int, int, int]:
        """Apply each row through the services, all in the caller's one
        transaction (a row the services refuse is skipped, the rest stand
        or fall together)."""
        created = updated = skipped = 0
        rows = self._rows()
        for start in range(0, len(rows), APPLY_BATCH):
            for row in rows[start : start + APPLY_BATCH]:
                try:
                    with transaction.atomic():
                        outcome = self._apply_row(row)
                except (ValidationError, DomainError):
                    skipped += 1
                    continue
                created += outcome == "created"
                updated += outcome == "updated"
            progress(min(start + APPLY_BATCH, len(rows)))
        return created, updated, skipped

    def _apply_row(self, row: OfficerStaging) -> str:
        officer = Officer.objects.filter(citizen_id=row.citizen_id).first()
        outcome = "unchanged"
        if officer is None:
            home: dict[str, Any]
            if row.external_agency_id is not None:
                home = {"external_agency": ExternalAgency.objects.get(pk=row.external_agency_id)}
            else:
                home = {"unit": OrgUnit.objects.get(pk=row.unit_id or self.job.unit_id)}
            officer = services.officer_create(
                actor=self.actor,
                full_name=row.full_name,
                citizen_id=row.citizen_id,
                position=row.position,
                phone=row.phone,
                domains=[d for d in row.domains.split(",") if d],
                legal_qualification=row.legal_qualification,
                legal_qualification_number=row.legal_qualification_number,
                **home,
            )
            outcome = "created"
        else:
            changes = self._officer_changes(row, officer)
            if changes:
                domains = changes.pop("domains", None)
                fields = {k: v for k, v in changes.items() if not k.endswith("_id")}
                if "unit_id" in changes:
                    fields["unit"] = (
                        OrgUnit.objects.get(pk=changes["unit_id"]) if changes["unit_id"] else None
                    )
                if "external_agency_id" in changes:
                    agency_id = changes["external_agency_id"]
                    fields["external_agency"] = (
                        ExternalAgency.objects.get(pk=agency_id) if agency_id else None
                    )
                services.officer_update(
                    actor=self.actor,
                    officer=officer,
                    domains=[d for d in domains.split(",") if d] if domains is not None else None,
                    **fields,
                )
                outcome = "updated"
        certificate_changes = self._certificate_changes(row, officer)
        if certificate_changes == {}:
            services.certificate_issue(
                actor=self.actor,
                officer=officer,
                number=row.cert_number,
                issuer=row.cert_issuer,
                valid_from=row.cert_valid_from,  # type: ignore[arg-type]
                valid_to=row.cert_valid_to,  # type: ignore[arg-type]
            )
            outcome = outcome if outcome == "created" else "updated"
        elif certificate_changes:
            certificate = EnforcementCertificate.objects.get(number=row.cert_number)
            services.certificate_update(
                actor=self.actor, certificate=certificate, **certificate_changes
            )
            outcome = outcome if outcome == "created" else "updated"
        return outcome


def export_row(
    officer: Officer, show_personal: bool, certificate: EnforcementCertificate | None
) -> list[Any]:
    """One officer as a row of the import layout (ID and phone masked unless
    ``show_personal``)."""
    return [
        officer.full_name,
        privacy.citizen_id(officer.citizen_id, show_personal),
        officer.unit.name if officer.unit else "",
        officer.external_agency.name if officer.external_agency else "",
        officer.position,
        privacy.phone(officer.phone, show_personal),
        "、".join(labels.file_label(labels.DOMAIN, d) for d in officer.domain_list),
        "是" if officer.legal_qualification else "否",
        officer.legal_qualification_number,
        certificate.number if certificate else "",
        certificate.issuer if certificate else "",
        certificate.valid_from.isoformat() if certificate else "",
        certificate.valid_to.isoformat() if certificate else "",
    ]
