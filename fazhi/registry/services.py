"""Writes for the registry. The 持证上岗 / 回避 guards other apps call live in
``eligibility`` and are re-exported here; import jobs are ``imports.jobs``.

Every service is keyword-only, takes the actor, validates before saving,
keeps the actor inside their scope, and records an audit event (and, for an
entity, a field-level change row) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    ChangeKind,
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
    Entity,
    EntityChange,
    ExternalAgency,
    RegistryRule,
    RegulatoryCategory,
    dedupe_key,
)
from fazhi.registry.officer_services import CERTIFICATE_FIELDS as CERTIFICATE_FIELDS
from fazhi.registry.officer_services import CONFLICT_FIELDS as CONFLICT_FIELDS
from fazhi.registry.officer_services import OFFICER_FIELDS as OFFICER_FIELDS
from fazhi.registry.officer_services import certificate_issue as certificate_issue
from fazhi.registry.officer_services import certificate_set_status as certificate_set_status
from fazhi.registry.officer_services import certificate_update as certificate_update
from fazhi.registry.officer_services import conflict_end as conflict_end
from fazhi.registry.officer_services import conflict_record as conflict_record
from fazhi.registry.officer_services import domains_value as domains_value
from fazhi.registry.officer_services import officer_create as officer_create
from fazhi.registry.officer_services import officer_update as officer_update
from fazhi.registry.officer_services import training_record as training_record
from fazhi.registry.selectors import entity_resolve as entity_resolve

ENTITY_FIELDS = list(Entity.DATA_FIELDS)
# What a unit learns of an entity or a person another unit registered: that
# it exists, nothing of its data (issue 13, side channels).
REGISTERED_ELSEWHERE = gettext_lazy(
    "Already registered by another unit; ask the city to transfer it."
)
AGENCY_FIELDS = ["name", "kind", "region_code", "uscc", "contact", "phone", "unit", "is_active"]
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
