"""Demo data: the city's 2025 and 2026 power catalogs, the county general catalog
adopted by the four counties.

Idempotent: each catalog is looked up by agency and year, the general catalog
by its source catalog, before anything is created. Bases are the real
articles of 安全生产法, 危险化学品安全管理条例, 烟花爆竹安全管理条例 and
安全生产许可证条例, resolved through the law library.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from fazhi.core.demo_context import DemoContext
from fazhi.core.models import OrgUnit
from fazhi.laws.citations import citation_resolve
from fazhi.powers import services
from fazhi.powers.choices import RESPONSIBILITY_FROM_CN, CatalogStatus, ExerciseLevel, PowerType
from fazhi.powers.models import CatalogTemplate, PowerCatalog, PowerItem

AQ = "《中华人民共和国安全生产法》"
WH = "《危险化学品安全管理条例》"
YH = "《烟花爆竹安全管理条例》"
XK = "《安全生产许可证条例》"
LAWS = [
    "安全生产法(2021-06-10).md",
    "行政处罚法(2021-01-22).md",
    "行政许可法(2019-04-23).md",
    "行政强制法(2011-06-30).md",
    "危险化学品安全管理条例(2013-12-07).md",
    "烟花爆竹安全管理条例(2016-02-06).md",
    "安全生产许可证条例(2014-07-29).md",
]

LAW_DIR = Path(__file__).resolve().parent.parent / "laws" / "data" / "laws"


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


HAZCHEM = "危险化学品安全监督管理科"
BASIC = "安全生产基础科"
LEGAL = "政策法规科"
DETACHMENT = "应急管理综合行政执法支队"
COMMAND = "应急指挥中心"

DUTIES: dict[str, list[tuple[str, str]]] = {
    PowerType.PENALTY: [
        (
            "受理",
            "对监督检查发现、投诉举报、上级交办、其他部门移送的违法线索进行审查，决定是否立案。",
        ),
        (
            "审查",
            "执法人员不少于两人，出示执法证件，全面、客观、公正地调查取证；审查案件事实、证据、依据和裁量基准适用。",
        ),
        (
            "决定",
            "告知当事人拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、听证权利；依法作出处罚决定，重大执法决定经法制审核和集体讨论。",
        ),
        ("送达", "依法送达行政处罚决定书，同时送达信用修复告知书。"),
        ("执行", "监督当事人履行处罚决定；逾期不履行的依法加处罚款或者申请人民法院强制执行。"),
        ("事后监管", "对责令改正情况进行复查，依法公示行政处罚信息。"),
    ],
    PowerType.LICENSING: [
        (
            "受理",
            "公示申请条件、材料目录和办理时限；申请材料不齐全的一次性告知需要补正的全部内容。",
        ),
        ("审查", "审查申请材料，组织现场核查或者专家评审。"),
        ("决定", "在法定期限内作出准予或者不予许可的决定，不予许可的说明理由并告知救济途径。"),
        ("送达", "颁发、送达许可证件，并依法公示许可信息。"),
        ("事后监管", "对持证单位开展监督检查，依法办理变更、延续、撤销、注销。"),
    ],
    PowerType.COERCION: [
        ("审查", "审查采取行政强制措施的事实、理由和依据，报行政机关负责人批准。"),
        ("决定", "制作并当场交付查封、扣押决定书和清单，告知当事人陈述、申辩权利。"),
        ("执行", "两名以上执法人员实施，制作现场笔录；妥善保管查封、扣押的财物。"),
        ("事后监管", "在法定期限内作出处理决定；对不再需要查封、扣押的，及时解除。"),
    ],
    PowerType.INSPECTION: [
        (
            "审查",
            "按照年度监督检查计划和“双随机、一公开”要求开展检查，执法人员不少于两人并出示执法证件。",
        ),
        ("执行", "发现事故隐患的，责令立即排除或者限期排除；发现违法行为的，依法立案查处。"),
        ("事后监管", "对整改情况进行复查，依法公开检查结果。"),
    ],
    PowerType.REWARD: [
        ("受理", "受理举报和奖励申请，对举报人信息严格保密。"),
        ("审查", "核查举报事项是否属实、是否符合奖励条件。"),
        ("决定", "依照奖励办法确定奖励标准并兑现。"),
    ],
    PowerType.OTHER: [
        ("受理", "接收生产经营单位报送的材料。"),
        ("审查", "对材料的完整性、规范性进行形式审查。"),
        ("事后监管", "对落实情况开展监督检查。"),
    ],
}
ACCOUNTABILITY = {
    PowerType.PENALTY: (
        "《中华人民共和国安全生产法》第九十条；"
        "《中华人民共和国行政处罚法》第七十六条、第七十七条、第八十三条"
    ),
    PowerType.LICENSING: (
        "《中华人民共和国行政许可法》第七十二条、第七十三条、第七十四条、第七十七条"
    ),
    PowerType.COERCION: "《中华人民共和国行政强制法》第六十一条、第六十二条、第六十八条",
}
SUPERVISION = (
    "1.内部监督：法制审核、行政执法监督检查、案卷评查；2.外部监督：人大监督、行政复议、"
    "行政诉讼、社会监督（12345政务服务便民热线）。"
)
BOTH = [ExerciseLevel.CITY, ExerciseLevel.COUNTY]
CITY = [ExerciseLevel.CITY]

# (code, parent, name, type, citations, lead unit, 市县同权, levels)
ITEMS_2025: list[tuple[Any, ...]] = [
    (
        "XK-001",
        "",
        "危险化学品经营许可（剧毒化学品、易制爆危险化学品及带有储存设施的经营）",
        PowerType.LICENSING,
        [WH + "第三十三条", WH + "第三十五条"],
        HAZCHEM,
        False,
        CITY,
    ),
    (
        "XK-002",
        "",
        "危险化学品经营许可（不带有储存设施的其他危险化学品经营）",
        PowerType.LICENSING,
        [WH + "第三十三条", WH + "第三十五条"],
        HAZCHEM,
        True,
        BOTH,
    ),
    (
        "XK-003",
        "",
        "危险化学品安全使用许可",
        PowerType.LICENSING,
        [WH + "第二十九条"],
        HAZCHEM,
        False,
        CITY,
    ),
    (
        "XK-004",
        "",
        "烟花爆竹经营（批发）许可",
        PowerType.LICENSING,
        [YH + "第十六条", YH + "第十九条第一款"],
        HAZCHEM,
        False,
        CITY,
    ),
    (
        "XK-005",
        "",
        "烟花爆竹经营（零售）许可",
        PowerType.LICENSING,
        [YH + "第十六条", YH + "第十九条第二款"],
        HAZCHEM,
        True,
        BOTH,
    ),
    (
        "CF-001",
        "",
        "对生产经营单位未按规定设置安全警示标志的行政处罚",
        PowerType.PENALTY,
        [AQ + "第三十五条", AQ + "第九十九条"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-002",
        "",
        "对生产经营单位安全生产教育和培训违法行为的行政处罚",
        PowerType.PENALTY,
        [AQ + "第二十八条", AQ + "第九十七条"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-002-01",
        "CF-002",
        "对未按照规定对从业人员进行安全生产教育和培训的行政处罚",
        PowerType.PENALTY,
        [AQ + "第九十七条第（三）项"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-002-02",
        "CF-002",
        "对未如实记录安全生产教育和培训情况的行政处罚",
        PowerType.PENALTY,
        [AQ + "第九十七条第（四）项"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-003",
        "",
        "对生产经营单位主要负责人未履行法定安全生产管理职责的行政处罚",
        PowerType.PENALTY,
        [AQ + "第二十一条", AQ + "第九十四条"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "CF-004",
        "",
        "对未按照规定设置安全生产管理机构或者配备安全生产管理人员的行政处罚",
        PowerType.PENALTY,
        [AQ + "第二十四条", AQ + "第九十七条第（一）项"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-005",
        "",
        "对未对重大危险源登记建档、定期检测评估监控的行政处罚",
        PowerType.PENALTY,
        [AQ + "第四十条", AQ + "第一百零一条第（二）项"],
        HAZCHEM,
        True,
        BOTH,
    ),
    (
        "CF-006",
        "",
        "对未建立事故隐患排查治理制度的行政处罚",
        PowerType.PENALTY,
        [AQ + "第四十一条", AQ + "第一百零一条第（五）项"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "CF-007",
        "",
        "对生产经营单位未采取措施消除事故隐患的行政处罚",
        PowerType.PENALTY,
        [AQ + "第一百零二条"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "CF-008",
        "",
        "对拒绝、阻碍负有安全生产监督管理职责的部门依法实施监督检查的行政处罚",
        PowerType.PENALTY,
        [AQ + "第六十六条", AQ + "第一百零八条"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "CF-009",
        "",
        "对高危行业、领域生产经营单位未投保安全生产责任保险的行政处罚",
        PowerType.PENALTY,
        [AQ + "第五十一条第二款", AQ + "第一百零九条"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-010",
        "",
        "对发生生产安全事故负有责任的生产经营单位的行政处罚",
        PowerType.PENALTY,
        [AQ + "第一百一十四条"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "CF-011",
        "",
        "对未依法取得危险化学品经营许可证从事经营的行政处罚",
        PowerType.PENALTY,
        [WH + "第三十三条", WH + "第七十七条第三款"],
        HAZCHEM,
        True,
        BOTH,
    ),
    (
        "CF-012",
        "",
        "对危险化学品经营企业向不具有相关许可证件的单位销售剧毒化学品、易制爆危险化学品的行政处罚",
        PowerType.PENALTY,
        [WH + "第八十四条第一款第（一）项"],
        HAZCHEM,
        False,
        CITY,
    ),
    (
        "CF-013",
        "",
        "对未经许可生产、经营烟花爆竹制品的行政处罚",
        PowerType.PENALTY,
        [YH + "第三十六条第一款"],
        HAZCHEM,
        True,
        BOTH,
    ),
    (
        "CF-014",
        "",
        "对烟花爆竹批发企业向零售经营者供应非法生产、经营的烟花爆竹的行政处罚",
        PowerType.PENALTY,
        [YH + "第二十条", YH + "第三十八条第一款"],
        HAZCHEM,
        False,
        CITY,
    ),
    (
        "CF-015",
        "",
        "对未取得安全生产许可证擅自进行生产的行政处罚",
        PowerType.PENALTY,
        [XK + "第二条", XK + "第十九条"],
        DETACHMENT,
        False,
        CITY,
    ),
    (
        "CF-016",
        "",
        "对安全生产许可证有效期满未办理延期手续继续进行生产的行政处罚",
        PowerType.PENALTY,
        [XK + "第九条", XK + "第二十条"],
        DETACHMENT,
        False,
        CITY,
    ),
    (
        "CF-017",
        "",
        "对转让安全生产许可证的行政处罚",
        PowerType.PENALTY,
        [XK + "第十三条", XK + "第二十一条"],
        DETACHMENT,
        False,
        CITY,
    ),
    (
        "CF-018",
        "",
        "对未为从业人员提供符合国家标准或者行业标准的劳动防护用品的行政处罚",
        PowerType.PENALTY,
        [AQ + "第四十五条", AQ + "第九十九条第（五）项"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-019",
        "",
        "对餐饮等行业的生产经营单位使用燃气未安装可燃气体报警装置的行政处罚",
        PowerType.PENALTY,
        [AQ + "第三十六条第四款", AQ + "第九十九条第（八）项"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-020",
        "",
        "对特种作业人员未按照规定经专门的安全作业培训并取得相应资格上岗作业的行政处罚",
        PowerType.PENALTY,
        [AQ + "第三十条", AQ + "第九十七条第（七）项"],
        BASIC,
        True,
        BOTH,
    ),
    (
        "CF-021",
        "",
        "对未按照规定制定生产安全事故应急救援预案或者未定期组织演练的行政处罚",
        PowerType.PENALTY,
        [AQ + "第八十一条", AQ + "第九十七条第（六）项"],
        COMMAND,
        True,
        BOTH,
    ),
    (
        "CF-022",
        "",
        "对承担安全评价、认证、检测、检验职责的机构出具失实报告的行政处罚",
        PowerType.PENALTY,
        [AQ + "第七十二条", AQ + "第九十二条第一款"],
        BASIC,
        False,
        CITY,
    ),
    (
        "CF-023",
        "",
        "对生产经营单位主要负责人在事故发生时不立即组织抢救的行政处罚",
        PowerType.PENALTY,
        [AQ + "第八十三条", AQ + "第一百一十条第一款"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "CF-024",
        "",
        "对生产经营单位主要负责人未履行安全生产管理职责导致发生生产安全事故的行政处罚",
        PowerType.PENALTY,
        [AQ + "第九十五条"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "QZ-001",
        "",
        "对不符合保障安全生产的国家标准或者行业标准的设施、设备、器材以及违法生产、储存、使用、经营、运输的危险物品予以查封或者扣押",
        PowerType.COERCION,
        [AQ + "第六十五条第一款第（四）项"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "QZ-002",
        "",
        "对存在重大事故隐患拒不执行停产停业决定的生产经营单位采取停止供电、停止供应民用爆炸物品等措施",
        PowerType.COERCION,
        [AQ + "第七十条"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "QZ-003",
        "",
        "查封违法生产、储存、使用、经营危险化学品的场所，扣押违法生产、储存、使用、经营、运输的危险化学品",
        PowerType.COERCION,
        [WH + "第七条第一款第（四）项"],
        HAZCHEM,
        True,
        BOTH,
    ),
    (
        "JC-001",
        "",
        "安全生产行政检查",
        PowerType.INSPECTION,
        [AQ + "第六十二条", AQ + "第六十五条"],
        DETACHMENT,
        True,
        BOTH,
    ),
    (
        "JC-002",
        "",
        "危险化学品安全监督检查",
        PowerType.INSPECTION,
        [WH + "第六条", WH + "第七条"],
        HAZCHEM,
        True,
        BOTH,
    ),
    (
        "JC-003",
        "",
        "烟花爆竹安全生产监督检查",
        PowerType.INSPECTION,
        [YH + "第四条"],
        HAZCHEM,
        True,
        BOTH,
    ),
    (
        "JC-004",
        "",
        "对取得安全生产许可证企业的监督检查",
        PowerType.INSPECTION,
        [XK + "第十四条"],
        DETACHMENT,
        False,
        CITY,
    ),
    (
        "JL-001",
        "",
        "对报告重大事故隐患或者举报安全生产违法行为的有功人员给予奖励",
        PowerType.REWARD,
        [AQ + "第七十六条"],
        LEGAL,
        True,
        BOTH,
    ),
    (
        "QT-001",
        "",
        "生产经营单位生产安全事故应急救援预案备案",
        PowerType.OTHER,
        [AQ + "第八十一条"],
        COMMAND,
        True,
        BOTH,
    ),
    (
        "QT-002",
        "",
        "生产安全事故调查处理",
        PowerType.OTHER,
        [AQ + "第八十六条"],
        DETACHMENT,
        False,
        CITY,
    ),
]
ADDED_2026: list[tuple[Any, ...]] = [
    (
        "CF-025",
        "",
        "对危险物品的容器、运输工具未经检测、检验合格投入使用的行政处罚",
        PowerType.PENALTY,
        [AQ + "第三十七条", AQ + "第九十九条第（六）项"],
        HAZCHEM,
        True,
        BOTH,
        "依据执法检查中发现的问题补充纳入。",
    ),
    (
        "CF-026",
        "",
        "对使用应当淘汰的危及生产安全的工艺、设备的行政处罚",
        PowerType.PENALTY,
        [AQ + "第三十八条", AQ + "第九十九条第（七）项"],
        BASIC,
        True,
        BOTH,
        "落实淘汰落后工艺设备专项整治，补充纳入。",
    ),
]
REMOVED_2026 = (
    "QT-002",
    "事故调查由人民政府授权组织，不属于本部门单独行使的权力，不再列入部门权责清单。",
)
CHANGED_2026 = [
    (
        "CF-001",
        {"lead_unit": DETACHMENT},
        "执法职能整合，统一由综合行政执法支队承办（一致对外）。",
    ),
    (
        "JC-001",
        {"supervision_method": SUPERVISION + "3.检查计划和检查结果通过门户网站公开。"},
        "落实“双随机、一公开”要求，补充监督方式。",
    ),
]


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
