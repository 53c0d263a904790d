"""Freeze a task's pools from the database into the draw's canonical texts.

A million entities are read with one SQL statement that writes each pool line
itself (docs/draw-algorithm.md §2.1), so Python only joins strings; the
exclusion codes are computed in the same statement from the inspection
history. The officers and barred pairs are small and read through the ORM.
"""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q

from fazhi.core.clocks import add_months
from fazhi.inspections import draw
from fazhi.inspections.choices import Exclusion, InspectionRuleCode, InspectionState
from fazhi.inspections.models import DrawSnapshot, Inspection, InspectionTask
from fazhi.inspections.rules import rule_value
from fazhi.registry.choices import EntityStatus, OfficerStatus
from fazhi.registry.models import ConflictOfInterest, EnforcementCertificate, Officer

OWN_GROUP = "own"

# Statuses in which an inspection counts as done (for the window and the cap).
_DONE = Q(ended_on__isnull=False) & ~Q(state=InspectionState.PLANNED)


@dataclass(frozen=True)
class Frozen:
    """The four texts of a commitment, parsed where the draw needs it."""

    pool: draw.Pool
    officers: draw.Officers
    pairs: draw.Pairs
    params: draw.DrawParams
    params_bytes: bytes

    @property
    def commitment(self) -> str:
        return draw.commitment_compute(
            pool=self.pool.data,
            officers=self.officers.data,
            pairs=self.pairs.data,
            params=self.params_bytes,
        )


def group_of_agency(agency_id: int) -> str:
    return f"ext-{agency_id}"


def _scope_sql(task: InspectionTask) -> tuple[str, list[Any]]:
    """The WHERE clause of the task's scope over ``registry_entity e``."""
    clauses = ["e.merged_into_id IS NULL", "u.path LIKE %s"]
    params: list[Any] = [task.unit.path + "%"]
    scope = task.scope or {}
    for field, column in (
        ("region_codes", "e.region_code"),
        ("industry_sections", "e.industry_section"),
        ("kinds", "e.kind"),
    ):
        values = [str(v) for v in scope.get(field, []) if v]
        if values:
            clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params += values
    bits = int(scope.get("category_bits", 0) or 0)
    if bits:
        clauses.append("(e.category_bits & %s) != 0")
        params.append(bits)
    return " AND ".join(clauses), params


def pool_text(task: InspectionTask) -> bytes:
    """Read the task's entity pool as canonical text (ascending id)."""
    on = task.reference_date
    window = rule_value(InspectionRuleCode.RECENT_WINDOW, unit=task.unit, on=on)
    cap = rule_value(InspectionRuleCode.YEARLY_CAP, unit=task.unit, on=on)
    since, _clamped = add_months(on, -window)
    year_start = datetime.date(on.year, 1, 1)
    where, params = _scope_sql(task)
    table = Inspection._meta.db_table
    sql = f"""
        SELECT e.id AS id, CAST(e.id AS TEXT) || %s || e.uscc || %s
            || CASE WHEN e.credit_class = '' THEN '-' ELSE e.credit_class END || %s
            || CASE WHEN e.risk_level = '' THEN '-' ELSE e.risk_level END || %s
            || CASE
                WHEN e.status != %s THEN %s
                WHEN e.key_supervision THEN %s
                WHEN COALESCE(h.in_year, 0) >= %s THEN %s
                WHEN h.last_ended IS NOT NULL AND h.last_ended >= %s THEN %s
                ELSE '-' END || %s AS line
        FROM registry_entity e
        JOIN core_orgunit u ON u.id = e.supervising_agency_id
        LEFT JOIN (
            SELECT entity_id, MAX(ended_on) AS last_ended,
                   SUM(CASE WHEN ended_on >= %s THEN 1 ELSE 0 END) AS in_year
            FROM {table}
            WHERE ended_on IS NOT NULL AND state != %s
            GROUP BY entity_id
        ) h ON h.entity_id = e.id
        WHERE {where}
        ORDER BY e.id
    """
    args: list[Any] = ["\t", "\t", "\t", "\t"]
    args += [EntityStatus.ACTIVE, Exclusion.STATUS, Exclusion.KEY_PLAN, cap, Exclusion.CAP]
    args += [since, Exclusion.RECENT, "\n", year_start, InspectionState.PLANNED, *params]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT string_agg(line, '' ORDER BY id) FROM ({sql}) p", args)
        else:
            # SQLite keeps the subquery's order in group_concat (one string,
            # no million Python tuples); pool_parse checks the ids ascend, so
            # a different order would be refused, never silently committed.
            cursor.execute(f"SELECT group_concat(line, '') FROM ({sql}) p", args)
        row = cursor.fetchone()
    return (row[0] or "").encode("utf-8") if row else b""


