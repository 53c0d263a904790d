"""Registry at province scale: importing 100k / 1M entities and listing them.

Cases (sizes from env knobs, defaults are the targets' sizes):

- ``FAZHI_BENCH_XLSX_ROWS`` (100,000): check and import an XLSX through the
  import pipeline, against python-calamine reading the same file (baseline).
- ``FAZHI_BENCH_ROWS`` (1,000,000): check and import a CSV, against
  PostgreSQL's own COPY of the same file into a plain table (baseline; on
  SQLite the baseline is executemany into a plain table). Run it with
  ``--db postgres``.
- The entity list page with filters at that size: p95 of requests through
  the Django test client, against one plain indexed query (baseline).

The data are deterministic (``SEED``): valid credit codes, real county
region codes, category/risk/credit mixes.
"""

from __future__ import annotations

import csv
import logging
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.harness import Bench

SEED = 20260301
XLSX_ROWS = int(os.environ.get("FAZHI_BENCH_XLSX_ROWS", "100000"))
CSV_ROWS = int(os.environ.get("FAZHI_BENCH_ROWS", "1000000"))
LIST_REQUESTS = int(os.environ.get("FAZHI_BENCH_LIST_REQUESTS", "40"))
# 0: import the CSV once to fill the registry, without timing the imports.
IMPORTS = os.environ.get("FAZHI_BENCH_REGISTRY_IMPORTS", "1") != "0"
COUNTIES = (
    "370811",
    "370812",
    "370826",
    "370827",
    "370828",
    "370829",
    "370830",
    "370831",
    "370832",
    "370881",
)
PREFIXES = (
    "华鑫",
    "鲁源",
    "宏达",
    "金岭",
    "运河",
    "泰丰",
    "圣地",
    "兖矿",
    "微湖",
    "梁山",
    "孔孟",
    "北湖",
    "东方",
    "瑞丰",
    "恒通",
)
TRADES = (
    ("化工", "C", "26"),
    ("机械制造", "C", "34"),
    ("纺织", "C", "17"),
    ("建材", "C", "30"),
    ("食品", "C", "14"),
    ("物流", "G", "59"),
    ("商贸", "F", "51"),
    ("石料", "B", "10"),
    ("冶金", "C", "31"),
    ("木业", "C", "20"),
)
CATEGORY_SETS = (
    "危险化学品经营",
    "粉尘涉爆",
    "工贸其他",
    "有限空间作业",
    "涉氨制冷、有限空间作业",
    "危险化学品使用、有限空间作业",
    "",
    "",
    "烟花爆竹",
    "非煤矿山",
    "金属冶炼",
)
RISKS = ("低风险",) * 5 + ("一般风险",) * 3 + ("较大风险", "重大风险")
CREDITS = ("A",) * 6 + ("B",) * 2 + ("C", "D")


def _uscc(region: str, n: int) -> str:
    from fazhi.core.codes import uscc_check_char

    body = f"{region}MA{n:07d}"
    first17 = ("92" if n % 7 == 0 else "91") + body
    return first17 + uscc_check_char(first17)


def entity_rows(count: int, seed: int = SEED, start: int = 0) -> Iterator[list[str]]:
    """Yield ``count`` import rows (in the template's column order)."""
    rng = random.Random(seed)
    for i in range(start, start + count):
        region = COUNTIES[rng.randrange(len(COUNTIES))]
        word, section, division = TRADES[rng.randrange(len(TRADES))]
        prefix = PREFIXES[rng.randrange(len(PREFIXES))]
        yield [
            _uscc(region, i),
            f"济宁{prefix}{word}有限公司{i}",
            "个体工商户" if i % 7 == 0 else "企业",
            "王建国",
            region,
            f"济宁市第{i % 300}工业园区{prefix}路{i}号",
            section,
            division,
            ("小型", "微型", "中型", "大型")[rng.randrange(4)],
            CATEGORY_SETS[rng.randrange(len(CATEGORY_SETS))],
            "是" if rng.random() < 0.05 else "否",
            ("三级", "二级", "未达标", "")[rng.randrange(4)],
            RISKS[rng.randrange(len(RISKS))],
            CREDITS[rng.randrange(len(CREDITS))],
            "存续",
            "0537-2345678",
            f"基准县{region}应急管理局" if i % 10 else "",  # a tenth stays with the city
        ]


