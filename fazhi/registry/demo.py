"""Demo data for the two databases: officers, external agencies, ~2,000 entities.

Deterministic from ``ctx.rng`` and idempotent: officers are found by citizen
ID, agencies by name, entities by credit code, so a second run adds nothing.
The entities go in through the import pipeline (one import job), as a
bureau's real list would.
"""

from __future__ import annotations

import csv
import datetime
import random
import tempfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from fazhi.core.codes import uscc_check_char
from fazhi.core.demo import INSTALLER, citizen_id, person_name
from fazhi.core.demo_context import DemoContext
from fazhi.registry import services
from fazhi.registry.imports import jobs, runner
from fazhi.registry.imports.entities import COLUMNS
from fazhi.registry.models import ConflictOfInterest, Entity, ExternalAgency, Officer

ENTITY_COUNT = 2000
ISSUER = "山东省人民政府"
TOWNS = (
    "城关街道",
    "经济开发区",
    "工业园区",
    "高新区",
    "南阳镇",
    "王鲁镇",
    "唐口街道",
    "羊山镇",
    "鸡黍镇",
    "胡集镇",
)
ROADS = (
    "建设路",
    "红星路",
    "运河路",
    "太白路",
    "琵琶山路",
    "科苑路",
    "开源路",
    "兴业路",
    "崇文大道",
    "金宇路",
)
# 字号 (trade names) are two characters drawn from these.
NAME_CHARS = "华鑫鲁源宏达金岭泰丰圣德瑞恒通齐兴盛永安明珠润新光伟业隆昌康祥顺和嘉利信诚益辉"
# (name pattern, section, division, categories, kind, key supervision likelihood)
TRADES = (
    ("{w}化工有限公司", "C", "26", "危险化学品生产", "企业", 0.6),
    ("{w}精细化工股份有限公司", "C", "26", "危险化学品生产、有限空间作业", "企业", 0.7),
    ("{w}化工贸易有限公司", "F", "51", "危险化学品经营", "企业", 0.1),
    ("{w}石油销售有限公司加油站", "F", "52", "危险化学品经营", "企业", 0.1),
    ("{w}烟花爆竹批发有限公司", "F", "51", "烟花爆竹", "企业", 0.5),
    ("{w}烟花爆竹零售店", "F", "52", "烟花爆竹", "个体工商户", 0.0),
    ("{w}石料开采有限公司", "B", "10", "非煤矿山", "企业", 0.8),
    ("{w}铸造有限公司", "C", "33", "金属冶炼", "企业", 0.3),
    ("{w}铝业有限公司", "C", "32", "金属冶炼、粉尘涉爆", "企业", 0.4),
    ("{w}木业有限公司", "C", "20", "粉尘涉爆", "企业", 0.1),
    ("{w}面粉有限公司", "C", "13", "粉尘涉爆、有限空间作业", "企业", 0.1),
    ("{w}冷链物流有限公司", "G", "59", "涉氨制冷", "企业", 0.3),
    ("{w}食品有限公司", "C", "14", "涉氨制冷、有限空间作业", "企业", 0.1),
    ("{w}纸业有限公司", "C", "22", "有限空间作业", "企业", 0.1),
    ("{w}机械制造有限公司", "C", "34", "工贸其他", "企业", 0.0),
    ("{w}纺织有限公司", "C", "17", "工贸其他、粉尘涉爆", "企业", 0.0),
    ("{w}建材有限公司", "C", "30", "工贸其他", "企业", 0.0),
    ("{w}汽修厂", "O", "81", "工贸其他", "个体工商户", 0.0),
)
RISKS = ("低风险",) * 10 + ("一般风险",) * 6 + ("较大风险",) * 3 + ("重大风险",)
CREDITS = ("A",) * 12 + ("B",) * 5 + ("C",) * 2 + ("D",)
LEVELS = ("三级",) * 5 + ("二级",) * 2 + ("一级",) + ("小微",) * 2 + ("未达标",) * 2 + ("",) * 3
SCALES = ("小型",) * 5 + ("微型",) * 4 + ("中型",) * 2 + ("大型",)
EXTERNAL = (
    ("市场监督管理局", "market_regulation", ("market_regulation",)),
    ("公安局", "public_security", ("public_security",)),
    ("消防救援支队", "fire_rescue", ("fire_safety",)),
)


def _uscc(region: str, index: int, kind: str) -> str:
    first17 = f"{'92' if kind == '个体工商户' else '91'}{region}MA{index:07d}"[:17]
    return first17 + uscc_check_char(first17)


def _rng(ctx: DemoContext, part: str) -> random.Random:
    """A generator per part, seeded from the demo seed: what other apps drew
    from ``ctx.rng`` (or skipped on a second run) cannot shift our data."""
    return random.Random(f"registry:{part}:{ctx.seed}")


