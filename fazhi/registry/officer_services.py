"""Officers' services: the officer records, certificates (执法证), training, conflicts (回避).

Split from ``fazhi.registry.services`` (which re-exports them); eligibility
guards live in ``fazhi.registry.eligibility``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import codes, policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.models import OrgUnit
from fazhi.core.selectors import unit_in_scope
from fazhi.registry import selectors
from fazhi.registry.choices import (
    CertificateStatus,
    EnforcementDomain,
)
from fazhi.registry.eligibility import (
    officer_assert_certified as officer_assert_certified,
)
from fazhi.registry.eligibility import (
    officer_certification_problem as officer_certification_problem,
)
from fazhi.registry.eligibility import officer_conflicts as officer_conflicts
from fazhi.registry.eligibility import team_assert_valid as team_assert_valid
from fazhi.registry.eligibility import team_min_officers as team_min_officers
from fazhi.registry.models import (
    ConflictOfInterest,
    EnforcementCertificate,
    Entity,
    Officer,
    OfficerTraining,
)
from fazhi.registry.selectors import entity_resolve as entity_resolve

OFFICER_FIELDS = [
    "full_name",
    "citizen_id",
    "unit",
    "external_agency",
    "user",
    "position",
    "phone",
    "domains",
    "legal_qualification",
    "legal_qualification_number",
    "status",
]
CERTIFICATE_FIELDS = [
    "officer",
    "number",
    "issuer",
    "valid_from",
    "valid_to",
    "status",
    "status_reason",
]
CONFLICT_FIELDS = ["officer", "entity", "kind", "source", "description", "valid_from", "valid_to"]


def _actor_user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) else None


# --- officers -------------------------------------------------------------


def domains_value(domains: Iterable[str]) -> str:
    """Store domain codes as ",a,b," so one code matches with a LIKE."""
    known = set(EnforcementDomain.values)
    chosen = [d for d in EnforcementDomain.values if d in set(domains)]
    unknown = set(domains) - known
    if unknown:
        raise ValidationError(
            {"domains": _("Unknown enforcement domain: %(d)s") % {"d": ", ".join(sorted(unknown))}}
        )
    return "," + ",".join(chosen) + "," if chosen else ""


def _officer_home_unit(officer: Officer) -> OrgUnit | None:
    if officer.unit_id is not None:
        return officer.unit
    if officer.external_agency_id is not None:
        return officer.external_agency.unit  # type: ignore[union-attr]
    return None


def _lock_officer_record[R: (EnforcementCertificate, ConflictOfInterest)](
    actor: Any, model: type[R], pk: int
) -> R:
    """Lock one of an officer's records (certificate, conflict) for a change
    and refuse it when the officer is outside the actor's scope."""
    record = model.objects.select_for_update().select_related("officer").get(pk=pk)
    if not selectors.officer_in_scope(actor, record.officer):
        raise NotAllowed(_("This officer is outside your scope."))
    return record


def _officer_validate(officer: Officer, *, actor: Any) -> None:
    errors: dict[str, list[str]] = {}
    check = codes.validate_ric(officer.citizen_id)
    if not check.valid:
        errors["citizen_id"] = [str(check.reason)]
    else:
        other = (
            Officer.objects.filter(citizen_id=officer.citizen_id).exclude(pk=officer.pk).first()
        )
        if other is not None:
            errors["citizen_id"] = [_("Another officer record already has this ID number.")]
    if (officer.unit_id is None) == (officer.external_agency_id is None):
        errors["unit"] = [_("Choose either an internal unit or an external agency.")]
    home = _officer_home_unit(officer)
    if home is not None and not unit_in_scope(actor, home):
        errors.setdefault("unit", []).append(_("This unit is outside your scope."))
    if officer.legal_qualification_number and not officer.legal_qualification:
        errors["legal_qualification"] = [
            _("Tick the qualification if a certificate number is given.")
        ]
    if officer.user_id is not None and officer.external_agency_id is not None:
        errors["user"] = [_("Officers of external agencies have no login.")]
    try:
        officer.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(
                m for m in messages if m not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)