def headers() -> list[str]:
    from fazhi.registry.imports.entities import COLUMNS

    return [c.header for c in COLUMNS]


def write_csv(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers())
        writer.writerows(entity_rows(count))
    return path


def write_xlsx(path: Path, count: int) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    for col, header in enumerate(headers()):
        sheet.write_string(0, col, header)
    for r, row in enumerate(entity_rows(count), start=1):
        for col, value in enumerate(row):
            if value:
                sheet.write_string(r, col, value)
    workbook.close()
    return path


def setup_org() -> dict[str, Any]:
    """A city bureau with its counties and two users (city and one county)."""
    from fazhi.core import services
    from fazhi.core.models import OrgUnit, Role, User
    from fazhi.core.tests.factories import SYSTEM

    city = OrgUnit.objects.filter(name="基准市应急管理局").first()
    if city is None:
        city = services.orgunit_create(
            actor=SYSTEM,
            name="基准市应急管理局",
            kind="agency",
            level="city",
            region_code="370800",
        )
        for code in COUNTIES:
            services.orgunit_create(
                actor=SYSTEM,
                name=f"基准县{code}应急管理局",
                kind="agency",
                level="county",
                region_code=code,
                parent=city,
            )
    county = OrgUnit.objects.get(name=f"基准县{COUNTIES[0]}应急管理局")
    users = {}
    for name, unit, role in (
        ("bench_city", city, "legal_reviewer"),
        ("bench_county", county, "officer"),
    ):
        user = User.objects.filter(username=name).first()
        if user is None:
            user, _ = services.user_create(
                actor=SYSTEM,
                username=name,
                unit=unit,
                role=Role.objects.get(code=role),
                password="Bench!Passw0rd2026",
            )
        users[name] = user
    return {"city": city, "county": county, **users}


def clear_entities() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("registry_entitychange", "registry_entitystaging", "registry_entity"):
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute(f"TRUNCATE {table} CASCADE")
            else:
                cursor.execute(f"DELETE FROM {table}")


def import_file(path: Path, org: dict[str, Any]) -> Any:
    """Check and import a file as the city's legal reviewer (valid rows)."""
    from fazhi.registry.imports import jobs, runner

    job = jobs.import_job_create(
        actor=org["bench_city"],
        kind="entity",
        unit=org["city"],
        filename=path.name,
        path=str(path),
        valid_only=True,
        run=False,
    )
    watcher = _CommitWatcher()
    log = logging.getLogger("fazhi.registry.imports.entity_apply")
    level = log.level
    log.setLevel(logging.INFO)
    log.addHandler(watcher)
    started = time.perf_counter()
    try:
        job = runner.job_validate(job.pk)
    finally:
        log.removeHandler(watcher)
        log.setLevel(level)
    if watcher.at is not None:
        COMMITTED.append(watcher.at - started)
    assert job.status == "done", (job.status, job.message, job.error_rows)
    return job


COMMITTED: list[float] = []  # seconds from start to a bulk load's commit