def officers_rows(task: InspectionTask) -> list[tuple[int, str, str]]:
    """Officers who may be drawn: in service, certified on the day, in scope."""
    on = task.reference_date
    valid = EnforcementCertificate.objects.filter(
        officer=OuterRef("pk"),
        status="valid",
        valid_from__lte=on,
        valid_to__gte=on,
    )
    agencies = list(task.joint_agencies.values_list("pk", flat=True))
    officers = (
        Officer.objects.filter(status=OfficerStatus.ACTIVE)
        .filter(Q(unit__path__startswith=task.unit.path) | Q(external_agency_id__in=agencies))
        .filter(Exists(valid))
        .order_by("pk")
    )
    rows = []
    for officer in officers.annotate(cert=Max("certificates__number", filter=_cert_q(on))):
        group = (
            group_of_agency(officer.external_agency_id)
            if officer.external_agency_id
            else OWN_GROUP
        )
        rows.append((officer.pk, officer.cert, group))
    return rows


def _cert_q(on: datetime.date) -> Q:
    return Q(
        certificates__status="valid",
        certificates__valid_from__lte=on,
        certificates__valid_to__gte=on,
    )


def pair_rows(task: InspectionTask, officer_ids: list[int]) -> list[tuple[str, int, int]]:
    """Conflicts active on the day, and each entity's last team (no one twice running)."""
    on = task.reference_date
    rows: list[tuple[str, int, int]] = []
    conflicts = ConflictOfInterest.objects.filter(
        officer_id__in=officer_ids, valid_from__lte=on
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    for officer_id, entity_id, merged in conflicts.values_list(
        "officer_id", "entity_id", "entity__merged_into_id"
    ):
        rows.append(("conflict", officer_id, merged or entity_id))
    latest = (
        Inspection.objects.filter(_DONE).values("entity").annotate(last=Max("pk")).values("last")
    )
    through = Inspection.officers.through
    for officer_id, entity_id in through.objects.filter(
        inspection_id__in=latest, officer_id__in=officer_ids
    ).values_list("officer_id", "inspection__entity_id"):
        rows.append(("previous", officer_id, entity_id))
    return rows


def freeze(task: InspectionTask, params: draw.DrawParams) -> Frozen:
    """Read everything the draw depends on, as of now, into canonical texts."""
    pool = draw.pool_parse(pool_text(task))
    staff = officers_rows(task)
    officers = draw.officers_from_rows(staff)
    pairs = draw.pairs_from_rows(pair_rows(task, [row[0] for row in staff]))
    return Frozen(pool, officers, pairs, params, params.to_bytes())


def snapshot_save(task: InspectionTask, frozen: Frozen) -> DrawSnapshot:
    def pack(data: bytes) -> bytes:
        return zlib.compress(data, 1)

    return DrawSnapshot.objects.create(
        task=task,
        pool=pack(frozen.pool.data),
        officers=pack(frozen.officers.data),
        pairs=pack(frozen.pairs.data),
        params=pack(frozen.params_bytes),
        compressed=True,
    )


def snapshot_load(task: InspectionTask) -> Frozen:
    """Read the frozen texts back (exactly the committed bytes)."""
    snap = DrawSnapshot.objects.get(task=task)

    def unpack(data: bytes | memoryview) -> bytes:
        raw = bytes(data)
        return zlib.decompress(raw) if snap.compressed else raw

    params_bytes = unpack(snap.params)
    return Frozen(
        pool=draw.pool_parse(unpack(snap.pool)),
        officers=draw.officers_parse(unpack(snap.officers)),
        pairs=draw.pairs_parse(unpack(snap.pairs)),
        params=draw.params_parse(params_bytes),
        params_bytes=params_bytes,
    )