def _entity_rows(ctx: DemoContext) -> list[list[str]]:
    rng = _rng(ctx, "entities")
    rows = []
    used: set[str] = set()
    for index in range(1, ENTITY_COUNT + 1):
        county = ctx.counties[rng.randrange(len(ctx.counties))]
        # The city's detachment supervises about a tenth directly (市级直管).
        agency = ctx.city if rng.random() < 0.1 else county
        pattern, section, division, categories, kind, key_odds = TRADES[rng.randrange(len(TRADES))]
        word = (
            NAME_CHARS[rng.randrange(len(NAME_CHARS))] + NAME_CHARS[rng.randrange(len(NAME_CHARS))]
        )
        place = county.name.removesuffix("应急管理局")
        name = place + pattern.format(w=word)
        if name in used:  # one registered name per county: branch offices and shops get a number
            name = f"{name}第{index}分公司" if kind == "企业" else f"{name}（{index}号店）"
        used.add(name)
        town, road = TOWNS[rng.randrange(len(TOWNS))], ROADS[rng.randrange(len(ROADS))]
        address = f"山东省济宁市{place}{town}{road}{index}号"
        rows.append(
            [
                _uscc(county.region_code, index, kind),
                name,
                kind,
                person_name(rng),
                county.region_code,
                address,
                section,
                division,
                "" if kind == "个体工商户" else SCALES[rng.randrange(len(SCALES))],
                categories,
                "是" if rng.random() < key_odds else "否",
                LEVELS[rng.randrange(len(LEVELS))],
                RISKS[rng.randrange(len(RISKS))],
                CREDITS[rng.randrange(len(CREDITS))],
                "存续" if rng.random() < 0.97 else "注销",
                f"0537-{rng.randint(2000000, 8999999)}",
                agency.name,
            ]
        )
    return rows


def _load_entities(ctx: DemoContext) -> list[str]:
    rows = _entity_rows(ctx)
    existing = set(
        Entity.objects.filter(uscc__in=[r[0] for r in rows]).values_list("uscc", flat=True)
    )
    if len(existing) == len(rows):
        return []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "示范名录.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([c.header for c in COLUMNS])
            writer.writerows(rows)
        job = jobs.import_job_create(
            actor=ctx.admin,
            kind="entity",
            unit=ctx.city,
            filename=path.name,
            path=str(path),
            valid_only=True,
            run=False,
        )
        job = runner.job_validate(job.pk)
        # The file is gone once the job ran; keep the record honest about it.
        job.source_path = ""
        job.save(update_fields=["source_path"])
    return [
        f"{job.created_count} entities imported (job #{job.pk}), {job.error_rows} rows refused"
    ]


def _duplicates(ctx: DemoContext) -> list[str]:
    """Three entities registered twice under a mistyped code: work for the merge page."""
    made = 0
    for original in Entity.objects.filter(
        source_job__isnull=False, merged_into__isnull=True
    ).order_by("id")[:3]:
        wrong = _uscc(original.region_code, 900000 + original.pk, "企业")
        if Entity.objects.filter(uscc=wrong).exists():
            continue
        services.entity_create(
            actor=INSTALLER,
            allow_duplicate=True,
            uscc=wrong,
            name=original.name,
            kind=original.kind,
            legal_representative=original.legal_representative,
            region_code=original.region_code,
            address=original.address,
            industry_section=original.industry_section,
            industry_division=original.industry_division,
            category_bits=original.category_bits,
            scale=original.scale,
            risk_level=original.risk_level,
            credit_class=original.credit_class,
            standardization_level=original.standardization_level,
            supervising_agency=original.supervising_agency,
        )
        made += 1
    return [f"{made} duplicate registrations to merge"] if made else []


