"""Power catalogs and discretion: import check, diff, export, calculator latency.

Data: a city agency with its units, the real 安全生产法 and 危险化学品安全管理条例
texts (through the laws importer), the discretion seed, and a generated
workbook of ``ROWS`` catalog rows whose 实施依据 cells quote real articles
(so every row's citations are resolved, as with a published catalog).

Cases and their baselines (same run):

- import check of the workbook vs reading it raw with calamine;
- diff of two ``ROWS``-item catalog versions vs fetching both item lists;
- export of a ``ROWS``-item catalog vs the same raw fetch;
- calculator p95 through the database vs the pure engine with rules preloaded.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from typing import Any

import xlsxwriter

from bench.harness import Bench

ROWS = 2000
CALCULATIONS = 500
AQ = "《中华人民共和国安全生产法》"


class _System:
    pk = None
    is_authenticated = True
    is_superuser = True
    unit = None
    role = None

    def get_username(self) -> str:
        return "bench"


ACTOR = _System()


def build_org() -> tuple[Any, list[Any]]:
    """A city agency with four internal units."""
    from fazhi.core import services as core_services
    from fazhi.core.models import OrgUnit

    city = OrgUnit.objects.filter(name="基准市应急管理局").first()
    if city is None:
        city = core_services.orgunit_create(
            actor=ACTOR, name="基准市应急管理局", kind="agency", level="city", region_code="370800"
        )
    units = []
    for name in (
        "政策法规科",
        "危险化学品安全监督管理科",
        "安全生产基础科",
        "应急管理综合行政执法支队",
    ):
        unit = OrgUnit.objects.filter(name=name, parent=city).first()
        units.append(
            unit
            or core_services.orgunit_create(actor=ACTOR, name=name, kind="section", parent=city)
        )
    return city, units


def build_workbook(rows: int, units: list[Any], *, seed: int = 7) -> bytes:
    """A catalog workbook whose basis cells quote real articles of 安全生产法."""
    from fazhi.laws.models import Article

    articles = list(
        Article.objects.filter(
            law__work__key="安全生产法", number__gte=90, number__lte=114
        ).order_by("number")
    )
    rng = random.Random(seed)
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(
        0,
        0,
        [
            "序号",
            "事项编码",
            "事项名称",
            "事项类型",
            "实施依据",
            "承办机构",
            "责任事项",
            "市县同权",
        ],
    )
    for index in range(rows):
        article = rng.choice(articles)
        basis = f"{AQ}{article.label} {article.text[:160]}（第{index + 1}项）"
        sheet.write_row(
            index + 1,
            0,
            [
                index + 1,
                f"CF-{index:05d}",
                f"对违反{article.label}规定行为的行政处罚（{index}）",
                "行政处罚",
                basis,
                rng.choice(units).name,
                "1.受理责任：受理。2.审查责任：调查取证。3.决定责任：依法决定。",
                rng.choice(["是", "否"]),
            ],
        )
    book.close()
    return output.getvalue()


def build(rows: int = ROWS) -> dict[str, Any]:
    """Build the benchmark data; return what the cases need."""
    from fazhi.discretion.seed import discretion_seed, ensure_laws
    from fazhi.powers import services
    from fazhi.powers.importing import catalog_import_check
    from fazhi.powers.models import PowerCatalog

    ensure_laws(
        actor=ACTOR,
        names=[
            "安全生产法(2021-06-10).md",
            "行政处罚法(2021-01-22).md",
            "危险化学品安全管理条例(2013-12-07).md",
        ],
    )
    discretion_seed(actor=ACTOR)
    city, units = build_org()
    data = build_workbook(rows, units)
    old = PowerCatalog.objects.filter(agency=city, year=2025).first()
    if old is None:
        old = services.catalog_create(actor=ACTOR, agency=city, year=2025, copy_previous=False)
        report = catalog_import_check(catalog=old, data=data)
        services.catalog_import(actor=ACTOR, catalog=old, report=report, valid_only=True)
        old = services.catalog_publish(actor=ACTOR, catalog=old)
    new = PowerCatalog.objects.filter(agency=city, year=2026).first()
    if new is None:
        new = services.catalog_create(actor=ACTOR, agency=city, year=2026, copy_from=old)
        items = list(new.items.order_by("code"))
        step = max(len(items) // 50, 1)
        for item in items[::step][:20]:
            services.poweritem_update(
                actor=ACTOR, item=item, remarks="调整", change_reason="基准测试"
            )
        for item in items[1::step][:10]:
            services.poweritem_remove(actor=ACTOR, item=item, reason="基准测试")
    target = PowerCatalog.objects.filter(
        agency=city, year=2027
    ).first() or services.catalog_create(actor=ACTOR, agency=city, year=2027, copy_previous=False)
    return {
        "city": city,
        "units": units,
        "workbook": data,
        "old": old,
        "new": new,
        "target": target,
    }


def run(bench: Bench) -> None:
    from python_calamine import CalamineWorkbook

    from fazhi.discretion.engine import Facts, calculate
    from fazhi.discretion.models import DiscretionEntry
    from fazhi.discretion.selectors import entry_calculate, entry_data, rulebook_load
    from fazhi.powers.excel import write_catalog
    from fazhi.powers.importing import catalog_import_check
    from fazhi.powers.models import PowerItem
    from fazhi.powers.selectors import catalog_diff

    data = build(ROWS)
    workbook, old, new, target = data["workbook"], data["old"], data["new"], data["target"]
    size = f"{ROWS} rows"

    bench.measure(
        "calamine raw read (baseline)",
        lambda: (
            CalamineWorkbook.from_filelike(io.BytesIO(workbook)).get_sheet_by_index(0).to_python()
        ),
        size=size,
    )
    bench.measure(
        "catalog import check",
        lambda: catalog_import_check(catalog=target, data=workbook),
        size=size,
        repeat=3,
        baseline="calamine raw read (baseline)",
        target="≤ 30 s for 2,000 rows",
    )

    def fetch_both() -> int:
        rows = list(PowerItem.objects.filter(catalog=old).values_list("code", "name"))
        rows += list(PowerItem.objects.filter(catalog=new).values_list("code", "name"))
        return len(rows)

    bench.measure("fetch two item lists (baseline)", fetch_both, size=size)
    bench.measure(
        "catalog diff",
        lambda: catalog_diff(old=old, new=new).sentence(),
        size=size,
        baseline="fetch two item lists (baseline)",
        target="≤ 2 s",
    )
    bench.measure(
        "catalog export (xlsx)",
        lambda: write_catalog(
            "bench", new.items.select_related("lead_unit", "parent").order_by("code")
        ),
        size=size,
        baseline="fetch two item lists (baseline)",
        target="≤ 3 s",
    )

    entries = list(DiscretionEntry.objects.filter(tier_required=False))
    rng = random.Random(11)
    cases = []
    for _ in range(CALCULATIONS):
        entry = rng.choice(entries)
        bounds = rng.choice(list(entry.ranges.all()))
        cases.append(
            (
                entry,
                Facts(
                    target=bounds.target,
                    stage=bounds.stage,
                    circumstances=frozenset(
                        rng.sample(
                            ["confessed", "repeat_within_year", "coerced"], k=rng.randint(0, 1)
                        )
                    ),
                ),
            )
        )

    def latencies(fn: Any) -> list[float]:
        times = []
        for entry, facts in cases:
            started = time.perf_counter()
            fn(entry, facts)
            times.append(time.perf_counter() - started)
        return times

    rules = rulebook_load()
    plain = {entry.pk: entry_data(entry) for entry in entries}
    pure = latencies(lambda entry, facts: calculate(plain[entry.pk], facts, rules))
    db = latencies(
        lambda entry, facts: entry_calculate(
            entry=DiscretionEntry.objects.get(pk=entry.pk), facts=facts
        )
    )
    p95 = lambda values: statistics.quantiles(values, n=20)[18]  # noqa: E731
    bench.record("calculator p95, pure engine (baseline)", p95(pure), size=f"{CALCULATIONS} calls")
    bench.record(
        "calculator p95, through the database",
        p95(db),
        size=f"{CALCULATIONS} calls",
        baseline="calculator p95, pure engine (baseline)",
        target="≤ 50 ms",
    )