class _CommitWatcher(logging.Handler):
    """Notes when a bulk load commits (its plain indexes are built after)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.at: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if "bulk load committed" in record.getMessage():
            self.at = time.perf_counter()


def calamine_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    rows = 0
    for _row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        rows += 1
    return rows


def raw_copy(path: Path) -> None:
    """Baseline: the database loads the same file into a plain table itself."""
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(headers())))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy ({columns})")
        if connection.vendor == "postgresql":
            with (
                path.open("rb") as fh,
                cursor.cursor.copy(
                    "COPY bench_raw_copy FROM STDIN (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                for block in iter(lambda: fh.read(1 << 20), b""):
                    copy.write(block)
        else:
            marks = ", ".join(["%s"] * len(headers()))
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                while batch := [row for _, row in zip(range(20000), reader, strict=False)]:
                    cursor.executemany(f"INSERT INTO bench_raw_copy VALUES ({marks})", batch)
        cursor.execute("DROP TABLE bench_raw_copy")


def copy_and_index(path: Path) -> None:
    """Floor: COPY the file, then build the indexes the entity table has.

    The file's columns (credit code, name, region, agency, a 16-hex-digit
    duplicate key, the filtered columns) get the entity table's kinds of
    index on PostgreSQL: the unique credit code, the duplicate key, region
    and agency b-trees, the trigram GIN on the name, the bloom index of the
    filters (registry 0012), key units by agency (0018) and the agency's
    covering index (0020); and the table stores a pool line made from the
    row as it is written (0019). No checking at all, one connection, as
    PostgreSQL does it fastest. (Until the covering index, the bloom index,
    the key-unit index and the pool line were added here, the floor lacked
    them while the import built them.)
    """
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(headers())))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        # c0 credit code, c2 kind, c4 region, c8 scale, c9 categories,
        # c10 key unit, c11 standardization, c12 risk, c13 credit, c14 status
        line = (
            "(id::text || E'\\t' || c0 || E'\\t' || coalesce(nullif(c13, ''), '-') || E'\\t' "
            "|| coalesce(nullif(c12, ''), '-') || E'\\t' || CASE WHEN c14 <> '存续' THEN "
            "'status' WHEN c10 = '是' THEN 'key_plan' ELSE '-' END || E'\\n')"
        )
        cursor.execute(
            f"CREATE TABLE bench_floor (id bigint generated always as identity "
            f"primary key, {columns}, pool_line text GENERATED ALWAYS AS {line} STORED)"
        )
        with (
            path.open("rb") as fh,
            cursor.cursor.copy(
                "COPY bench_floor ("
                + ", ".join(f"c{i}" for i in range(len(headers())))
                + ") FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            for block in iter(lambda: fh.read(1 << 20), b""):
                copy.write(block)
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in (
            'CREATE UNIQUE INDEX ON bench_floor (c0 COLLATE "C")',
            "CREATE INDEX ON bench_floor ((left(md5(c1 || '|' || c5), 16)) COLLATE \"C\")",
            'CREATE INDEX ON bench_floor (c4 COLLATE "C", id)',
            "CREATE INDEX ON bench_floor (c16, id)",
            "CREATE INDEX ON bench_floor USING gin (c1 gin_trgm_ops)",
            "CREATE INDEX ON bench_floor USING bloom (c14, c12, c13, c2, c8, c6, c7, c11) "
            "WITH (length = 96)",
            "CREATE INDEX ON bench_floor (c16, c12, id) WHERE c10 = '是'",
            "CREATE INDEX ON bench_floor (c16, id) "
            "INCLUDE (c4, c9, c10, c2, c14, c12, c13, c8, c11, c6, c7)",
        ):
            cursor.execute(definition)
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("DROP TABLE bench_floor")


NEXT_PAGE = re.compile(r'data-testid="page-older" href="[^"]*cursor=(a\d+)')
LIST_QUERIES = (
    "",
    "risk_level=major",
    "category=non_coal_mine",
    "key_supervision=yes&risk_level=high",
    "credit_class=D&kind=individual_business",
    "industry_section=C&industry_division=26",
    "q=华鑫化工",
    "q=有限公司99999",
    "region={region}&status=active",
    "category=dust_explosion&credit_class=C",
)


def list_latencies(org: dict[str, Any], requests: int) -> tuple[list[float], list[float]]:
    """Time the list page for the city and for one county, with filters."""
    from django.test import Client

    times: dict[str, list[float]] = {"bench_city": [], "bench_county": []}
    for who in times:
        client = Client()
        client.force_login(org[who])
        client.get("/registry/entities/")  # warm up
        # each user filters by a county of its own scope
        region = COUNTIES[1] if who == "bench_city" else COUNTIES[0]
        for i in range(requests):
            query = LIST_QUERIES[i % len(LIST_QUERIES)].format(region=region)
            started = time.perf_counter()
            response = client.get("/registry/entities/?" + query)
            times[who].append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            if i % len(LIST_QUERIES) == 0:
                # follow the keyset cursor to the next page too
                found = NEXT_PAGE.search(response.content.decode())
                if found:
                    cursor = found.group(1)
                    started = time.perf_counter()
                    client.get(f"/registry/entities/?cursor={cursor}&{query}")
                    times[who].append(time.perf_counter() - started)
    return times["bench_city"], times["bench_county"]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def plain_indexed_query(org: dict[str, Any]) -> None:
    from fazhi.registry.models import Entity

    list(Entity.objects.filter(supervising_agency=org["county"]).order_by("-id")[:25])


def run(bench: Bench) -> None:
    from django.db import connection

    org = setup_org()
    if not IMPORTS:
        with tempfile.TemporaryDirectory() as folder:
            import_file(write_csv(Path(folder) / "entities.csv", CSV_ROWS), org)
        _lists(bench, org, f"{CSV_ROWS:,} rows")
        return
    with tempfile.TemporaryDirectory() as folder:
        xlsx = write_xlsx(Path(folder) / "entities.xlsx", XLSX_ROWS)
        size = f"{XLSX_ROWS:,} rows"
        bench.measure("calamine read xlsx", lambda: calamine_read(xlsx), size=size, repeat=3)
        bench.measure(
            "import xlsx (check + write)",
            lambda: import_file(xlsx, org),
            size=size,
            repeat=3,
            setup=clear_entities,
            baseline="calamine read xlsx",
            target="≤ 5 s",
        )
        xlsx.unlink()

        csv_path = write_csv(Path(folder) / "entities.csv", CSV_ROWS)
        size = f"{CSV_ROWS:,} rows"
        baseline = (
            "COPY csv (database)"
            if connection.vendor == "postgresql"
            else "executemany csv (database)"
        )
        bench.measure(baseline, lambda: raw_copy(csv_path), size=size, repeat=3)
        if connection.vendor == "postgresql":
            bench.measure(
                "COPY csv + the same indexes (database floor)",
                lambda: copy_and_index(csv_path),
                size=size,
                repeat=3,
                baseline=baseline,
            )
        COMMITTED.clear()
        bench.measure(
            "import csv (check + write)",
            lambda: import_file(csv_path, org),
            size=size,
            repeat=3,
            setup=clear_entities,
            baseline=baseline,
            target="≤ 10 s on PostgreSQL, ≤ 1 GB",
        )
        if COMMITTED:
            bench.record(
                "  of which: until the commit",
                statistics.median(COMMITTED[-3:]),
                size=size,
                baseline=baseline,
            )
        job = import_file(csv_path, org)  # re-import: every row unchanged
        bench.measure(
            "re-import same csv (no changes)",
            lambda: import_file(csv_path, org),
            size=size,
            repeat=1,
            baseline=baseline,
        )
        assert job.unchanged_rows == CSV_ROWS or job.created_count == 0

    _lists(bench, org, size)


def _lists(bench: Bench, org: dict[str, Any], size: str) -> None:
    from django.db import connection

    from bench import registry_exports, registry_lists

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_entity")
    bench.measure(
        "plain indexed query (25 rows)", lambda: plain_indexed_query(org), size=size, repeat=20
    )
    city, county = list_latencies(org, LIST_REQUESTS)
    bench.record(
        "entity list p95 (city, filters)",
        p95(city),
        size=size,
        target="≤ 150 ms",
        baseline="plain indexed query (25 rows)",
    )
    bench.record(
        "entity list p95 (county, filters)",
        p95(county),
        size=size,
        target="≤ 150 ms",
        baseline="plain indexed query (25 rows)",
    )
    registry_lists.every_filter(bench, org, size)
    registry_lists.name_search(bench, org, size)
    registry_lists.duplicates_page(bench, org, size)
    registry_lists.cold_start(bench)
    registry_exports.run_exports(bench, org, size)
