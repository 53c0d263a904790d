"""Freezing a task's pools from the database (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection

from fazhi.core.tests.factories import SYSTEM
from fazhi.inspections import draw, pool, pool_pg
from fazhi.inspections.choices import InspectionState
from fazhi.inspections.drawing import task_freeze, task_params
from fazhi.inspections.models import Inspection, InspectionTask
from fazhi.inspections.rules import ratio_matrix, rule_value
from fazhi.registry import services as registry
from fazhi.registry.tests import factories as rf

DAY = datetime.date(2026, 12, 8)


def make_task(unit: Any, **fields: Any) -> InspectionTask:
    values: dict[str, Any] = {
        "unit": unit,
        "number": f"T{InspectionTask.objects.count() + 1}",
        "title": "危化品经营单位抽查",
        "reference_date": DAY,
        "seed_rule": "福彩3D 2026-12-07 开奖号码",
    }
    values.update(fields)
    return InspectionTask.objects.create(**values)


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    a, b = personas.county_a, personas.county_b
    entities = {
        "plain": rf.entity(a, credit_class="A", risk_level="low"),
        "blank": rf.entity(a),
        "closed": rf.entity(a, status="cancelled", credit_class="B", risk_level="high"),
        "key": rf.entity(a, key_supervision=True, credit_class="C", risk_level="major"),
        "recent": rf.entity(a, credit_class="D", risk_level="moderate"),
        "old": rf.entity(a, credit_class="B", risk_level="low"),
        "other_county": rf.entity(b, credit_class="A", risk_level="low"),
    }
    staff = {
        "o1": rf.officer(personas.county_a_brigade),
        "o2": rf.officer(personas.county_a_brigade),
        "uncertified": rf.officer(personas.county_a_brigade, certified=False),
        "expired": rf.officer(
            personas.county_a_brigade,
            valid_from=datetime.date(2020, 1, 1),
            valid_to=datetime.date(2025, 12, 31),
        ),
        "b": rf.officer(personas.county_b_brigade),
    }
    recent = Inspection.objects.create(
        unit=a,
        entity=entities["recent"],
        source="complaint",
        planned_on=DAY - datetime.timedelta(days=40),
        ended_on=DAY - datetime.timedelta(days=40),
        state=InspectionState.CLOSED,
    )
    recent.officers.add(staff["o1"])
    Inspection.objects.create(
        unit=a,
        entity=entities["old"],
        source="complaint",
        planned_on=datetime.date(2025, 3, 1),
        ended_on=datetime.date(2025, 3, 1),
        state=InspectionState.CLOSED,
    )
    registry.conflict_record(
        actor=SYSTEM,
        officer=staff["o2"],
        entity=entities["plain"],
        kind="relative",
        source="declared",
        valid_from=datetime.date(2025, 1, 1),
    )
    return {"unit": a, **entities, **staff}


def test_rules_seeded_by_the_migration_give_a_full_matrix(personas: Any) -> None:
    matrix = ratio_matrix(unit=personas.county_a, on=DAY)
    assert set(matrix) == set(draw.STRATA)
    assert matrix["B/major"] == 300_000
    assert matrix["B/low"] == 10_000
    assert ratio_matrix(unit=personas.county_a, on=DAY, scale_pct=200)["B/major"] == 600_000
    assert rule_value("yearly_cap", unit=personas.county_a, on=DAY) == 2


def test_pool_text_lists_the_scope_with_exclusion_codes(world: dict[str, Any]) -> None:
    task = make_task(world["unit"])
    text = pool.pool_freeze(task).data.decode()
    lines = {int(line.split("\t")[0]): line for line in text.splitlines()}
    assert set(lines) == {
        world[k].pk for k in ("plain", "blank", "closed", "key", "recent", "old")
    }
    assert lines[world["plain"].pk] == f"{world['plain'].pk}\t{world['plain'].uscc}\tA\tlow\t-"
    assert lines[world["blank"].pk].endswith("\t-\t-\t-")
    assert lines[world["closed"].pk].endswith("\tstatus")
    assert lines[world["key"].pk].endswith("\tkey_plan")
    assert lines[world["recent"].pk].endswith("\trecent")
    assert lines[world["old"].pk].endswith("\t-")  # 21 months ago: outside the window
    assert sorted(lines) == list(lines)  # ascending ids


def test_pool_text_equals_the_canonical_text_built_from_the_rows(world: dict[str, Any]) -> None:
    """Whatever the database, the SQL writes the lines the specification defines."""
    task = make_task(world["unit"], scope={"region_codes": [world["unit"].region_code]})
    rows = []
    for key in ("plain", "blank", "closed", "key", "recent", "old"):
        e = world[key]
        exclusion = {"closed": "status", "key": "key_plan", "recent": "recent"}.get(key, "")
        rows.append((e.pk, e.uscc, e.credit_class, e.risk_level, exclusion))
    assert pool.pool_freeze(task).data == draw.pool_from_rows(sorted(rows)).data
    # The rows keep their lines without the history's exclusions.
    kept = [(*row[:4], "" if row[4] == "recent" else row[4]) for row in rows]
    assert sorted(pool.pool_text(task).splitlines()) == sorted(
        draw.pool_from_rows(kept).data.splitlines()
    )


def test_lines_read_in_scan_order_are_put_in_ascending_id(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL returns the lines in the table's physical order, not by id."""
    task = make_task(world["unit"])
    canonical = pool.pool_freeze(task)
    shuffled = b"".join(reversed(canonical.data.splitlines(keepends=True)))
    monkeypatch.setattr(pool, "pool_text", lambda task: shuffled)
    again = pool.pool_freeze(task)
    assert again.data == canonical.data
    assert again.ids.tolist() == sorted(again.ids.tolist())
    twice = shuffled + shuffled[: shuffled.index(b"\n") + 1]  # one id twice
    monkeypatch.setattr(pool, "pool_text", lambda task: twice)
    with pytest.raises(draw.DrawInputError):
        pool.pool_freeze(task)


