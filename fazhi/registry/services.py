"""Writes for the registry. The 持证上岗 / 回避 guards other apps call live in
``eligibility`` and are re-exported here; import jobs are ``imports.jobs``.

Every service is keyword-only, takes the actor, validates before saving,
keeps the actor inside their scope, and records an audit event (and, for an
entity, a field-level change row) in the same transaction.
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
from django.utils.translation import gettext_lazy

from fazhi.core import codes, policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.locks import lock_rows
from fazhi.core.models import OrgUnit
from fazhi.core.selectors import unit_in_scope
from fazhi.registry import industries, selectors
from fazhi.registry.choices import (
    CertificateStatus,
    ChangeKind,
    EnforcementDomain,
)
from fazhi.registry.dedupe import duplicates_sync
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
    EntityChange,
    ExternalAgency,
    Officer,
    OfficerTraining,
    RegistryRule,
    RegulatoryCategory,
    dedupe_key,
)
from fazhi.registry.selectors import entity_resolve as entity_resolve

ENTITY_FIELDS = list(Entity.DATA_FIELDS)
# What a unit learns of an entity or a person another unit registered: that
# it exists, nothing of its data (issue 13, side channels).
REGISTERED_ELSEWHERE = gettext_lazy(
    "Already registered by another unit; ask the city to transfer it."
)
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
AGENCY_FIELDS = ["name", "kind", "region_code", "uscc", "contact", "phone", "unit", "is_active"]
CONFLICT_FIELDS = ["officer", "entity", "kind", "source", "description", "valid_from", "valid_to"]
RULE_FIELDS = ["code", "value", "source", "verified", "effective_from", "effective_to", "notes"]


def _actor_label(actor: Any) -> str:
    """The name an entity's change history keeps: a user's login, else "system"."""
    if actor is not None and getattr(actor, "pk", None):
        return str(actor.get_username())
    return "system"


def _actor_user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) else None


def _assert_unit(actor: Any, unit: OrgUnit | None, field: str) -> None:
    if unit is not None and not unit_in_scope(actor, unit):
        raise ValidationError({field: _("This unit is outside your scope.")})


# --- entities -------------------------------------------------------------


def _entity_normalize(entity: Entity) -> None:
    entity.uscc = entity.uscc.strip().upper()
    entity.name = entity.name.strip()
    entity.address = entity.address.strip()
    entity.region_code = entity.region_code.strip()
    if entity.industry_division and not entity.industry_section:
        division = industries.divisions().get(entity.industry_division)
        if division is not None:
            entity.industry_section = division.section


def _entity_validate(entity: Entity, *, actor: Any, allow_duplicate: bool = False) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: Any) -> None:
        errors.setdefault(field, []).append(str(message))

    check = codes.validate_uscc(entity.uscc)
    if not check.valid:
        add("uscc", check.reason)
    region = codes.validate_region(entity.region_code)
    if not region.valid:
        add("region_code", region.reason)
    if entity.industry_section and entity.industry_section not in industries.sections():
        add("industry_section", _("Not a GB/T 4754-2017 section."))
    if entity.industry_division:
        division = industries.divisions().get(entity.industry_division)
        if division is None:
            add("industry_division", _("Not a GB/T 4754-2017 division."))
        elif entity.industry_section and division.section != entity.industry_section:
            add(
                "industry_division",
                _("This division belongs to section %(s)s.") % {"s": division.section},
            )
    known = 0
    for category in RegulatoryCategory.objects.all():
        known |= category.mask
    if entity.category_bits & ~known:
        add("category_bits", _("Unknown regulatory category."))
    if entity.supervising_agency_id is not None and not unit_in_scope(
        actor, entity.supervising_agency
    ):
        add("supervising_agency", _("This unit is outside your scope."))
    if check.valid:
        other = (
            Entity.objects.filter(uscc=entity.uscc, merged_into__isnull=True)
            .exclude(pk=entity.pk)
            .first()
        )
        if other is not None and not unit_in_scope(actor, other.supervising_agency):
            add("uscc", REGISTERED_ELSEWHERE)  # nothing of another unit's entity
        elif other is not None:
            add(
                "uscc",
                _("Already registered as “%(name)s”, supervised by %(agency)s.")
                % {"name": other.name, "agency": other.supervising_agency},
            )
    if entity.name and entity.address and not allow_duplicate:
        twin = (
            Entity.objects.filter(
                dedupe_key=dedupe_key(entity.name, entity.address), merged_into__isnull=True
            )
            .exclude(pk=entity.pk)
            .exclude(uscc=entity.uscc)
            .first()
        )
        if twin is not None and not unit_in_scope(actor, twin.supervising_agency):
            add("name", REGISTERED_ELSEWHERE)
        elif twin is not None:
            add(
                "name",
                _(
                    "An entity with the same name and address is already registered "
                    "under code %(uscc)s. If they really are two entities, confirm and save again."
                )
                % {"uscc": twin.uscc},
            )
    try:
        entity.full_clean(exclude=["dedupe_key"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                if message not in errors.get(field, []):
                    add(field, message)
    if errors:
        raise ValidationError(errors)


def _entity_change(
    *, entity: Entity, kind: str, actor: Any, diff: dict[str, Any], other: Entity | None = None
) -> EntityChange:
    return EntityChange.objects.create(
        entity=entity,
        kind=kind,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        diff=diff,
        other=other,
    )


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


@policy.requires("registry.add_entity")
@transaction.atomic
def entity_create(*, actor: Any, allow_duplicate: bool = False, **fields: Any) -> Entity:
    """Register a regulated entity (登记检查对象).

    The same credit code is never registered twice. The same name and
    address under another code is refused unless the user confirms
    (``allow_duplicate``): such pairs then show on the duplicates page.
    """
    entity = Entity(**fields)
    _entity_normalize(entity)
    _entity_validate(entity, actor=actor, allow_duplicate=allow_duplicate)
    entity.created_by = _actor_user(actor)
    entity.save()
    duplicates_sync([entity.dedupe_key])
    after = snapshot(entity, ENTITY_FIELDS)
    _entity_change(entity=entity, kind=ChangeKind.CREATED, actor=actor, diff=_diff({}, after))
    audit_record(
        actor=actor,
        verb="registry.entity.create",
        obj=entity,
        after=after,
        unit=entity.supervising_agency,
    )
    return entity


@policy.requires("registry.change_entity")
@transaction.atomic
def entity_update(
    *, actor: Any, entity: Entity, allow_duplicate: bool = False, **fields: Any
) -> Entity:
    """Change an entity; the change is kept field by field."""
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if not unit_in_scope(actor, entity.supervising_agency):
        raise NotAllowed(_("This entity is outside your scope."))
    if entity.merged_into_id is not None:
        raise DomainError(
            _("A merged entity cannot be changed; edit the entity it was merged into.")
        )
    before = snapshot(entity, ENTITY_FIELDS)
    for name, value in fields.items():
        setattr(entity, name, value)
    _entity_normalize(entity)
    # A pair confirmed as two entities stays allowed until its name or address changes.
    moved = dedupe_key(entity.name, entity.address) != entity.dedupe_key
    _entity_validate(entity, actor=actor, allow_duplicate=allow_duplicate or not moved)
    after = snapshot(entity, ENTITY_FIELDS)
    diff = _diff(before, after)
    if not diff:
        return entity
    entity.updated_at = timezone.now()
    old_key = entity.dedupe_key
    entity.save()
    duplicates_sync([old_key, entity.dedupe_key])
    _entity_change(entity=entity, kind=ChangeKind.UPDATED, actor=actor, diff=diff)
    audit_record(
        actor=actor,
        verb="registry.entity.update",
        obj=entity,
        before=before,
        after=after,
        unit=entity.supervising_agency,
    )
    return entity


@policy.requires("registry.merge_entity")
@transaction.atomic
def entity_merge(*, actor: Any, survivor: Entity, duplicates: Iterable[Entity]) -> Entity:
    """Merge duplicates into ``survivor`` (合并重复对象).

    Each duplicate keeps its row and history, points to the survivor, and
    leaves the lists; its conflicts of interest move to the survivor so that
    recusal still holds.
    """
    ids = sorted({d.pk for d in duplicates} - {survivor.pk})
    if not ids:
        raise DomainError(_("Choose at least one duplicate to merge."), field="duplicates")
    # Survivor and duplicates are locked together in primary-key order, so two
    # merges naming the same entities the other way round cannot deadlock.
    rows = {row.pk: row for row in lock_rows(Entity, [survivor.pk, *ids])}
    survivor = rows[survivor.pk]
    policy.require_in_scope(actor, survivor.supervising_agency)
    if survivor.merged_into_id is not None:
        raise DomainError(_("The entity to keep has itself been merged."))
    now = timezone.now()
    for duplicate in (rows[pk] for pk in ids):
        policy.require_in_scope(actor, duplicate.supervising_agency)
        if duplicate.merged_into_id is not None:
            raise DomainError(_("“%(name)s” was already merged.") % {"name": duplicate.name})
        moved = list(
            ConflictOfInterest.objects.filter(entity=duplicate).values_list("pk", flat=True)
        )
        ConflictOfInterest.objects.filter(pk__in=moved).update(entity=survivor)
        Entity.objects.filter(merged_into=duplicate).update(merged_into=survivor)
        duplicate.merged_into = survivor
        duplicate.merged_at = now
        duplicate.updated_at = now
        duplicate.save(update_fields=["merged_into", "merged_at", "updated_at"])
        _entity_change(
            entity=duplicate,
            kind=ChangeKind.MERGED_INTO,
            actor=actor,
            diff={"merged_into": [None, survivor.pk]},
            other=survivor,
        )
        _entity_change(
            entity=survivor,
            kind=ChangeKind.ABSORBED,
            actor=actor,
            diff={"absorbed": [None, duplicate.pk], "conflicts_moved": [None, moved]},
            other=duplicate,
        )
        audit_record(
            actor=actor,
            verb="registry.entity.merge",
            obj=duplicate,
            before={"merged_into": None},
            after={
                "merged_into": survivor.pk,
                "survivor_uscc": survivor.uscc,
                "conflicts_moved": moved,
            },
            unit=duplicate.supervising_agency,
        )
    duplicates_sync([survivor.dedupe_key, *(rows[pk].dedupe_key for pk in ids)])
    return survivor


# --- external agencies ----------------------------------------------------


def _agency_validate(agency: ExternalAgency, *, actor: Any) -> None:
    errors: dict[str, list[str]] = {}
    region = codes.validate_region(agency.region_code)
    if not region.valid:
        errors["region_code"] = [str(region.reason)]
    if agency.uscc:
        check = codes.validate_uscc(agency.uscc)
        if not check.valid:
            errors["uscc"] = [str(check.reason)]
    if agency.unit_id is not None and not unit_in_scope(actor, agency.unit):
        errors["unit"] = [_("This unit is outside your scope.")]
    try:
        agency.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(
                m for m in messages if m not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)


@policy.requires("registry.add_externalagency")
@transaction.atomic
def external_agency_create(*, actor: Any, **fields: Any) -> ExternalAgency:
    """Record another department that joins inspections (外部门)."""
    agency = ExternalAgency(**fields)
    agency.uscc = agency.uscc.strip().upper()
    _agency_validate(agency, actor=actor)
    agency.save()
    audit_record(
        actor=actor,
        verb="registry.externalagency.create",
        obj=agency,
        after=snapshot(agency, AGENCY_FIELDS),
        unit=agency.unit,
    )
    return agency


@policy.requires("registry.change_externalagency")
@transaction.atomic
def external_agency_update(*, actor: Any, agency: ExternalAgency, **fields: Any) -> ExternalAgency:
    agency = ExternalAgency.objects.select_for_update().get(pk=agency.pk)
    if not unit_in_scope(actor, agency.unit):
        raise NotAllowed(_("This agency is outside your scope."))
    before = snapshot(agency, AGENCY_FIELDS)
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.uscc = agency.uscc.strip().upper()
    _agency_validate(agency, actor=actor)
    agency.save()
    audit_record(
        actor=actor,
        verb="registry.externalagency.update",
        obj=agency,
        before=before,
        after=snapshot(agency, AGENCY_FIELDS),
        unit=agency.unit,
    )
    return agency


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


# --- rules ----------------------------------------------------------------


@policy.requires_any("registry.add_registryrule", "registry.change_registryrule")
@transaction.atomic
def rule_save(*, actor: Any, rule: RegistryRule | None = None, **fields: Any) -> RegistryRule:
    """Create a rule version or correct one (administrators only)."""
    if selectors.units_in_scope(actor) is not None:
        raise NotAllowed(_("Only a system administrator may change rules."))
    before = snapshot(rule, RULE_FIELDS) if rule is not None else None
    target = (
        RegistryRule.objects.select_for_update().get(pk=rule.pk)
        if rule is not None
        else RegistryRule()
    )
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    audit_record(
        actor=actor,
        verb="registry.registryrule.save",
        obj=target,
        before=before,
        after=snapshot(target, RULE_FIELDS),
    )
    return target
