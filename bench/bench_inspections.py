"""双随机 draw at province scale: 1M entities, 2,000 officers, a 5% draw.

Cases (sizes from env knobs):

- ``FAZHI_BENCH_DRAW_ENTITIES`` (1,000,000) entities in one city's subtree,
  ``FAZHI_BENCH_DRAW_OFFICERS`` (2,000) certified officers, some conflicts.
- ``draw end to end``: commit (read and freeze the pool, commitment),
  fix the seed, draw (selection, control sample, teams) and write the
  result rows — everything the task page's buttons do, in one run.
- ``naive ORDER BY random() LIMIT n`` on the same table (baseline: neither
  weighted nor verifiable).
- ``receipt build`` (JSON of the task) and ``standalone verifier``
  (docs/verify_draw.py in a fresh interpreter, standard library only);
  ``FAZHI_BENCH_DRAW_RECEIPT=0`` leaves them out (by default above 2M
  entities: a 10M receipt is some 400 MB of JSON).

The target scales with the pool: 2 s per million entities (≤ 2 s at 1M,
≤ 20 s at 10M: ``FAZHI_BENCH_DRAW_ENTITIES=10000000 ./dev bench --db postgres
--only inspections``).
"""

from __future__ import annotations

import datetime
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import Bench

ENTITIES = int(os.environ.get("FAZHI_BENCH_DRAW_ENTITIES", "1000000"))
OFFICERS = int(os.environ.get("FAZHI_BENCH_DRAW_OFFICERS", "2000"))
RECEIPT = os.environ.get("FAZHI_BENCH_DRAW_RECEIPT", "1" if ENTITIES <= 2_000_000 else "0") != "0"
TARGET = f"≤ {max(2, round(2 * ENTITIES / 1_000_000))} s"
SEED = 20261205
ROOT = Path(__file__).resolve().parent.parent
CREDITS = ("A",) * 6 + ("B",) * 2 + ("C", "D", "")
RISKS = ("low",) * 5 + ("moderate",) * 3 + ("high", "major", "")


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection, transaction

    names = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def setup(entities: int, officers: int) -> dict[str, Any]:
    """Create the city, its counties, the entities, officers and certificates."""
    from django.db import connection
    from django.utils import timezone

    from bench.bench_registry import COUNTIES, setup_org
    from fazhi.core.models import OrgUnit
    from fazhi.registry.models import Entity, Officer

    org = setup_org()
    city = org["city"]
    if not city.doc_abbr:
        city.doc_abbr = "基"
        city.save(update_fields=["doc_abbr"])
    counties = list(OrgUnit.objects.filter(parent=city).order_by("pk"))
    now = timezone.now()
    rng = random.Random(SEED)
    if Entity.objects.count() != entities:
        with connection.cursor() as cursor:
            for table in ("inspections_taskselection", "registry_entity"):
                cursor.execute(f"DELETE FROM {table}")
        cols = (
            "uscc", "name", "kind", "legal_representative", "region_code", "address",
            "industry_section", "industry_division", "scale", "category_bits",
            "key_supervision", "standardization_level", "risk_level", "credit_class",
            "status", "contact_phone", "supervising_agency_id", "dedupe_key",
            "created_at", "updated_at",
        )  # fmt: skip
        batch = []
        for i in range(entities):
            county = counties[i % len(counties)]
            status = "active" if rng.random() > 0.02 else "cancelled"
            batch.append(
                (
                    f"91{COUNTIES[i % len(COUNTIES)]}MA{i:08d}",
                    f"基准企业{i}",
                    "enterprise",
                    "",
                    county.region_code,
                    f"工业园区{i}号",
                    "C",
                    "26",
                    "small",
                    0,
                    rng.random() < 0.03,
                    "",
                    rng.choice(RISKS),
                    rng.choice(CREDITS),
                    status,
                    "",
                    county.pk,
                    f"{i:016x}",
                    now,
                    now,
                )
            )
            if len(batch) == 100_000:
                _insert("registry_entity", cols, batch)
                batch = []
        _insert("registry_entity", cols, batch)
    if Officer.objects.count() != officers:
        with connection.cursor() as cursor:
            for table in (
                "registry_conflictofinterest",
                "registry_enforcementcertificate",
                "registry_officer",
            ):
                cursor.execute(f"DELETE FROM {table}")
        _insert(
            "registry_officer",
            (
                "full_name", "citizen_id", "unit_id", "position", "phone", "domains",
                "legal_qualification", "legal_qualification_number", "status",
                "created_at", "updated_at",
            ),
            [
                (f"执法员{i}", f"37080019800101{i:04d}", counties[i % len(counties)].pk,
                 "", "", "", False, "", "active", now, now)
                for i in range(officers)
            ],
        )  # fmt: skip
        ids = list(Officer.objects.order_by("pk").values_list("pk", flat=True))
        _insert(
            "registry_enforcementcertificate",
            ("officer_id", "number", "issuer", "valid_from", "valid_to", "status",
             "status_reason", "created_at"),
            [
                (pk, f"鲁应急{pk:08d}", "山东省人民政府", datetime.date(2024, 1, 1),
                 datetime.date(2029, 12, 31), "valid", "", now)
                for pk in ids
            ],
        )  # fmt: skip
        first, last = (
            Entity.objects.order_by("pk").values_list("pk", flat=True).first(),
            Entity.objects.order_by("-pk").values_list("pk", flat=True).first(),
        )
        if first is None or last is None:
            raise SystemExit("no entities were written")
        _insert(
            "registry_conflictofinterest",
            ("officer_id", "entity_id", "kind", "source", "description", "valid_from",
             "recorded_at"),
            [
                (rng.choice(ids), rng.randrange(first, last + 1), "relative", "declared", "",
                 datetime.date(2025, 1, 1), now)
                for _ in range(5_000)
            ],
        )  # fmt: skip
    if connection.vendor == "postgresql":
        # What autovacuum does to a table that has been live for a while: the
        # first scans after a bulk load would otherwise also write hint bits.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"city": city, **org}


