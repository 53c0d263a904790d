"""Reads for the registry, scoped once here to what the actor may see.

Entities are scoped by their supervising agency, officers by their unit (or
by the unit that keeps their external agency), import jobs by their unit.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.utils import timezone

from fazhi.core.collation import by_pinyin
from fazhi.core.models import OrgUnit
from fazhi.core.selectors import scope_paths, scope_q
from fazhi.registry import industries
from fazhi.registry.choices import CertificateStatus, OfficerStatus, RuleCode
from fazhi.registry.filter_index import Unindexed
from fazhi.registry.models import (
    ConflictOfInterest,
    DuplicateKey,
    EnforcementCertificate,
    Entity,
    EntityChange,
    ExternalAgency,
    ImportJob,
    Officer,
    RegistryRule,
    RegulatoryCategory,
)
from fazhi.registry.name_index import name_contains

_CODE_LIKE = re.compile(r"^[0-9A-Z]{6,18}$")


def units_in_scope(actor: Any) -> list[int] | None:
    """Return the ids of the org units the actor sees (None: all of them)."""
    paths = scope_paths(actor)
    if paths is None:
        return None
    if not paths:
        return []
    return list(OrgUnit.objects.filter(scope_q(actor, "path")).values_list("id", flat=True))


def _unit_filter(actor: Any, field: str) -> Q:
    ids = units_in_scope(actor)
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids})


def _subtree_ids(unit_id: int) -> list[int]:
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        return []
    return list(unit.subtree().values_list("id", flat=True))


# --- categories and rules -------------------------------------------------


def category_list(*, active_only: bool = False) -> list[RegulatoryCategory]:
    categories = RegulatoryCategory.objects.all()
    if active_only:
        categories = categories.filter(is_active=True)
    return list(categories)


def category_names(bits: int, categories: list[RegulatoryCategory] | None = None) -> list[str]:
    """Decode ``Entity.category_bits`` into category names."""
    table = categories if categories is not None else category_list()
    return [c.name for c in table if bits & c.mask]


def rule_in_force(code: str, on: datetime.date) -> RegistryRule | None:
    """Return the version of a registry rule in force on ``on``."""
    rule = (
        RegistryRule.objects.filter(code=code, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )
    return rule


def rule_list(*, code: str = "") -> QuerySet[RegistryRule]:
    rules = RegistryRule.objects.all()
    if code:
        rules = rules.filter(code=code)
    return rules


# --- entities -------------------------------------------------------------


@dataclass
class EntityFilters:
    q: str = ""
    kind: str = ""
    status: str = ""
    risk_level: str = ""
    credit_class: str = ""
    key_supervision: bool | None = None
    category: str = ""
    industry_section: str = ""
    industry_division: str = ""
    standardization_level: str = ""
    scale: str = ""
    region: str = ""
    agency: int | None = None
    include_merged: bool = False
    # A value no entity has (an unknown code, a malformed region): the list
    # is empty, as the API's is for the same value.
    nothing: bool = False


def entity_scope(actor: Any) -> QuerySet[Entity]:
    """Every entity (live or merged) the actor may see."""
    return Entity.objects.filter(_unit_filter(actor, "supervising_agency"))


def entity_list(*, actor: Any, filters: EntityFilters | None = None) -> QuerySet[Entity]:
    """Live entities in the actor's scope matching ``filters``.

    On SQLite the scope is checked inside the filter indexes
    (``filter_index``), not through the agency index.
    """
    f = filters or EntityFilters()
    entities: QuerySet[Entity]
    if connections[Entity.objects.db].vendor == "sqlite":
        entities = Entity.objects.alias(
            _agency=Unindexed("supervising_agency_id", output_field=IntegerField())
        ).select_related("supervising_agency")
        ids = units_in_scope(actor)
        if ids is not None:
            entities = entities.filter(_agency__in=ids)
    else:
        # The agency filter narrows the scope to one list of agencies: the
        # planner then sees a county's page as one agency (``= 2``), which
        # its covering index walks, not two lists to intersect.
        ids = units_in_scope(actor)
        if f.agency:
            subtree = _subtree_ids(f.agency)
            ids = subtree if ids is None else sorted(set(subtree) & set(ids))
        entities = Entity.objects.select_related("supervising_agency")
        if ids is not None:
            entities = entities.filter(supervising_agency_id__in=ids)
    if not f.include_merged:
        entities = entities.filter(merged_into__isnull=True)
    if f.nothing:
        return entities.none()
    q = f.q.strip()
    if q:
        upper = q.upper()
        if _CODE_LIKE.match(upper):
            entities = (
                entities.filter(uscc=upper)
                if len(upper) == 18
                else entities.filter(uscc__startswith=upper)
            )
        else:
            entities = entities.filter(name_contains(q, connections[entities.db].vendor))
    if _industries_disagree(f.industry_section, f.industry_division):
        return entities.none()
    for name in (
        "kind",
        "status",
        "risk_level",
        "credit_class",
        "industry_section",
        "industry_division",
        "standardization_level",
        "scale",
    ):
        value = getattr(f, name)
        if value:
            entities = entities.filter(**{name: value})
    if f.key_supervision is not None:
        entities = entities.filter(key_supervision=f.key_supervision)
    if f.category:
        category = RegulatoryCategory.objects.filter(code=f.category).first()
        if category is None:
            return entities.none()
        entities = _with_category(entities, category.mask)
    if f.region:
        # A county code matches exactly (indexed); a province or city code
        # ("37", "3708" or "370800") matches the counties under it.
        region = f.region.strip()
        if len(region) == 6 and region.endswith("0000"):
            region = region[:2]
        elif len(region) == 6 and region.endswith("00"):
            region = region[:4]
        if len(region) == 6:
            entities = entities.filter(region_code=region)
        else:
            entities = entities.filter(region_code__startswith=region)
    if f.agency and connections[entities.db].vendor == "sqlite":
        entities = entities.filter(supervising_agency_id__in=_subtree_ids(f.agency))
    return entities


def _industries_disagree(section: str, division: str) -> bool:
    """A section and a division of another section: no entity has both.

    Every write (the entity form, both imports) stores a known division with
    its own section, so the pair matches nothing; without this the database
    would look for it (a walk of the whole table on PostgreSQL).
    """
    known = industries.divisions().get(division) if section and division else None
    return known is not None and known.section != section


def _with_category(entities: QuerySet[Entity], mask: int) -> QuerySet[Entity]:
    """Entities with a category's bit set.

    On SQLite as the few ``category_bits`` values stored with that bit
    (``SELECT DISTINCT``, read by skipping through the categories index of
    migration 0017 in well under a millisecond), so the index can seek to
    them; a bit test reads every entry. Elsewhere as the bit test.
    """
    if connections[entities.db].vendor != "sqlite":
        return entities.alias(_cat=F("category_bits").bitand(mask)).filter(_cat__gt=0)
    stored = Entity.objects.using(entities.db).order_by().values_list("category_bits", flat=True)
    values = [bits for bits in stored.distinct() if bits & mask]
    return entities.filter(category_bits__in=values) if values else entities.none()


def entity_get(*, actor: Any, pk: int) -> Entity:
    """Return an entity in scope (merged ones too); raise Entity.DoesNotExist."""
    return entity_scope(actor).select_related("supervising_agency", "merged_into").get(pk=pk)


def entity_by_uscc(*, uscc: str) -> Entity | None:
    """Return the live entity with this code, whoever supervises it."""
    return Entity.objects.filter(uscc=uscc.strip().upper(), merged_into__isnull=True).first()


def entity_changes(*, entity: Entity) -> QuerySet[EntityChange]:
    return EntityChange.objects.filter(entity=entity).select_related("actor", "job", "other")


def entity_duplicate_groups(*, actor: Any, limit: int = 200) -> list[list[Entity]]:
    """Groups of live entities in scope that share name and address.

    Only the keys two live entities share (``DuplicateKey``, a few rows) are
    looked up, through the partial index on ``dedupe_key``.
    """
    rows = (
        entity_scope(actor)
        .filter(merged_into__isnull=True, dedupe_key__in=DuplicateKey.objects.values("dedupe_key"))
        .select_related("supervising_agency")
        .order_by("dedupe_key", "id")
    )
    groups: list[list[Entity]] = []
    current: list[Entity] = []
    for entity in rows.iterator(chunk_size=500):
        if current and current[0].dedupe_key != entity.dedupe_key:
            if len(current) > 1:
                groups.append(current)
                if len(groups) >= limit:
                    return groups
            current = []
        current.append(entity)
    if len(current) > 1 and len(groups) < limit:
        groups.append(current)
    return groups


def entity_duplicates_of(*, actor: Any, entity: Entity) -> QuerySet[Entity]:
    """Other live entities in scope with the same name and address."""
    return (
        entity_scope(actor)
        .filter(merged_into__isnull=True, dedupe_key=entity.dedupe_key)
        .exclude(pk=entity.pk)
        .select_related("supervising_agency")
    )


# --- import jobs ----------------------------------------------------------


def import_job_list(*, actor: Any, kind: str = "") -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.filter(_unit_filter(actor, "unit")).select_related(
        "unit", "created_by"
    )
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs


def import_job_get(*, actor: Any, pk: int) -> ImportJob:
    return import_job_list(actor=actor).get(pk=pk)


# --- officers -------------------------------------------------------------


def _officer_scope(actor: Any) -> Q:
    ids = units_in_scope(actor)
    if ids is None:
        return Q()
    return Q(unit_id__in=ids) | Q(external_agency__unit_id__in=ids)


@dataclass
class OfficerFilters:
    q: str = ""
    unit: int | None = None
    external_agency: int | None = None
    external: bool | None = None
    status: str = ""
    domain: str = ""
    certificate: str = ""  # "valid", "expiring", "expired", "none"
    legal_qualification: bool | None = None


def officer_list(
    *, actor: Any, filters: OfficerFilters | None = None, on: datetime.date | None = None
) -> QuerySet[Officer]:
    f = filters or OfficerFilters()
    day = on or timezone.localdate()
    officers = Officer.objects.filter(_officer_scope(actor)).select_related(
        "unit", "external_agency"
    )
    q = f.q.strip()
    if q:
        officers = officers.filter(
            Q(full_name__contains=q)
            | Q(certificates__number=q.upper())
            | Q(certificates__number=q)
        ).distinct()
    if f.unit:
        officers = officers.filter(unit_id__in=_subtree_ids(f.unit))
    if f.external_agency:
        officers = officers.filter(external_agency_id=f.external_agency)
    if f.external is not None:
        officers = officers.filter(external_agency__isnull=not f.external)
    if f.status:
        officers = officers.filter(status=f.status)
    if f.domain:
        officers = officers.filter(domains__contains="," + f.domain + ",")
    if f.legal_qualification is not None:
        officers = officers.filter(legal_qualification=f.legal_qualification)
    if f.certificate:
        valid = EnforcementCertificate.objects.filter(
            status=CertificateStatus.VALID, valid_from__lte=day, valid_to__gte=day
        )
        if f.certificate == "valid":
            officers = officers.filter(pk__in=valid.values("officer_id"))
        elif f.certificate == "none":
            officers = officers.exclude(pk__in=valid.values("officer_id"))
        elif f.certificate == "expiring":
            rule = rule_in_force(RuleCode.CERT_EXPIRY_WARNING_DAYS, day)
            expiring = _expiring(day, rule.value if rule else 0)
            officers = officers.filter(pk__in=expiring.values("officer_id"))
        elif f.certificate == "expired":
            lapsed = EnforcementCertificate.objects.filter(valid_to__lt=day)
            officers = officers.exclude(pk__in=valid.values("officer_id")).filter(
                pk__in=lapsed.values("officer_id")
            )
    # Unit order, as a bureau's rosters are kept: a unit's people together,
    # units in the order of the org tree; external agencies after them.
    return officers.order_by(
        F("unit__path").asc(nulls_last=True),
        by_pinyin("external_agency__name").asc(nulls_last=True),
        by_pinyin("full_name"),
        "id",
    )


def officers_prime(officers: list[Officer]) -> list[Officer]:
    """Load the agencies above the officers' units in one query, not one per row.

    ``Officer.home_label`` walks ``unit.parent`` up to the agency; with the
    parents cached here a page of 150 officers costs no extra query.
    """
    units = [o.unit for o in officers if o.unit is not None]
    prefixes = {path[:end] for path in {u.path for u in units} for end in _path_ends(path)}
    known = {u.path: u for u in OrgUnit.objects.filter(path__in=prefixes)}
    for unit in [*units, *known.values()]:
        ends = _path_ends(unit.path)
        parent = known.get(unit.path[: ends[-2]]) if len(ends) > 1 else None
        if parent is not None and parent.pk == unit.parent_id:
            unit.parent = parent
    return officers


def _path_ends(path: str) -> list[int]:
    """End offsets of a materialized path's prefixes ("000001.000004." → [7, 14])."""
    return [i + 1 for i, char in enumerate(path) if char == "."]