def _officer_prepare(officer: Officer) -> None:
    officer.full_name = officer.full_name.strip()
    officer.citizen_id = officer.citizen_id.strip().upper()


@policy.requires("registry.add_officer")
@transaction.atomic
def officer_create(*, actor: Any, domains: Iterable[str] = (), **fields: Any) -> Officer:
    """Add a person to the officer pool (执法人员名录库)."""
    officer = Officer(**fields)
    officer.domains = domains_value(domains)
    _officer_prepare(officer)
    _officer_validate(officer, actor=actor)
    officer.save()
    audit_record(
        actor=actor,
        verb="registry.officer.create",
        obj=officer,
        after=snapshot(officer, OFFICER_FIELDS),
        unit=_officer_home_unit(officer),
    )
    return officer


@policy.requires("registry.change_officer")
@transaction.atomic
def officer_update(
    *, actor: Any, officer: Officer, domains: Iterable[str] | None = None, **fields: Any
) -> Officer:
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if not selectors.officer_in_scope(actor, officer):
        raise NotAllowed(_("This officer is outside your scope."))
    before = snapshot(officer, OFFICER_FIELDS)
    for name, value in fields.items():
        setattr(officer, name, value)
    if domains is not None:
        officer.domains = domains_value(domains)
    _officer_prepare(officer)
    _officer_validate(officer, actor=actor)
    after = snapshot(officer, OFFICER_FIELDS)
    if after == before:
        return officer
    officer.updated_at = timezone.now()
    officer.save()
    audit_record(
        actor=actor,
        verb="registry.officer.update",
        obj=officer,
        before=before,
        after=after,
        unit=_officer_home_unit(officer),
    )
    return officer


def _certificate_validate(certificate: EnforcementCertificate) -> None:
    errors: dict[str, list[str]] = {}
    if (
        EnforcementCertificate.objects.filter(number=certificate.number)
        .exclude(pk=certificate.pk)
        .exists()
    ):
        errors["number"] = [_("This certificate number is already recorded.")]
    try:
        certificate.full_clean(exclude=["number"] if errors else None)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@policy.requires("registry.add_enforcementcertificate")
@transaction.atomic
def certificate_issue(
    *,
    actor: Any,
    officer: Officer,
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    status: str = CertificateStatus.VALID,
) -> EnforcementCertificate:
    """Record an enforcement certificate (行政执法证) for an officer."""
    if not selectors.officer_in_scope(actor, officer):
        raise NotAllowed(_("This officer is outside your scope."))
    certificate = EnforcementCertificate(
        officer=officer,
        number=number.strip().upper(),
        issuer=issuer.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        status=status,
    )
    _certificate_validate(certificate)
    certificate.save()
    audit_record(
        actor=actor,
        verb="registry.certificate.issue",
        obj=certificate,
        after=snapshot(certificate, CERTIFICATE_FIELDS),
        unit=_officer_home_unit(officer),
    )
    return certificate


@policy.requires("registry.change_enforcementcertificate")
@transaction.atomic
def certificate_update(
    *, actor: Any, certificate: EnforcementCertificate, **fields: Any
) -> EnforcementCertificate:
    """Correct a certificate's issuer or dates."""
    certificate = _lock_officer_record(actor, EnforcementCertificate, certificate.pk)
    before = snapshot(certificate, CERTIFICATE_FIELDS)
    for name in ("issuer", "valid_from", "valid_to"):
        if name in fields:
            setattr(certificate, name, fields[name])
    _certificate_validate(certificate)
    after = snapshot(certificate, CERTIFICATE_FIELDS)
    if after != before:
        certificate.save()
        audit_record(
            actor=actor,
            verb="registry.certificate.update",
            obj=certificate,
            before=before,
            after=after,
            unit=_officer_home_unit(certificate.officer),
        )
    return certificate


_STATUS_MOVES = {
    CertificateStatus.VALID: {
        CertificateStatus.SUSPENDED,
        CertificateStatus.REVOKED,
        CertificateStatus.EXPIRED,
    },
    CertificateStatus.SUSPENDED: {CertificateStatus.VALID, CertificateStatus.REVOKED},
    CertificateStatus.EXPIRED: set(),
    CertificateStatus.REVOKED: set(),
}