def _certificate_dates(
    rng: Any, index: int, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    if index % 25 == 3:  # a few run out within the warning window
        end = today + datetime.timedelta(days=rng.randint(5, 50))
    elif index % 30 == 7:  # a few have expired
        end = today - datetime.timedelta(days=rng.randint(10, 200))
    else:
        end = today + datetime.timedelta(days=rng.randint(120, 1500))
    return end - datetime.timedelta(days=5 * 365), end


def _load_officers(ctx: DemoContext) -> list[str]:
    rng = _rng(ctx, "officers")
    today = timezone.localdate()
    created = certificates = 0
    for index, (full_name, ric, number, unit) in enumerate(ctx.officers):
        start, end = _certificate_dates(rng, index, today)
        phone = f"139{rng.randint(10000000, 99999999)}"
        qualified = index % 9 == 0
        qualification = f"A20{rng.randint(10, 23)}3708{rng.randint(100000, 999999)}"
        if Officer.objects.filter(citizen_id=ric).exists():
            continue
        officer = services.officer_create(
            actor=INSTALLER,
            full_name=full_name,
            citizen_id=ric,
            unit=unit,
            position="执法队员" if index % 6 else "大队长",
            phone=phone,
            domains=[
                ("general_safety", "hazardous_chemicals", "mining", "industry_trade", "fireworks")[
                    index % 5
                ]
            ],
            legal_qualification=qualified,
            legal_qualification_number=qualification if qualified else "",
        )
        created += 1
        if index % 40 == 11:  # an older certificate kept in the history
            services.certificate_issue(
                actor=INSTALLER,
                officer=officer,
                number=f"{number}J",
                issuer=ISSUER,
                valid_from=start - datetime.timedelta(days=5 * 365),
                valid_to=start - datetime.timedelta(days=1),
            )
            certificates += 1
        services.certificate_issue(
            actor=INSTALLER,
            officer=officer,
            number=number,
            issuer=ISSUER,
            valid_from=start,
            valid_to=end,
        )
        certificates += 1
    lines = [f"{created} officers with {certificates} certificates"] if created else []
    lines += _link_logins(ctx, _rng(ctx, "logins"), today)
    return lines


def _link_logins(ctx: DemoContext, rng: Any, today: datetime.date) -> list[str]:
    """Give the demo officer logins an officer record of their own."""
    linked = 0
    for username in ("officer", "county_officer"):
        user = ctx.users.get(username)
        if user is None or Officer.objects.filter(user=user).exists():
            continue
        officer = services.officer_create(
            actor=INSTALLER,
            full_name=user.full_name,
            citizen_id=citizen_id(rng, user.unit.agency().region_code if user.unit else "370800"),
            unit=user.unit,
            user=user,
            position="执法队员",
            domains=["general_safety", "hazardous_chemicals"],
        )
        services.certificate_issue(
            actor=INSTALLER,
            officer=officer,
            number=f"3708ZF{user.pk:06d}",
            issuer=ISSUER,
            valid_from=today - datetime.timedelta(days=400),
            valid_to=today + datetime.timedelta(days=1400),
        )
        linked += 1
    return [f"{linked} logins linked to their officer records"] if linked else []


def _load_external(ctx: DemoContext) -> list[str]:
    rng = _rng(ctx, "external")
    today = timezone.localdate()
    made_agencies = made_officers = 0
    for index, (suffix, kind, domains) in enumerate(EXTERNAL):
        name = "济宁市" + suffix
        contact, phone = person_name(rng), f"0537-{rng.randint(2000000, 8999999)}"
        agency = ExternalAgency.objects.filter(unit=ctx.city, name=name).first()
        if agency is None:
            agency = services.external_agency_create(
                actor=INSTALLER,
                name=name,
                kind=kind,
                region_code=ctx.city.region_code,
                unit=ctx.city,
                contact=contact,
                phone=phone,
            )
            made_agencies += 1
        for n in range(3):
            ric = citizen_id(rng, ctx.city.region_code)
            full_name = person_name(rng)
            if Officer.objects.filter(citizen_id=ric).exists():
                continue
            officer = services.officer_create(
                actor=INSTALLER,
                full_name=full_name,
                citizen_id=ric,
                external_agency=agency,
                domains=list(domains),
                position="执法人员",
            )
            services.certificate_issue(
                actor=INSTALLER,
                officer=officer,
                number=f"WB{index + 1}{n + 1:04d}3708",
                issuer=ISSUER,
                valid_from=today - datetime.timedelta(days=700),
                valid_to=today + datetime.timedelta(days=900),
            )
            made_officers += 1
    if not (made_agencies or made_officers):
        return []
    return [f"{made_agencies} external agencies with {made_officers} officers"]


def _load_conflicts(ctx: DemoContext) -> list[str]:
    officers = list(Officer.objects.filter(unit__isnull=False).order_by("id")[:6:2])
    entities = list(Entity.objects.filter(merged_into__isnull=True).order_by("id")[10:13])
    made = 0
    for officer, entity, kind in zip(
        officers, entities, ("former_employer", "relative", "shareholding"), strict=False
    ):
        if ConflictOfInterest.objects.filter(officer=officer, entity=entity).exists():
            continue
        services.conflict_record(
            actor=INSTALLER,
            officer=officer,
            entity=entity,
            kind=kind,
            source="declared" if kind != "shareholding" else "found",
            valid_from=datetime.date(2023, 1, 1),
            description={
                "former_employer": "2019–2022年曾在该企业任安全员",
                "relative": "配偶在该企业任财务主管",
                "shareholding": "持有该企业股份（监督检查发现）",
            }[kind],
        )
        made += 1
    return [f"{made} conflicts of interest"] if made else []


def load(ctx: DemoContext) -> list[str]:
    """Fill the registry for the demo bureau; return summary lines."""
    lines = _load_officers(ctx)
    lines += _load_external(ctx)
    lines += _load_entities(ctx)
    lines += _duplicates(ctx)
    lines += _load_conflicts(ctx)
    return lines or ["already loaded"]
