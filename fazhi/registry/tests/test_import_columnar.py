"""The columnar check of big plain CSV files gives the row check's result.

Every row of a generated file full of awkward cells (spaces, full-width
forms, tabs, separators, exotic characters, blank lines, duplicates within
and across blocks, unknown codes …) is checked both ways; the staged rows
and the errors must be identical.
"""

from __future__ import annotations

import random
import threading
import unicodedata
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core.models import AuditEvent
from fazhi.registry.choices import ImportStatus
from fazhi.registry.imports import columnar, entities, jobs, pgbulk, readers, runner, streams
from fazhi.registry.imports.entities import STAGING_FIELDS, EntitySpec
from fazhi.registry.models import Entity, EntityStaging, ImportJob, normalize_text
from fazhi.registry.tests import factories as f
from fazhi.registry.tests.test_import_entities import _table_structure, postgres_only, run

pytestmark = pytest.mark.django_db

HEADERS = f.ENTITY_HEADERS


def awkward_rows(count: int, seed: int, agencies: list[str]) -> list[list[str]]:
    """Rows in the template's column order, most good, many odd."""
    rng = random.Random(seed)
    rows: list[list[str]] = []

    def pick(*choices: Any) -> Any:
        """Mostly the first choice (a good value), else any."""
        return choices[0] if rng.random() < 0.85 else choices[rng.randrange(len(choices))]

    for n in range(count):
        region = ("370811", "370811", "370811", "370826")[n % 4]  # one in 4 another county's
        uscc = f.make_uscc(region, body=f"MA{n:07d}")
        name = f"济宁{pick('宏达', '鲁源', 'ABC', 'abc')}化工有限公司{n}"
        address = f"任城区{pick('导入', '运河')}路{n}号"
        if rng.random() < 0.3:
            uscc = pick(
                uscc.lower(),
                f" {uscc} ",
                uscc[:-1] + ("0" if uscc[-1] != "0" else "1"),
                "",
                uscc[:17],
                "９" + uscc[1:],
                uscc + "\u3000",
            )
        if rng.random() < 0.3:
            name = pick(
                name.replace("有限", "（有限）"),
                f"\u3000{name} ",
                name.replace("化工", "化\t工"),
                name.replace("化工", "化|工"),
                name.replace("化工", "化｜工"),
                name + "①",
                name.replace("abc", "ａｂｃ"),
                name.replace("abc", "ＡＢＣ"),
                "ﬁ" + name,
                "e\u0301" + name,
                "\x1f" + name,
                "",
                "名" * 201,
            )
        if rng.random() < 0.15:
            address = pick(address.replace("路", " 路"), "", "地" * 256, address + "\u2003")
        row = [
            uscc,
            name,
            pick("", "企业", "个体工商户", " 企业 ", "合伙"),
            pick("张三", "", "李" * 61, "李\t四"),
            pick("", region, region, "379999", f" {region} ", "abc"),
            address,
            *pick(("C", "26"), ("", "26"), ("C", ""), ("B", "26"), ("Z", ""), ("", "")),
            pick("小型", "", "巨型", "微型"),
            pick("危险化学品经营、粉尘涉爆", "", "核电站", "粉尘涉爆；工贸其他 ", "粉尘涉爆"),
            pick("是", "否", "", "也许"),
            pick("三级", "", "五级"),
            pick("一般风险", "低风险", "", "很高"),
            pick("A", "B", "", "E"),
            pick("存续", "", "注销", "歇业"),
            pick("0537-1234567", "", "电话\t1", "1" * 31),
            pick(*agencies),
        ]
        roll = rng.random()
        if rows and roll < 0.08:  # the code of an earlier row
            row[0] = rows[rng.randrange(len(rows))][0] or row[0]
        elif rows and roll < 0.16:  # the name and address of an earlier row
            earlier = rows[rng.randrange(len(rows))]
            if len(earlier) == len(HEADERS):
                row[1], row[5] = earlier[1], earlier[5]
        elif roll < 0.19:
            row = pick([""] * len(HEADERS), [" "] * len(HEADERS), ["\u3000"] + [""] * 16)
        elif roll < 0.21:  # fewer cells than the header
            row = row[: rng.randrange(1, len(HEADERS))]
        elif roll < 0.22:  # more: its block takes the row check
            row = [*row, "多余"]
        rows.append(row)
    return rows


def write_plain(path: Path, rows: list[list[str]], *, newline: str = "\n") -> Path:
    lines = [",".join(HEADERS)] + [",".join(row) for row in rows]
    path.write_bytes((newline.join(lines) + newline).encode())
    return path