def officer_get(*, actor: Any, pk: int) -> Officer:
    return officer_list(actor=actor).get(pk=pk)


def officer_in_scope(actor: Any, officer: Officer) -> bool:
    return Officer.objects.filter(_officer_scope(actor), pk=officer.pk).exists()


def officer_by_user(*, user: Any) -> Officer | None:
    if not getattr(user, "pk", None):
        return None
    return Officer.objects.filter(user_id=user.pk).first()


def certificate_current(
    *, officer: Officer, on: datetime.date | None = None
) -> EnforcementCertificate | None:
    """The certificate valid on ``on``, else the most recent one."""
    day = on or timezone.localdate()
    certificates = list(officer.certificates.all())
    valid = [c for c in certificates if c.valid_on(day)]
    if valid:
        return max(valid, key=lambda c: c.valid_to)
    return certificates[0] if certificates else None


def certificate_get(*, actor: Any, pk: int) -> EnforcementCertificate:
    return EnforcementCertificate.objects.select_related("officer").get(
        pk=pk, officer__in=Officer.objects.filter(_officer_scope(actor))
    )


def _expiring(on: datetime.date, days: int) -> QuerySet[EnforcementCertificate]:
    horizon = on + datetime.timedelta(days=days)
    renewed = EnforcementCertificate.objects.filter(
        status=CertificateStatus.VALID, valid_from__lte=horizon, valid_to__gt=horizon
    ).values("officer_id")
    return EnforcementCertificate.objects.filter(
        status=CertificateStatus.VALID,
        valid_to__gte=on,
        valid_to__lte=horizon,
        officer__status=OfficerStatus.ACTIVE,
    ).exclude(officer_id__in=renewed)


