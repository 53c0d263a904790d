"""Demo data: the city's 2025 and 2026 power catalogs, the county general catalog
adopted by the four counties.

Idempotent: each catalog is looked up by agency and year, the general catalog
by its source catalog, before anything is created. Bases are the real
articles of 安全生产法, 危险化学品安全管理条例, 烟花爆竹安全管理条例 and
安全生产许可证条例, resolved through the law library. The rows are in
fazhi/powers/demo_data.py.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from fazhi.core import policy
from fazhi.core.demo_context import DemoContext
from fazhi.core.models import OrgUnit
from fazhi.laws.citations import citation_resolve
from fazhi.powers import services
from fazhi.powers.choices import RESPONSIBILITY_FROM_CN, CatalogStatus, ExerciseLevel, PowerType
from fazhi.powers.demo_data import (
    ACCOUNTABILITY,
    ADDED_2026,
    AQ,
    BASIC,
    CHANGED_2026,
    COMMAND,
    DETACHMENT,
    DUTIES,
    HAZCHEM,
    ITEMS_2025,
    LAWS,
    LEGAL,
    REMOVED_2026,
    SUPERVISION,
    WH,
)
from fazhi.powers.models import CatalogTemplate, PowerCatalog, PowerItem

LAW_DIR = Path(__file__).resolve().parent.parent / "laws" / "data" / "laws"


@policy.requires("laws.add_law")
def ensure_laws(*, actor: Any, names: list[str]) -> list[str]:
    """Import the law texts the demo cites, unless they are already stored."""
    from fazhi.laws.models import Law
    from fazhi.laws.services import law_import_paths

    missing = [
        LAW_DIR / name for name in names if not Law.objects.filter(source_name=name).exists()
    ]
    if not missing:
        return []
    return [result.summary() for result in law_import_paths(actor=actor, paths=missing)]


def _basis_text(citations: list[str], day: datetime.date) -> str:
    """The basis cell as published: each citation followed by the article text."""
    parts = []
    for text in citations:
        citation = citation_resolve(text, on=day)
        quote = citation.quote if citation.resolved else ""
        parts.append(f"{text} {quote}".strip())
    return "\n".join(parts)


def _fields(
    row: tuple[Any, ...],
    units: dict[str, OrgUnit],
    items: dict[str, PowerItem],
    day: datetime.date,
) -> dict[str, Any]:
    code, parent, name, power_type, citations, unit, shared, levels = row[:8]
    return {
        "code": code,
        "name": name,
        "power_type": power_type,
        "parent": items.get(parent) if parent else None,
        "lead_unit": units[unit],
        "legal_subject": "县级以上人民政府应急管理部门"
        if shared
        else "设区的市级人民政府应急管理部门",
        "exercise_levels": levels,
        "first_responsible_level": ExerciseLevel.COUNTY if shared else ExerciseLevel.CITY,
        "basis_text": _basis_text(citations, day),
        "responsibilities": _duties(power_type),
        "accountability_basis": ACCOUNTABILITY.get(power_type, ACCOUNTABILITY[PowerType.PENALTY]),
        "supervision_method": SUPERVISION,
        "shared_with_counties": shared,
        "remarks": "",
    }


def _duties(power_type: str) -> list[dict[str, str]]:
    rows = DUTIES.get(power_type, DUTIES[PowerType.OTHER])
    return [{"stage": RESPONSIBILITY_FROM_CN[stage], "text": text} for stage, text in rows]


def _city_catalogs(ctx: DemoContext, lines: list[str]) -> PowerCatalog:
    actor, city = ctx.admin, ctx.city
    units = {name: ctx.units[name] for name in (HAZCHEM, BASIC, LEGAL, DETACHMENT, COMMAND)}
    first = PowerCatalog.objects.filter(agency=city, year=2025).first()
    if first is None:
        first = services.catalog_create(actor=actor, agency=city, year=2025, copy_previous=False)
        day = datetime.date(2025, 12, 31)
        created: dict[str, PowerItem] = {}
        for row in ITEMS_2025:
            created[row[0]] = services.poweritem_create(
                actor=actor, catalog=first, **_fields(row, units, created, day)
            )
        services.catalog_publish(actor=actor, catalog=first)
        lines.append(f"city catalog 2025: {len(created)} items, published")
    second = PowerCatalog.objects.filter(agency=city, year=2026).first()
    if second is None:
        second = services.catalog_create(actor=actor, agency=city, year=2026, copy_from=first)
        day = datetime.date(2026, 1, 1)
        for row in ADDED_2026:
            services.poweritem_create(
                actor=actor, catalog=second, **_fields(row, units, {}, day), change_reason=row[8]
            )
        code, reason = REMOVED_2026
        services.poweritem_remove(actor=actor, item=second.items.get(code=code), reason=reason)
        for code, changes, reason in CHANGED_2026:
            values = {k: units[v] if k == "lead_unit" else v for k, v in changes.items()}
            services.poweritem_update(
                actor=actor, item=second.items.get(code=code), change_reason=reason, **values
            )
        second = services.catalog_publish(actor=actor, catalog=second)
        lines.append(f"city catalog 2026: {second.items.count()} items, published (5 changes)")
    return second


def _county_catalogs(ctx: DemoContext, city_catalog: PowerCatalog, lines: list[str]) -> None:
    actor = ctx.admin
    template = CatalogTemplate.objects.filter(source_catalog=city_catalog).first()
    if template is None:
        template = services.template_derive(
            actor=actor,
            catalog=city_catalog,
            name="济宁市应急管理系统县级通用权责清单（2026年版）",
        )
        lines.append(f"county general catalog: {template.items.count()} items")
    for county in ctx.counties:
        if PowerCatalog.objects.filter(agency=county, year=template.year).exists():
            continue
        brigade = ctx.units[f"{county.name}/综合行政执法大队"]
        catalog = services.template_adopt(
            actor=actor, template=template, agency=county, lead_unit=brigade
        )
        _local_changes(ctx, county, catalog)
        services.catalog_publish(actor=actor, catalog=catalog)
        lines.append(f"{county.name}: adopted the general catalog, published")


def _local_changes(ctx: DemoContext, county: OrgUnit, catalog: PowerCatalog) -> None:
    actor = ctx.admin
    legal = ctx.units[f"{county.name}/法规股"]
    if county.name.startswith("任城区"):
        services.poweritem_update(
            actor=actor,
            item=catalog.items.get(code="JL-001"),
            lead_unit=legal,
            remarks="奖励资金由区财政列支，按《任城区安全生产举报奖励办法》执行。",
            change_reason="结合本区举报奖励办法补充事项备注。",
        )
        services.poweritem_remove(
            actor=actor,
            item=catalog.items.get(code="QZ-002"),
            reason="本区停止供电等措施由区人民政府统一组织实施，不单列为部门权力。",
        )
    elif county.name.startswith("微山县"):
        day = datetime.date(2026, 1, 1)
        services.poweritem_create(
            actor=actor,
            catalog=catalog,
            code="JC-901",
            name="微山湖沿湖危险化学品储存单位安全生产专项检查",
            power_type=PowerType.INSPECTION,
            lead_unit=ctx.units[f"{county.name}/综合行政执法大队"],
            legal_subject="县级以上人民政府应急管理部门",
            exercise_levels=[ExerciseLevel.COUNTY],
            first_responsible_level=ExerciseLevel.COUNTY,
            basis_text=_basis_text([AQ + "第六十五条", WH + "第七条"], day),
            responsibilities=_duties(PowerType.INSPECTION),
            supervision_method=SUPERVISION,
            shared_with_counties=False,
            change_reason="微山湖沿湖区域危险化学品储存单位集中，增设本县专项检查事项。",
        )


@transaction.atomic
def load(ctx: DemoContext) -> list[str]:
    """Build (or find) the demo catalogs; return summary lines."""
    lines = ensure_laws(actor=ctx.admin, names=LAWS)
    city_catalog = _city_catalogs(ctx, lines)
    if city_catalog.status == CatalogStatus.PUBLISHED:
        _county_catalogs(ctx, city_catalog, lines)
    return lines