def new_spec(personas: Any, path: Path) -> tuple[EntitySpec, readers.Table]:
    job = jobs.import_job_create(
        actor=personas.county_a_officer,
        kind="entity",
        unit=personas.county_a,
        filename=path.name,
        path=str(path),
        run=False,
    )
    spec = EntitySpec(job, personas.county_a_officer)
    table = readers.open_table(path)
    assert not spec.bind(table.headers)
    spec.prepare()
    return spec, table


def row_check(personas: Any, path: Path) -> tuple[list[tuple[Any, ...]], list[Any], int]:
    spec, table = new_spec(personas, path)
    staged: list[tuple[Any, ...]] = []
    errors: list[Any] = []
    rows = 0
    for chunk in runner._chunks(table.rows, 7):
        staged += [row[1:] for row in spec.clean_chunk(chunk, errors)]
        rows += len(chunk)
    return staged, errors, rows


def columnar_check(
    personas: Any, path: Path, block_size: int
) -> tuple[list[tuple[Any, ...]], list[Any], int]:
    spec, table = new_spec(personas, path)
    table.rows.close()  # type: ignore[attr-defined]
    assert table.plain is not None
    assert spec.prescan(table.plain)
    staged: list[tuple[Any, ...]] = []
    errors: list[Any] = []
    rows = 0
    for row_no, block in readers.csv_blocks(table.plain, block_size):
        frame, tuples, count = spec.clean_block(table.plain, row_no, block, errors)
        if not frame.is_empty():
            staged += frame.select("row_no", *STAGING_FIELDS).iter_rows()
        staged += [row[1:] for row in tuples]
        rows += count
    return staged, errors, rows


def assert_both_ways_agree(personas: Any, path: Path, block_size: int) -> tuple[int, int]:
    """Check the file both ways; return the numbers of good rows and of errors."""
    expected = row_check(personas, path)
    staged, errors, rows = columnar_check(personas, path, block_size)
    assert sorted(staged) == sorted(expected[0])
    assert sorted(errors) == sorted(expected[1])
    assert rows == expected[2]
    return len(staged), len(errors)


@pytest.mark.parametrize(("seed", "block_size"), [(1, 1500), (2, 600), (3, 1 << 20)])
def test_the_columnar_check_gives_the_row_checks_result(personas, tmp_path, seed, block_size):
    agencies = ["", "", "任城区执法大队", "不存在的单位", str(personas.county_a_brigade.pk)]
    path = write_plain(tmp_path / "e.csv", awkward_rows(400, seed, agencies))
    good, errors = assert_both_ways_agree(personas, path, block_size)
    assert good > 100  # many rows of both kinds
    assert errors > 100


# Letters, spaces and forms from many blocks: what NFKC folds, what Python
# and the columnar reader call space, combining marks, compatibility forms.
ANY_SCRIPT = [
    chr(c)
    for c in (
        *range(0x20, 0x7F),
        *range(0xA0, 0x250),
        *range(0x2000, 0x2070),
        *range(0x3000, 0x3100),
        *range(0x4E00, 0x4E40),
        *range(0xF900, 0xF910),
        *range(0xFB00, 0xFB07),
        *range(0xFE30, 0xFE70),
        *range(0xFF00, 0xFFEF),
        0x1C,
        0x1F,
        0x85,
        0x0B,
        0x2028,
        0x180E,
        0x200B,
        0x0301,
    )
    if chr(c) not in ',"\r\n'
]


@pytest.mark.parametrize("seed", range(4))
def test_names_in_any_script_match_as_in_the_row_check(personas, tmp_path, seed):
    rng = random.Random(seed)

    def text() -> str:
        return "".join(rng.choice(ANY_SCRIPT) for _ in range(rng.randrange(8)))

    rows: list[list[str]] = []
    for n in range(200):
        row = [f.entity_row(n)[h] for h in HEADERS]
        if rng.random() < 0.5:
            row[1] = f"济宁{text()}{n % 50}"
        if rng.random() < 0.5:
            row[5] = f"{text()}路{n % 40}"
        if rows and rng.random() < 0.2:  # another row's name and address in another form
            other = rows[rng.randrange(len(rows))]
            row[1] = unicodedata.normalize(rng.choice(["NFKC", "NFKD", "NFC"]), other[1])
            row[5] = other[5].upper() if rng.random() < 0.5 else " " + other[5]
        rows.append(row)
    path = write_plain(tmp_path / "e.csv", rows)
    assert_both_ways_agree(personas, path, 500 + seed * 300)


def test_the_columnar_check_reads_crlf_files_and_a_last_line_without_a_break(personas, tmp_path):
    rows = awkward_rows(60, 4, [""])
    path = write_plain(tmp_path / "e.csv", rows, newline="\r\n")
    path.write_bytes(path.read_bytes().removesuffix(b"\r\n"))
    assert_both_ways_agree(personas, path, 700)