@policy.requires("registry.change_enforcementcertificate")
@transaction.atomic
def certificate_set_status(
    *, actor: Any, certificate: EnforcementCertificate, status: str, reason: str
) -> EnforcementCertificate:
    """Suspend (暂扣), revoke (吊销/注销), reinstate or close a certificate."""
    certificate = _lock_officer_record(actor, EnforcementCertificate, certificate.pk)
    if status not in _STATUS_MOVES.get(certificate.status, set()):  # type: ignore[call-overload]
        raise DomainError(
            _("A certificate that is %(old)s cannot become %(new)s.")
            % {"old": certificate.get_status_display(), "new": CertificateStatus(status).label},
            field="status",
        )
    if not reason.strip():
        raise DomainError(_("Give the reason for the change."), field="reason")
    before = snapshot(certificate, CERTIFICATE_FIELDS)
    certificate.status = status
    certificate.status_reason = reason.strip()[:255]
    certificate.save(update_fields=["status", "status_reason"])
    audit_record(
        actor=actor,
        verb="registry.certificate.status",
        obj=certificate,
        before=before,
        after=snapshot(certificate, CERTIFICATE_FIELDS),
        unit=_officer_home_unit(certificate.officer),
    )
    return certificate


@policy.requires("registry.change_officer")
@transaction.atomic
def training_record(*, actor: Any, officer: Officer, year: int, hours: Decimal) -> OfficerTraining:
    """Set an officer's enforcement-training hours for a year (年度培训学时)."""
    if not selectors.officer_in_scope(actor, officer):
        raise NotAllowed(_("This officer is outside your scope."))
    if hours < 0:
        raise ValidationError({"hours": _("Hours cannot be negative.")})
    if year < 2000 or year > timezone.localdate().year + 1:
        raise ValidationError({"year": _("Enter a real year.")})
    record, created = OfficerTraining.objects.get_or_create(
        officer=officer, year=year, defaults={"hours": hours}
    )
    before = None if created else {"hours": str(record.hours)}
    if not created:
        record.hours = hours
        record.save(update_fields=["hours"])
    audit_record(
        actor=actor,
        verb="registry.officer.training",
        obj=officer,
        before=before,
        after={"year": year, "hours": str(hours)},
        unit=_officer_home_unit(officer),
    )
    return record


# --- conflicts of interest (回避) ------------------------------------------


@policy.requires("registry.add_conflictofinterest")
@transaction.atomic
def conflict_record(
    *,
    actor: Any,
    officer: Officer,
    entity: Entity,
    kind: str,
    source: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    description: str = "",
) -> ConflictOfInterest:
    """Record a relation that obliges the officer to recuse (利害关系)."""
    if not selectors.officer_in_scope(actor, officer):
        raise NotAllowed(_("This officer is outside your scope."))
    conflict = ConflictOfInterest(
        officer=officer,
        entity=entity_resolve(entity),
        kind=kind,
        source=source,
        description=description.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=_actor_user(actor),
    )
    conflict.full_clean()
    conflict.save()
    audit_record(
        actor=actor,
        verb="registry.conflict.record",
        obj=conflict,
        after=snapshot(conflict, CONFLICT_FIELDS),
        unit=_officer_home_unit(officer),
    )
    return conflict


@policy.requires("registry.change_conflictofinterest")
@transaction.atomic
def conflict_end(
    *, actor: Any, conflict: ConflictOfInterest, valid_to: datetime.date
) -> ConflictOfInterest:
    """Close a conflict's active period (e.g. the shares were sold)."""
    conflict = _lock_officer_record(actor, ConflictOfInterest, conflict.pk)
    before = snapshot(conflict, CONFLICT_FIELDS)
    conflict.valid_to = valid_to
    conflict.full_clean()
    conflict.save(update_fields=["valid_to"])
    audit_record(
        actor=actor,
        verb="registry.conflict.end",
        obj=conflict,
        before=before,
        after=snapshot(conflict, CONFLICT_FIELDS),
        unit=_officer_home_unit(conflict.officer),
    )
    return conflict