def certificates_expiring(
    *, actor: Any, on: datetime.date, days: int
) -> QuerySet[EnforcementCertificate]:
    """Valid certificates of active officers in scope that end within ``days``.

    An officer who already holds a newer certificate running past the window
    is left out: nothing needs doing for them.
    """
    return (
        _expiring(on, days)
        .filter(officer__in=Officer.objects.filter(_officer_scope(actor)))
        .select_related("officer", "officer__unit", "officer__external_agency")
        .order_by("valid_to", "id")
    )


def external_agency_list(*, actor: Any, q: str = "", kind: str = "") -> QuerySet[ExternalAgency]:
    agencies = ExternalAgency.objects.filter(_unit_filter(actor, "unit")).select_related("unit")
    if q:
        agencies = agencies.filter(name__contains=q)
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies.annotate(officer_count=Count("officers")).order_by(by_pinyin("name"), "id")


def external_agency_get(*, actor: Any, pk: int) -> ExternalAgency:
    return ExternalAgency.objects.filter(_unit_filter(actor, "unit")).get(pk=pk)


def conflict_list(
    *, actor: Any, officer: Officer | None = None, entity: Entity | None = None
) -> QuerySet[ConflictOfInterest]:
    conflicts = ConflictOfInterest.objects.filter(
        officer__in=Officer.objects.filter(_officer_scope(actor))
    ).select_related("officer", "entity", "recorded_by")
    if officer is not None:
        conflicts = conflicts.filter(officer=officer)
    if entity is not None:
        conflicts = conflicts.filter(entity=entity)
    return conflicts


def conflict_get(*, actor: Any, pk: int) -> ConflictOfInterest:
    return conflict_list(actor=actor).get(pk=pk)


def entity_resolve(entity: Entity) -> Entity:
    """Follow ``merged_into`` (as stored now) to the live entity a record stands for."""
    current = Entity.objects.get(pk=entity.pk)
    seen = {current.pk}
    while current.merged_into_id is not None and current.merged_into_id not in seen:
        current = Entity.objects.get(pk=current.merged_into_id)
        seen.add(current.pk)
    return current