def test_a_short_first_row_does_not_set_the_width(personas, tmp_path):
    rows = awkward_rows(40, 6, [""])
    rows[0] = rows[0][:3]
    path = write_plain(tmp_path / "e.csv", rows)
    assert_both_ways_agree(personas, path, 900)  # asserts the prescan read it


def test_an_unreadable_block_takes_the_row_check(personas, tmp_path):
    rows = [f.entity_row(n) for n in range(1, 5)]
    path = write_plain(tmp_path / "e.csv", [[r[h] for h in HEADERS] for r in rows])
    spec, table = new_spec(personas, path)
    assert table.plain is not None
    assert spec.prescan(table.plain)
    errors: list[Any] = []
    good = ",".join(rows[0][h] for h in HEADERS)
    wide = ",".join(["x"] * (len(HEADERS) + 1))  # more cells than the header
    frame, tuples, count = spec.clean_block(table.plain, 2, f"{good}\n{wide}\n".encode(), errors)
    assert frame.is_empty()
    assert [t[1] for t in tuples] == [2]
    assert count == 2
    assert errors
    assert {e.row for e in errors} == {3}


def test_a_file_with_bad_utf8_is_checked_row_by_row(personas, tmp_path):
    # past the sample that decides the encoding
    rows = [[f.entity_row(n)[h] for h in HEADERS] for n in range(1, 500)]
    path = write_plain(tmp_path / "e.csv", rows)
    path.write_bytes(path.read_bytes() + b",".join([b"\xff"] * len(HEADERS)))
    spec, table = new_spec(personas, path)
    assert table.plain is not None
    assert not spec.prescan(table.plain)


def test_only_plain_utf8_csv_files_are_read_in_blocks(tmp_path):
    rows = [[f.entity_row(n)[h] for h in HEADERS] for n in range(1, 4)]
    plain = write_plain(tmp_path / "plain.csv", rows)
    table = readers.open_table(plain)
    assert table.plain is not None
    assert (table.plain.lines, table.total, table.plain.width) == (3, 3, len(HEADERS))
    quoted = f.write_csv(tmp_path / "q.csv", HEADERS, [{**f.entity_row(1), "地址": "a,b"}])
    assert readers.open_table(quoted).plain is None
    lone = tmp_path / "cr.csv"
    lone.write_bytes(plain.read_bytes().replace(b"\n", b"\r", 1))
    assert readers.open_table(lone).plain is None
    gbk = f.write_csv(tmp_path / "g.csv", HEADERS, [f.entity_row(1)], encoding="gbk")
    assert readers.open_table(gbk).plain is None


def test_blocks_end_at_line_breaks_and_carry_their_row_numbers(tmp_path):
    rows = [[f.entity_row(n)[h] for h in HEADERS] for n in range(1, 40)]
    table = readers.open_table(write_plain(tmp_path / "e.csv", rows))
    assert table.plain is not None
    blocks = list(readers.csv_blocks(table.plain, 500))
    assert len(blocks) > 3
    assert all(block.endswith(b"\n") for _row, block in blocks)
    numbers = [row for row, _block in blocks]
    counts = [block.count(b"\n") for _row, block in blocks]
    assert numbers == [2 + sum(counts[:i]) for i in range(len(blocks))]
    assert sum(counts) == 39


@given(st.text(alphabet=st.sampled_from(columnar.SAFE_CHARACTERS), max_size=30))
def test_safe_text_folds_as_normalize_text_does(text):
    assert columnar.normalized(pl.Series([text])).to_list() == [normalize_text(text)]
    assert pl.Series([text]).str.contains(columnar.SAFE_TEXT).to_list() == [True]


@given(st.text(min_size=1, max_size=12))
def test_text_with_any_other_character_is_not_safe(text):
    safe = set(columnar.SAFE_CHARACTERS)
    matched = pl.Series([text]).str.contains(columnar.SAFE_TEXT).item()
    assert matched == all(char in safe for char in text)


def test_blank_cells_are_what_str_strip_empties():
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert pl.Series(spaces).str.contains(columnar.blank_cell()).all()
    assert not pl.Series(["a", "\u200b", "x ", "\u180e"]).str.contains(columnar.blank_cell()).any()


# --- the whole pipeline on PostgreSQL --------------------------------------