def test_officer_pool_holds_only_certified_officers_in_scope(world: dict[str, Any]) -> None:
    task = make_task(world["unit"])
    rows = pool.officers_rows(task)
    assert [r[0] for r in rows] == sorted([world["o1"].pk, world["o2"].pk])
    assert {r[2] for r in rows} == {"own"}
    pairs = pool.pair_rows(task, [r[0] for r in rows])
    assert ("conflict", world["o2"].pk, world["plain"].pk) in pairs
    assert ("previous", world["o1"].pk, world["recent"].pk) in pairs


def test_joint_agency_officers_form_their_own_group(world: dict[str, Any], personas: Any) -> None:
    agency = rf.external_agency(personas.city)
    guest = rf.officer(external_agency=agency)
    task = make_task(world["unit"])
    task.joint_agencies.add(agency)
    rows = pool.officers_rows(task)
    assert (guest.pk, guest.certificates.get().number, f"ext-{agency.pk}") in rows
    assert task_params(task).team == ((f"ext-{agency.pk}", 1), ("own", 2))


def test_frozen_snapshot_reads_back_the_same_bytes(world: dict[str, Any]) -> None:
    task = make_task(world["unit"])
    frozen = task_freeze(task)
    task.save()
    pool.snapshot_save(task, frozen)
    again = pool.snapshot_load(task)
    assert again.commitment == frozen.commitment == task.commitment
    assert again.pool.data == frozen.pool.data
    assert task.pool_size == 6
    assert task.eligible_size == 3
    # A later change to the registry does not touch the frozen pool.
    registry.entity_update(actor=SYSTEM, entity=world["old"], risk_level="major")
    assert pool.snapshot_load(task).pool.data == frozen.pool.data
    assert task_freeze(task).commitment != frozen.commitment


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two connections sharing a snapshot: PostgreSQL"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_read_gives_the_text_of_one_statement(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Block ranges read by two connections give the lines of one statement."""
    a = personas.county_a
    for i in range(300):
        rf.entity(a, credit_class="ABCD"[i % 4], risk_level=("low", "high", "")[i % 3])
    task = make_task(a)
    whole = pool.pool_reading(task, blocks=0)()
    monkeypatch.setattr(pool_pg, "CHUNK_BLOCKS", 1)  # one range per block: many ranges
    blocks = pool_pg.table_blocks("registry_entity")
    assert blocks > 2
    assert len(pool_pg.block_ranges(blocks)) == blocks
    parallel = pool.pool_reading(task, blocks=blocks)()
    # The same lines (the statement's own order depends on its plan), none twice.
    assert sorted(parallel.splitlines()) == sorted(whole.splitlines())
    assert (
        draw.pool_sort(parallel).data == draw.pool_sort(whole).data == pool.pool_freeze(task).data
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_read_sees_one_snapshot(personas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entity committed after the first connection exported its snapshot is not read."""
    a = personas.county_a
    before = [rf.entity(a).pk for _ in range(5)]
    task = make_task(a)
    connect = pool_pg._connect
    opened: list[int] = []

    def connect_then_write() -> Any:
        if opened:  # the snapshot is exported: a write commits before the import
            opened.append(rf.entity(a).pk)
        else:
            opened.append(0)
        return connect()

    monkeypatch.setattr(pool_pg, "_connect", connect_then_write)
    text = pool.pool_reading(task, blocks=pool_pg.table_blocks("registry_entity"))()
    ids = draw.pool_sort(text).ids.tolist()
    assert len(opened) == 2
    assert opened[1] not in ids
    assert ids == sorted(before)
    monkeypatch.setattr(pool_pg, "_connect", connect)
    again = draw.pool_sort(
        pool.pool_reading(task, blocks=pool_pg.table_blocks("registry_entity"))()
    ).ids.tolist()
    assert again == sorted([*before, opened[1]])


def test_history_caps_before_recent_and_never_overrides_the_rows_own_code(
    world: dict[str, Any],
) -> None:
    """The yearly cap wins over a recent inspection; a closed or key unit keeps its code."""
    a = world["unit"]
    for key, days in (("plain", 10), ("plain", 200), ("closed", 5), ("key", 5)):
        Inspection.objects.create(
            unit=a,
            entity=world[key],
            source="complaint",
            planned_on=DAY - datetime.timedelta(days=days),
            ended_on=DAY - datetime.timedelta(days=days),
            state=InspectionState.CLOSED,
        )
    Inspection.objects.create(  # planned only: not a done inspection
        unit=a, entity=world["blank"], source="complaint", planned_on=DAY
    )
    task = make_task(a)
    codes = {
        int(line.split("\t")[0]): line.rsplit("\t", 1)[1]
        for line in pool.pool_freeze(task).data.decode().splitlines()
    }
    assert codes[world["plain"].pk] == "cap"  # two this year (the cap is 2), one recent
    assert codes[world["closed"].pk] == "status"
    assert codes[world["key"].pk] == "key_plan"
    assert codes[world["recent"].pk] == "recent"
    assert codes[world["blank"].pk] == codes[world["old"].pk] == "-"
    frozen = pool.pool_freeze(task)
    assert frozen.eligible.tolist() == [c == "-" for _pk, c in sorted(codes.items())]
    assert draw.pool_parse(frozen.data).eligible.tolist() == frozen.eligible.tolist()


def test_every_write_keeps_the_rows_pool_line(world: dict[str, Any]) -> None:
    """The database writes the line on any write path, as the specification defines it."""
    from fazhi.registry.models import Entity

    def line(pk: int) -> str:
        return str(Entity.objects.values_list("pool_line", flat=True).get(pk=pk))

    def spec(pk: int, exclusion: str = "") -> str:
        e = Entity.objects.get(pk=pk)
        return draw.pool_line(e.pk, e.uscc, e.credit_class, e.risk_level, exclusion)

    plain, blank = world["plain"].pk, world["blank"].pk
    assert line(plain) == spec(plain)
    assert line(blank) == spec(blank)
    assert line(world["closed"].pk) == spec(world["closed"].pk, "status")
    assert line(world["key"].pk) == spec(world["key"].pk, "key_plan")
    registry.entity_update(actor=SYSTEM, entity=world["plain"], risk_level="major")
    assert line(plain).split("\t")[3] == "major"
    with connection.cursor() as cursor:  # SQL, as the imports write
        cursor.execute("UPDATE registry_entity SET status = 'revoked' WHERE id = %s", [blank])
    assert line(blank) == spec(blank, "status")
    created = Entity.objects.get(pk=rf.entity(world["unit"], credit_class="C").pk)
    assert created.pool_line == spec(created.pk)


def test_audit_snapshots_leave_out_the_line_the_database_derives(world: dict[str, Any]) -> None:
    from fazhi.core.audit import snapshot

    data = snapshot(world["plain"])
    assert "pool_line" not in data
    assert data["risk_level"] == "low"


def test_a_yearly_cap_of_none_excludes_every_eligible_line(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the former one statement did: ``inspections this year >= 0`` holds for all."""
    real = pool.rule_value
    monkeypatch.setattr(
        pool, "rule_value", lambda code, **kw: 0 if code == "yearly_cap" else real(code, **kw)
    )
    lines = pool.pool_freeze(make_task(world["unit"])).data.decode().splitlines()
    codes = {int(line.split("\t")[0]): line.rsplit("\t", 1)[1] for line in lines}
    assert codes[world["closed"].pk] == "status"
    assert codes[world["key"].pk] == "key_plan"
    assert {codes[world[k].pk] for k in ("plain", "blank", "recent", "old")} == {"cap"}