def new_task(city: Any, n: int) -> Any:
    from fazhi.inspections.models import InspectionTask

    return InspectionTask.objects.create(
        unit=city,
        number=f"BENCH-{n}-{time.time_ns()}",
        title="基准抽查",
        reference_date=datetime.date(2026, 12, 8),
        seed_rule="福彩3D 2026-12-07 开奖号码",
        nonce_count=2,
        ratio_scale_pct=100,
    )


def draw_end_to_end(city: Any, n: int) -> Any:
    from fazhi.core.actors import SystemActor
    from fazhi.inspections import services

    actor = SystemActor("bench")
    task = new_task(city, n)
    task = services.task_commit(actor=actor, task=task)
    task = services.task_seed(actor=actor, task=task, announced="3 8 1", nonces=["17", "42"])
    return services.task_draw(actor=actor, task=task)


def run(bench: Bench) -> None:
    from django.db import connection

    from fazhi.inspections.drawing import receipt_chunks
    from fazhi.inspections.models import TaskSelection

    size = f"{ENTITIES:,} entities, {OFFICERS:,} officers"
    started = time.perf_counter()
    ctx = setup(ENTITIES, OFFICERS)
    print(f"  setup: {time.perf_counter() - started:.1f} s", flush=True)
    tasks: list[Any] = []

    def one() -> None:
        tasks.append(draw_end_to_end(ctx["city"], len(tasks)))

    bench.measure("draw end to end (commit, seed, draw, write)", one, size=size, repeat=3,
                  baseline="naive ORDER BY random() LIMIT n", target=TARGET)  # fmt: skip
    task = tasks[-1]
    n = TaskSelection.objects.filter(task=task).count()

    def naive() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM registry_entity ORDER BY random() LIMIT %s", [n])
            cursor.fetchall()

    bench.measure("naive ORDER BY random() LIMIT n", naive, size=f"n = {n:,}", repeat=3)
    if not RECEIPT:
        print("  receipt and verifier: left out (FAZHI_BENCH_DRAW_RECEIPT=0)", flush=True)
        return
    path = Path(tempfile.mkdtemp()) / "receipt.json"

    def build() -> None:
        with path.open("wb") as fh:
            for chunk in receipt_chunks(task):
                fh.write(chunk)

    bench.measure("receipt build (JSON)", build, size=f"n = {n:,}", repeat=1)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "verify_draw.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    print(f"  verifier: {done.stdout.strip()}", flush=True)
    if done.returncode != 0:
        raise SystemExit(f"standalone verifier failed: {done.stdout}{done.stderr}")
    bench.record("standalone verifier (stdlib)", seconds, size=f"{path.stat().st_size:,} bytes",
                 baseline="draw end to end (commit, seed, draw, write)")  # fmt: skip