def _big_file(monkeypatch: Any, personas: Any, tmp_path: Path) -> Path:
    monkeypatch.setattr(streams, "STREAM_ROWS", 1)
    monkeypatch.setattr(pgbulk, "BULK_ROWS", 1)
    agencies = ["", "任城区执法大队", "不存在的单位"]
    return write_plain(tmp_path / "big.csv", awkward_rows(300, 5, agencies))


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_first_load_goes_straight_into_the_empty_registry(personas, tmp_path, monkeypatch):
    before = _table_structure()
    path = _big_file(monkeypatch, personas, tmp_path)
    expected, errors, _rows = row_check(personas, path)
    loads: list[str] = []
    real_begin = entities.EntityLoad.begin

    def begin(self: entities.EntityLoad) -> bool:
        accepted = real_begin(self)
        loads.append(f"{threading.current_thread().name}:{accepted}")
        return accepted

    monkeypatch.setattr(entities.EntityLoad, "begin", begin)
    blocks: list[int] = []
    real_clean = EntitySpec.clean_block

    def clean_block(self: EntitySpec, *args: Any) -> Any:
        blocks.append(args[1])
        return real_clean(self, *args)

    monkeypatch.setattr(EntitySpec, "clean_block", clean_block)
    job = run(personas.county_a_officer, personas.county_a, path, valid_only=True)
    assert loads == ["import-staging:True"]
    assert blocks == [2]  # checked column-wise, in one block
    assert (job.status, job.created_count, job.new_rows) == (
        ImportStatus.DONE,
        len(expected),
        len(expected),
    )
    assert job.error_rows == len({e.row for e in errors})
    assert not EntityStaging.objects.exists()
    stored = {
        row[0]: row
        for row in Entity.objects.values_list(
            *STAGING_FIELDS[:-2], "supervising_agency_id", "dedupe_key"
        )
    }
    for row in expected:
        values = list(row[1:])
        if values[-2] is None:
            values[-2] = personas.county_a.pk
        assert stored[values[0]] == tuple(values)
    assert Entity.objects.filter(
        source_job_id=job.pk, created_by=personas.county_a_officer
    ).count() == len(expected)
    assert AuditEvent.objects.filter(verb="registry.entity.import", object_id=str(job.pk)).exists()
    assert _table_structure() == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_load_into_a_registry_with_entities_is_staged(personas, tmp_path, monkeypatch):
    f.entity(personas.county_a, uscc=f.make_uscc("370811", body="MB0000001"))
    path = _big_file(monkeypatch, personas, tmp_path)
    expected, _errors, _rows = row_check(personas, path)
    job = run(personas.county_a_officer, personas.county_a, path, valid_only=True)
    assert (job.status, job.created_count) == (ImportStatus.DONE, len(expected))
    assert Entity.objects.count() == len(expected) + 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_checked_big_file_waits_in_staging_for_the_users_choice(personas, tmp_path, monkeypatch):
    path = _big_file(monkeypatch, personas, tmp_path)
    expected, _errors, _rows = row_check(personas, path)
    job = run(personas.county_a_officer, personas.county_a, path, valid_only=False)
    assert (job.status, job.valid_rows) == (ImportStatus.VALIDATED, len(expected))
    staged = EntityStaging.objects.filter(job_id=job.pk).values_list("row_no", *STAGING_FIELDS)
    assert sorted(staged) == sorted(expected)
    assert not Entity.objects.exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_load_that_fails_midway_writes_nothing(personas, tmp_path, monkeypatch):
    before = _table_structure()
    path = _big_file(monkeypatch, personas, tmp_path)
    calls = []
    real_clean = EntitySpec.clean_block

    def clean_block(self: EntitySpec, *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_clean(self, *args)

    monkeypatch.setattr(EntitySpec, "clean_block", clean_block)
    blocks = readers.csv_blocks
    monkeypatch.setattr(readers, "csv_blocks", lambda plain: blocks(plain, 2000))
    with pytest.raises(RuntimeError):
        run(personas.county_a_officer, personas.county_a, path, valid_only=True)
    assert not Entity.objects.exists()
    assert _table_structure() == before
    assert ImportJob.objects.get().status == ImportStatus.FAILED


def _relation(table: str) -> tuple[int, int, int]:
    """(size in bytes, pages, pages all-visible) of a table; VACUUM sets the last."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size(oid), relpages, relallvisible FROM pg_class "
            "WHERE oid = %s::regclass",
            [table],
        )
        size, pages, visible = cursor.fetchone()
    return size, pages, visible


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [0, 1])
def test_a_big_import_leaves_staging_truncated_and_the_registry_vacuumed(
    personas, tmp_path, monkeypatch, existing
):
    """Issue 15: after a 1M-row import the staging table held 1M dead rows and
    the entity table was never vacuumed (autovacuum may be off): no index-only
    scans. Staging is truncated (its size is back to nothing, which a DELETE
    would not do) and VACUUM marked the entity table's pages all-visible."""
    if existing:
        f.entity(personas.county_a, uscc=f.make_uscc("370811", body="MB0000001"))
    path = _big_file(monkeypatch, personas, tmp_path)
    job = run(personas.county_a_officer, personas.county_a, path, valid_only=True)
    assert job.status == ImportStatus.DONE
    assert job.created_count > 0
    assert _relation("registry_entitystaging")[0] == 0
    _size, pages, visible = _relation("registry_entity")
    assert pages > 0
    assert visible == pages
