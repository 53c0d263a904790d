"""Seed rule data for discretion: entries, bands, circumstances, no-penalty list.

Sources (DOMAIN §6): statutory ranges are read from 安全生产法 (2021) 第六章
[S]; the tiers of Art. 97(4), 99(1) and 92 come from published provincial
benchmarks [S3]; every other tier table is a plain 3-tier split at 30 % and
70 % of the statutory range, flagged unverified. The 从轻/一般/从重 bands
(国办发〔2022〕27号) are [U] and seeded unverified.

``SHANXI_99_1_PUBLISHED`` keeps the 山西 table for Art. 99(1) exactly as
published; the validator refuses it (person fines of ¥5,000 under the
statutory minimum of ¥10,000, and tier 4 below tier 3). The seeded entry
raises those values and says so in each tier's notes.

``discretion_seed(actor=…)`` is idempotent: rows that exist are left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from fazhi.discretion.choices import (
    CircumstanceEffect,
    ConditionKind,
    DecisionClass,
    ExtraMeasure,
    FineMeasure,
    FineTarget,
    HarmLevel,
    RuleCode,
    Stage,
)
from fazhi.discretion.engine import BoundsData, EntryData, TierData
from fazhi.laws.numerals import int_to_cn

LAW_DIR = Path(__file__).resolve().parent.parent / "laws" / "data" / "laws"
SEED_LAWS = ["安全生产法(2021-06-10).md", "行政处罚法(2021-01-22).md"]
AQ = "《中华人民共和国安全生产法》"
CF = "《中华人民共和国行政处罚法》"
AQ_IN_FORCE = datetime.date(2021, 9, 1)
CF_IN_FORCE = datetime.date(2021, 7, 15)
UNVERIFIED_SPLIT = (
    "[U] 3-tier split at 30 % and 70 % of the statutory range; not taken from a "
    "published benchmark."
)
UNIT, PRINCIPAL, PERSON = FineTarget.UNIT, FineTarget.PRINCIPAL, FineTarget.RESPONSIBLE_PERSON
INITIAL, UNCORRECTED = Stage.INITIAL, Stage.UNCORRECTED
CORRECT = ExtraMeasure.ORDER_CORRECTION
SUSPEND = ExtraMeasure.SUSPEND_PRODUCTION


def cite(article: int, paragraph: int | None = None, item: int | None = None) -> str:
    """《中华人民共和国安全生产法》第X条[第Y款][第（Z）项]."""
    text = f"{AQ}第{int_to_cn(article)}条"
    if paragraph:
        text += f"第{int_to_cn(paragraph)}款"
    if item:
        text += f"第（{int_to_cn(item)}）项"
    return text


def rng(
    target: str,
    stage: str,
    low: int | None,
    high: int,
    measures: list[str] | None = None,
    measure: str = FineMeasure.AMOUNT,
) -> BoundsData:
    return BoundsData(
        target=target,
        stage=stage,
        min_amount=Decimal(low) if low is not None else None,
        max_amount=Decimal(high),
        measure=measure,
        extra_measures=list(measures or []),
    )


def _round100(value: Decimal) -> Decimal:
    return (value / 100).quantize(Decimal(1)) * 100


def split_tiers(ranges: list[BoundsData], *, percent: bool = False) -> list[TierData]:
    """The unverified default: three tiers cut at 30 % and 70 % of each range."""
    names = [
        ("较轻", "违法情节较轻：初次违法、及时改正，未造成危害后果"),
        ("一般", "违法情节一般"),
        ("较重", "违法情节较重：多处同类违法行为，或者造成一定危害后果"),
    ]
    tiers = []
    for order, (name, text) in enumerate(names, start=1):
        fines = []
        for bounds in ranges:
            low = bounds.min_amount if bounds.min_amount is not None else Decimal(0)
            high = bounds.max_amount or Decimal(0)
            cuts = [
                low,
                low + (high - low) * Decimal("0.3"),
                low + (high - low) * Decimal("0.7"),
                high,
            ]
            if not percent:
                cuts[1], cuts[2] = _round100(cuts[1]), _round100(cuts[2])
            else:
                cuts[1], cuts[2] = cuts[1].quantize(Decimal(1)), cuts[2].quantize(Decimal(1))
            fines.append(
                BoundsData(
                    target=bounds.target,
                    stage=bounds.stage,
                    min_amount=bounds.min_amount if order == 1 else cuts[order - 1],
                    max_amount=cuts[order],
                    measure=bounds.measure,
                    extra_measures=list(bounds.extra_measures),
                )
            )
        tiers.append(
            TierData(
                order=order,
                name=name,
                condition_kind=ConditionKind.ALWAYS,
                condition_text=text,
                verified=False,
                notes=UNVERIFIED_SPLIT,
                fines=fines,
            )
        )
    return tiers


def counted_tiers(
    fact: str,
    label: str,
    rows: list[dict[str, Any]],
    *,
    source: str = "",
) -> list[TierData]:
    """Tiers keyed on one counted fact; each row gives bounds, fines, verified."""
    tiers = []
    for order, row in enumerate(rows, start=1):
        tiers.append(
            TierData(
                order=order,
                name=row["name"],
                condition_kind=ConditionKind.NUMERIC,
                condition_fact=fact,
                condition_fact_label=label,
                condition_lower=Decimal(row["lower"]) if row.get("lower") is not None else None,
                condition_lower_inclusive=row.get("lower_inclusive", True),
                condition_upper=Decimal(row["upper"]) if row.get("upper") is not None else None,
                condition_upper_inclusive=row.get("upper_inclusive", True),
                condition_text=row["text"],
                verified=row.get("verified", True),
                source=row.get("source", source),
                notes=row.get("notes", ""),
                fines=row["fines"],
            )
        )
    return tiers


# --- statutory ranges of 安全生产法 第六章 [S] -------------------------------------

R92 = [rng(UNIT, INITIAL, 30_000, 100_000, [ExtraMeasure.SUSPEND_BUSINESS])]
R94 = [
    rng(PRINCIPAL, INITIAL, 20_000, 50_000, [CORRECT]),
    rng(PRINCIPAL, UNCORRECTED, 50_000, 100_000, [SUSPEND]),
]
R95 = [rng(PRINCIPAL, INITIAL, 40, 100, measure=FineMeasure.INCOME_PERCENT)]
R96 = [rng(PRINCIPAL, INITIAL, 10_000, 30_000, [CORRECT])]
R97 = [
    rng(UNIT, INITIAL, None, 100_000, [CORRECT]),
    rng(UNIT, UNCORRECTED, 100_000, 200_000, [SUSPEND]),
    rng(PERSON, UNCORRECTED, 20_000, 50_000),
]
R98 = [
    rng(UNIT, INITIAL, 100_000, 500_000, [ExtraMeasure.STOP_CONSTRUCTION, SUSPEND, CORRECT]),
    rng(PERSON, INITIAL, 20_000, 50_000),
    rng(UNIT, UNCORRECTED, 500_000, 1_000_000),
    rng(PERSON, UNCORRECTED, 50_000, 100_000),
]
R99 = [
    rng(UNIT, INITIAL, None, 50_000, [CORRECT]),
    rng(UNIT, UNCORRECTED, 50_000, 200_000),
    rng(PERSON, UNCORRECTED, 10_000, 20_000),
]
R101 = R97
R102 = [
    rng(UNIT, INITIAL, None, 50_000, [ExtraMeasure.ORDER_ELIMINATION]),
    rng(PERSON, UNCORRECTED, 50_000, 100_000, [SUSPEND]),
]
R_AGREEMENT = [  # Art. 103 ¶2, 104, 105: unit ≤ 5万, persons ≤ 1万; not corrected → 停产停业
    rng(UNIT, INITIAL, None, 50_000, [CORRECT]),
    rng(PERSON, INITIAL, None, 10_000),
]
R106 = [rng(PRINCIPAL, INITIAL, 20_000, 100_000)]
R108 = [
    rng(UNIT, UNCORRECTED, 20_000, 200_000),
    rng(PERSON, UNCORRECTED, 10_000, 20_000),
]
R109 = [
    rng(UNIT, INITIAL, 50_000, 100_000, [CORRECT]),
    rng(UNIT, UNCORRECTED, 100_000, 200_000),
]
R110 = [rng(PRINCIPAL, INITIAL, 60, 100, measure=FineMeasure.INCOME_PERCENT)]
R114 = [rng(UNIT, INITIAL, 300_000, 20_000_000)]

CLAUSE_97 = (
    "责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，并处十万元以上二十万元以下的"
    "罚款，对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款"
)
CLAUSE_99 = (
    "责令限期改正，处五万元以下的罚款；逾期未改正的，处五万元以上二十万元以下的罚款，对其直接负责的"
    "主管人员和其他直接责任人员处一万元以上二万元以下的罚款；情节严重的，责令停产停业整顿"
)
CLAUSE_98 = (
    "责令停止建设或者停产停业整顿，限期改正，并处十万元以上五十万元以下的罚款，对其直接负责的主管人员"
    "和其他直接责任人员处二万元以上五万元以下的罚款；逾期未改正的，处五十万元以上一百万元以下的罚款，"
    "对其直接负责的主管人员和其他直接责任人员处五万元以上十万元以下的罚款"
)
CLAUSE_101 = CLAUSE_97
CLAUSE_AGREEMENT = (
    "责令限期改正，处五万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处一万元以下的罚款；"
    "逾期未改正的，责令停产停业（整顿）"
)

# --- sourced tiers [S3] -------------------------------------------------------

SRC_97_4 = "cltuan.cn/html/2021/11/10/593977.shtml（省级裁量基准）[S3]"
SRC_SHANXI = "晋应急发〔2021〕260号（山西省应急管理行政处罚裁量基准）[S3]"
SRC_SICHUAN = "川应急规〔2023〕1号（四川省安全生产行政处罚裁量基准）[S3]"


def _tiers_97_4() -> list[TierData]:
    return counted_tiers(
        "unrecorded_share",
        "未如实记录培训情况的从业人员占比（%）",
        [
            {
                "name": "较轻",
                "upper": 10,
                "text": "未如实记录的人员占从业人员10%以下（含本数）",
                "fines": [
                    rng(UNIT, INITIAL, None, 30_000, [CORRECT]),
                    rng(UNIT, UNCORRECTED, 100_000, 130_000, [SUSPEND]),
                    rng(PERSON, UNCORRECTED, 20_000, 20_000),
                ],
            },
            {
                "name": "一般",
                "lower": 10,
                "lower_inclusive": False,
                "upper": 30,
                "text": "未如实记录的人员占从业人员10%以上30%以下",
                "fines": [
                    rng(UNIT, INITIAL, 30_000, 70_000, [CORRECT]),
                    rng(UNIT, UNCORRECTED, 130_000, 170_000, [SUSPEND]),
                ],
            },
            {
                "name": "较重",
                "lower": 30,
                "lower_inclusive": False,
                "text": "未如实记录的人员占从业人员30%以上",
                "verified": False,
                "notes": "[U] The > 30 % row is inferred from the two published rows.",
                "fines": [
                    rng(UNIT, INITIAL, 70_000, 100_000, [CORRECT]),
                    rng(UNIT, UNCORRECTED, 170_000, 200_000, [SUSPEND]),
                ],
            },
        ],
        source=SRC_97_4,
    )


# 晋应急发〔2021〕260号, Art. 99(1), as published (DOMAIN §6.4(b)):
# (places missing a sign, fine, fine if not corrected, persons).
SHANXI_99_1_PUBLISHED: list[tuple[str, tuple[int, int], tuple[int, int], tuple[int, int]]] = [
    ("1", (10_000, 10_000), (50_000, 50_000), (5_000, 5_000)),
    ("2", (10_000, 20_000), (50_000, 80_000), (5_000, 10_000)),
    ("3", (20_000, 30_000), (80_000, 130_000), (10_000, 20_000)),
    ("4", (20_000, 30_000), (130_000, 170_000), (10_000, 15_000)),
    ("≥5", (30_000, 50_000), (170_000, 200_000), (15_000, 20_000)),
]


def shanxi_99_1_tiers(persons: list[tuple[int, int]] | None = None) -> list[TierData]:
    """The 山西 tiers for Art. 99(1); ``persons`` replaces the person fines."""
    rows = []
    for index, (count, fine, uncorrected, person) in enumerate(SHANXI_99_1_PUBLISHED):
        low, high = persons[index] if persons else person
        bounds = {"lower": 5} if count == "≥5" else {"lower": int(count), "upper": int(count)}
        rows.append(
            {
                "name": f"{count}处",
                **bounds,
                "text": f"{count}处场所、设施、设备未设置明显的安全警示标志",
                "fines": [
                    rng(UNIT, INITIAL, fine[0], fine[1], [CORRECT]),
                    rng(UNIT, UNCORRECTED, uncorrected[0], uncorrected[1]),
                    rng(PERSON, UNCORRECTED, low, high),
                ],
            }
        )
    return counted_tiers(
        "places_missing_sign",
        "未设置明显安全警示标志的场所、设施、设备（处）",
        rows,
        source=SRC_SHANXI,
    )


def _tiers_99_1() -> list[TierData]:
    # Person fines corrected to the statute (¥10,000–20,000) and to rise with the tier.
    tiers = shanxi_99_1_tiers(
        persons=[
            (10_000, 10_000),
            (10_000, 10_000),
            (10_000, 15_000),
            (10_000, 15_000),
            (15_000, 20_000),
        ]
    )
    notes = {
        1: "[U] Published person fine ¥5,000 is below the statutory minimum "
        "(安全生产法第九十九条: 一万元以上); raised to ¥10,000.",
        2: "[U] Published person fine ¥5,000–10,000 is below the statutory minimum; "
        "raised to ¥10,000.",
        3: "[U] Published person fine ¥10,000–20,000 is above tier 4 (¥10,000–15,000); "
        "lowered to ¥10,000–15,000 so that a higher tier never allows a lower fine.",
    }
    for tier in tiers:
        if tier.order in notes:
            tier.verified = False
            tier.notes = notes[tier.order]
    return tiers


def _tiers_deficiencies() -> list[TierData]:
    """DOMAIN §6.4(c): illustrative ≤3万 / 3–7万 / 7–10万 by number of deficiencies [U]."""
    rows = []
    cuts = [
        (None, 30_000, 100_000, 130_000),
        (30_000, 70_000, 130_000, 170_000),
        (70_000, 100_000, 170_000, 200_000),
    ]
    texts = ["存在1项问题", "存在2项问题", "存在3项以上问题"]
    bounds = [{"lower": 1, "upper": 1}, {"lower": 2, "upper": 2}, {"lower": 3}]
    for index, (low, high, un_low, un_high) in enumerate(cuts):
        fines = [
            rng(UNIT, INITIAL, low, high, [CORRECT]),
            rng(UNIT, UNCORRECTED, un_low, un_high, [SUSPEND]),
        ]
        rows.append(
            {
                "name": ["较轻", "一般", "较重"][index],
                **bounds[index],
                "text": texts[index],
                "verified": False,
                "notes": "[U] Illustrative split (DOMAIN §6.4(c)); no published table found.",
                "fines": fines,
            }
        )
    return counted_tiers("deficiency_count", "存在问题的项数", rows)


def _tiers_92() -> list[TierData]:
    return counted_tiers(
        "false_items",
        "报告失实的内容（项）",
        [
            {
                "name": "较轻",
                "lower": 1,
                "upper": 1,
                "text": "1项内容失实",
                "fines": [rng(UNIT, INITIAL, 30_000, 50_000, [ExtraMeasure.SUSPEND_BUSINESS])],
            },
            {
                "name": "一般",
                "lower": 2,
                "upper": 2,
                "text": "2项内容失实",
                "fines": [rng(UNIT, INITIAL, 50_000, 80_000, [ExtraMeasure.SUSPEND_BUSINESS])],
            },
            {
                "name": "较重",
                "lower": 3,
                "text": "3项以上内容失实",
                "verified": False,
                "notes": "[U] The source says only “more → higher”.",
                "fines": [rng(UNIT, INITIAL, 80_000, 100_000, [ExtraMeasure.SUSPEND_BUSINESS])],
            },
        ],
        source=SRC_SICHUAN,
    )


ACCIDENT_CLASSES = [
    ("accident_general", "发生一般事故"),
    ("accident_larger", "发生较大事故"),
    ("accident_major", "发生重大事故"),
    ("accident_especially_major", "发生特别重大事故"),
]


def _accident_tiers(
    fines: list[tuple[int, int]], measure: str, target: str, source: str
) -> list[TierData]:
    tiers = []
    for order, ((code, text), (low, high)) in enumerate(
        zip(ACCIDENT_CLASSES, fines, strict=True), start=1
    ):
        tiers.append(
            TierData(
                order=order,
                name=text.removeprefix("发生"),
                condition_kind=ConditionKind.CIRCUMSTANCE,
                condition_circumstance=code,
                condition_text=text,
                source=source,
                fines=[rng(target, INITIAL, low, high, measure=measure)],
            )
        )
    return tiers


def _entry(
    code: str,
    violation: str,
    article: int,
    item: int | None,
    provision: tuple[int, int | None],
    ranges: list[BoundsData],
    clause: str,
    *,
    paragraph: int | None = None,
    tiers: list[TierData] | None = None,
    issuing: str = "",
    no_discretion: bool = False,
    notes: str = "",
) -> EntryData:
    return EntryData(
        code=code,
        violation=violation,
        penalty_basis_text=cite(article, paragraph, item),
        legal_provision_text=cite(provision[0], provision[1]),
        penalty_clause=clause,
        effective_from=AQ_IN_FORCE,
        issuing_document=issuing,
        no_discretion=no_discretion,
        notes=notes,
        ranges=ranges,
        tiers=tiers if tiers is not None else split_tiers(ranges),
    )


ITEMS_97 = [
    (1, "未按照规定设置安全生产管理机构或者配备安全生产管理人员、注册安全工程师", (24, None)),
    (
        2,
        "危险物品的生产、经营、储存、装卸单位以及矿山、金属冶炼、建筑施工、运输单位的主要负责人和安全生产管理人员未按照规定经考核合格",
        (27, 2),
    ),
    (
        3,
        "未按照规定对从业人员、被派遣劳动者、实习学生进行安全生产教育和培训，或者未按照规定如实告知有关的安全生产事项",
        (28, None),
    ),
    (4, "未如实记录安全生产教育和培训情况", (28, 4)),
    (5, "未将事故隐患排查治理情况如实记录或者未向从业人员通报", (41, 2)),
    (6, "未按照规定制定生产安全事故应急救援预案或者未定期组织演练", (81, None)),
    (7, "特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业", (30, None)),
]
ITEMS_98 = [
    (
        1,
        "未按照规定对矿山、金属冶炼建设项目或者用于生产、储存、装卸危险物品的建设项目进行安全评价",
        (32, None),
    ),
    (
        2,
        "矿山、金属冶炼建设项目或者用于生产、储存、装卸危险物品的建设项目没有安全设施设计或者安全设施设计未按照规定报经有关部门审查同意",
        (33, None),
    ),
    (
        3,
        "矿山、金属冶炼建设项目或者用于生产、储存、装卸危险物品的建设项目的施工单位未按照批准的安全设施设计施工",
        (34, None),
    ),
    (
        4,
        "矿山、金属冶炼建设项目或者用于生产、储存、装卸危险物品的建设项目竣工投入生产或者使用前，安全设施未经验收合格",
        (34, None),
    ),
]
ITEMS_99 = [
    (1, "未在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志", (35, None)),
    (2, "安全设备的安装、使用、检测、改造和报废不符合国家标准或者行业标准", (36, 1)),
    (3, "未对安全设备进行经常性维护、保养和定期检测", (36, 2)),
    (
        4,
        "关闭、破坏直接关系生产安全的监控、报警、防护、救生设备、设施，或者篡改、隐瞒、销毁其相关数据、信息",
        (36, 3),
    ),
    (5, "未为从业人员提供符合国家标准或者行业标准的劳动防护用品", (45, None)),
    (
        6,
        "危险物品的容器、运输工具等未经具有专业资质的机构检测、检验合格，取得安全使用证或者安全标志，投入使用",
        (37, None),
    ),
    (7, "使用应当淘汰的危及生产安全的工艺、设备", (38, None)),
    (8, "餐饮等行业的生产经营单位使用燃气未安装可燃气体报警装置", (36, 4)),
]
ITEMS_101 = [
    (
        1,
        "生产、经营、运输、储存、使用危险物品或者处置废弃危险物品，未建立专门安全管理制度、未采取可靠的安全措施",
        (39, None),
    ),
    (
        2,
        "对重大危险源未登记建档，未进行定期检测、评估、监控，未制定应急预案，或者未告知应急措施",
        (40, None),
    ),
    (3, "进行爆破、吊装、动火、临时用电等危险作业，未安排专门人员进行现场安全管理", (43, None)),
    (4, "未建立安全风险分级管控制度或者未按照安全风险分级采取相应管控措施", (41, 1)),
    (5, "未建立事故隐患排查治理制度，或者重大事故隐患排查治理情况未按照规定报告", (41, 2)),
]


def seed_entries() -> list[EntryData]:
    """The seeded entries: DOMAIN §6.4's three and 35 more from 第六章."""
    entries = [
        _entry(
            "AQ092-01",
            "承担安全评价、认证、检测、检验职责的机构出具失实报告",
            92,
            None,
            (72, None),
            R92,
            "责令停业整顿，并处三万元以上十万元以下的罚款",
            paragraph=1,
            tiers=_tiers_92(),
            issuing=SRC_SICHUAN,
        ),
        _entry(
            "AQ094-01",
            "生产经营单位的主要负责人未履行本法规定的安全生产管理职责",
            94,
            None,
            (21, None),
            R94,
            "责令限期改正，处二万元以上五万元以下的罚款；逾期未改正的，处五万元以上十万元以下的罚款，"
            "责令生产经营单位停产停业整顿",
            paragraph=1,
        ),
        _entry(
            "AQ095",
            "生产经营单位的主要负责人未履行安全生产管理职责，导致发生生产安全事故",
            95,
            None,
            (21, None),
            R95,
            "一般事故处上一年年收入百分之四十的罚款；较大事故百分之六十；重大事故百分之八十；"
            "特别重大事故百分之一百",
            tiers=_accident_tiers(
                [(40, 40), (60, 60), (80, 80), (100, 100)],
                FineMeasure.INCOME_PERCENT,
                PRINCIPAL,
                cite(95),
            ),
            no_discretion=True,
            notes="Fixed percentages by accident class: no discretion applies.",
        ),
        _entry(
            "AQ096",
            "生产经营单位的其他负责人和安全生产管理人员未履行本法规定的安全生产管理职责",
            96,
            None,
            (25, None),
            R96,
            "责令限期改正，处一万元以上三万元以下的罚款；导致发生生产安全事故的，暂停或者吊销其与安全生产"
            "有关的资格，并处上一年年收入百分之二十以上百分之五十以下的罚款",
        ),
    ]
    for item, violation, provision in ITEMS_97:
        entries.append(
            _entry(
                f"AQ097-{item:02d}",
                violation,
                97,
                item,
                provision,
                R97,
                CLAUSE_97,
                tiers=_tiers_97_4() if item == 4 else None,
                issuing=SRC_97_4 if item == 4 else "",
            )
        )
    for item, violation, provision in ITEMS_98:
        entries.append(_entry(f"AQ098-{item:02d}", violation, 98, item, provision, R98, CLAUSE_98))
    for item, violation, provision in ITEMS_99:
        entries.append(
            _entry(
                f"AQ099-{item:02d}",
                violation,
                99,
                item,
                provision,
                R99,
                CLAUSE_99,
                tiers=_tiers_99_1() if item == 1 else None,
                issuing=SRC_SHANXI if item == 1 else "",
            )
        )
    for item, violation, provision in ITEMS_101:
        entries.append(
            _entry(
                f"AQ101-{item:02d}",
                violation,
                101,
                item,
                provision,
                R101,
                CLAUSE_101,
                tiers=_tiers_deficiencies(),
            )
        )
    entries += [
        _entry(
            "AQ102",
            "生产经营单位未采取措施消除事故隐患",
            102,
            None,
            (41, 2),
            R102,
            "责令立即消除或者限期消除，处五万元以下的罚款；生产经营单位拒不执行的，责令停产停业整顿，"
            "对其直接负责的主管人员和其他直接责任人员处五万元以上十万元以下的罚款",
        ),
        _entry(
            "AQ103-K2",
            "生产经营单位未与承包单位、承租单位签订专门的安全生产管理协议或者未明确各自的安全生产管理职责，"
            "或者未对承包单位、承租单位的安全生产统一协调、管理",
            103,
            None,
            (49, 2),
            R_AGREEMENT,
            CLAUSE_AGREEMENT,
            paragraph=2,
        ),
        _entry(
            "AQ104",
            "两个以上生产经营单位在同一作业区域内进行可能危及对方安全生产的生产经营活动，未签订安全生产管理"
            "协议或者未指定专职安全生产管理人员进行安全检查与协调",
            104,
            None,
            (48, None),
            R_AGREEMENT,
            CLAUSE_AGREEMENT,
        ),
        _entry(
            "AQ105-01",
            "生产、经营、储存、使用危险物品的车间、商店、仓库与员工宿舍在同一座建筑内，或者与员工宿舍的距离"
            "不符合安全要求",
            105,
            1,
            (42, 1),
            R_AGREEMENT,
            CLAUSE_AGREEMENT,
        ),
        _entry(
            "AQ105-02",
            "生产经营场所和员工宿舍未设有符合紧急疏散需要、标志明显、保持畅通的出口、疏散通道，或者占用、"
            "锁闭、封堵生产经营场所或者员工宿舍出口、疏散通道",
            105,
            2,
            (42, 2),
            R_AGREEMENT,
            CLAUSE_AGREEMENT,
        ),
        _entry(
            "AQ106",
            "生产经营单位与从业人员订立协议，免除或者减轻其对从业人员因生产安全事故伤亡依法应承担的责任",
            106,
            None,
            (52, 2),
            R106,
            "该协议无效；对生产经营单位的主要负责人、个人经营的投资人处二万元以上十万元以下的罚款",
        ),
        _entry(
            "AQ108",
            "生产经营单位拒绝、阻碍负有安全生产监督管理职责的部门依法实施监督检查",
            108,
            None,
            (66, None),
            R108,
            "责令改正；拒不改正的，处二万元以上二十万元以下的罚款；对其直接负责的主管人员和其他直接责任人员"
            "处一万元以上二万元以下的罚款",
        ),
        _entry(
            "AQ109",
            "高危行业、领域的生产经营单位未按照国家规定投保安全生产责任保险",
            109,
            None,
            (51, 2),
            R109,
            "责令限期改正，处五万元以上十万元以下的罚款；逾期未改正的，处十万元以上二十万元以下的罚款",
        ),
        _entry(
            "AQ110-K1",
            "生产经营单位的主要负责人在本单位发生生产安全事故时，不立即组织抢救或者在事故调查处理期间"
            "擅离职守或者逃匿",
            110,
            None,
            (83, None),
            R110,
            "给予降级、撤职的处分，并由应急管理部门处上一年年收入百分之六十至百分之一百的罚款",
            paragraph=1,
            tiers=split_tiers(R110, percent=True),
        ),
        _entry(
            "AQ114",
            "发生生产安全事故，对负有责任的生产经营单位处以罚款",
            114,
            None,
            (4, None),
            R114,
            "一般事故处三十万元以上一百万元以下的罚款；较大事故一百万元以上二百万元以下；重大事故二百万元"
            "以上一千万元以下；特别重大事故一千万元以上二千万元以下",
            paragraph=1,
            tiers=_accident_tiers(
                [
                    (300_000, 1_000_000),
                    (1_000_000, 2_000_000),
                    (2_000_000, 10_000_000),
                    (10_000_000, 20_000_000),
                ],
                FineMeasure.AMOUNT,
                UNIT,
                cite(114, 1),
            ),
        ),
    ]
    return entries


# --- rules, circumstances, no-penalty list -----------------------------------------

BAND_SOURCE = "国办发〔2022〕27号《关于进一步规范行政裁量权基准制定和管理工作的意见》[U]"
RULES: list[dict[str, Any]] = [
    {
        "code": RuleCode.LENIENT_BAND,
        "lower": 0,
        "upper": 30,
        "source": BAND_SOURCE,
        "verified": False,
        "effective_from": datetime.date(2022, 7, 29),
        "notes": "从轻: the lowest 30 % of the range.",
    },
    {
        "code": RuleCode.STANDARD_BAND,
        "lower": 30,
        "upper": 70,
        "source": BAND_SOURCE,
        "verified": False,
        "effective_from": datetime.date(2022, 7, 29),
        "notes": "一般: between the 从轻 and 从重 bands.",
    },
    {
        "code": RuleCode.SEVERE_BAND,
        "lower": 70,
        "upper": 100,
        "source": BAND_SOURCE,
        "verified": False,
        "effective_from": datetime.date(2022, 7, 29),
        "notes": "从重: the highest 30 % of the range.",
    },
    {
        "code": RuleCode.MIN_AGE,
        "lower": 14,
        "upper": None,
        "source": CF + "第三十条",
        "verified": True,
        "effective_from": CF_IN_FORCE,
        "notes": "不满十四周岁的未成年人有违法行为的，不予行政处罚。",
    },
    {
        "code": RuleCode.ADULT_AGE,
        "lower": 18,
        "upper": None,
        "source": CF + "第三十条",
        "verified": True,
        "effective_from": CF_IN_FORCE,
        "notes": "已满十四周岁不满十八周岁的，应当从轻或者减轻行政处罚。",
    },
    {
        "code": RuleCode.LIMITATION_YEARS,
        "lower": 2,
        "upper": None,
        "source": CF + "第三十六条第一款",
        "verified": True,
        "effective_from": CF_IN_FORCE,
        "notes": "",
    },
    {
        "code": RuleCode.EXTENDED_LIMITATION_YEARS,
        "lower": 5,
        "upper": None,
        "source": CF + "第三十六条第一款",
        "verified": True,
        "effective_from": CF_IN_FORCE,
        "notes": "涉及公民生命健康安全、金融安全且有危害后果的。",
    },
]

AGGRAVATING_SOURCE = "江门市安全生产行政处罚自由裁量适用规则（fjbada.com）[S3]"
CIRCUMSTANCES: list[dict[str, Any]] = [
    {
        "code": "eliminated_harm",
        "name": "主动消除或者减轻违法行为危害后果",
        "effect": CircumstanceEffect.MUST_MITIGATE,
        "source": CF + "第三十二条第（一）项",
    },
    {
        "code": "coerced",
        "name": "受他人胁迫或者诱骗实施违法行为",
        "effect": CircumstanceEffect.MUST_MITIGATE,
        "source": CF + "第三十二条第（二）项",
    },
    {
        "code": "confessed",
        "name": "主动供述行政机关尚未掌握的违法行为",
        "effect": CircumstanceEffect.MUST_MITIGATE,
        "source": CF + "第三十二条第（三）项",
    },
    {
        "code": "meritorious",
        "name": "配合行政机关查处违法行为有立功表现",
        "effect": CircumstanceEffect.MUST_MITIGATE,
        "source": CF + "第三十二条第（四）项",
    },
    {
        "code": "obstructed_enforcement",
        "name": "拒绝、阻碍或者以暴力威胁执法人员依法执行职务",
        "effect": CircumstanceEffect.AGGRAVATE,
        "source": AGGRAVATING_SOURCE,
    },
    {
        "code": "refused_correction",
        "name": "逾期未改正或者拒不改正",
        "effect": CircumstanceEffect.AGGRAVATE,
        "source": AGGRAVATING_SOURCE,
    },
    {
        "code": "repeat_within_year",
        "name": "一年内因同一种违法行为受到两次以上行政处罚",
        "effect": CircumstanceEffect.AGGRAVATE,
        "source": AGGRAVATING_SOURCE,
    },
    {
        "code": "hazards_not_remedied",
        "name": "未依法排查治理事故隐患",
        "effect": CircumstanceEffect.AGGRAVATE,
        "source": AGGRAVATING_SOURCE,
    },
    {
        "code": "destroyed_evidence",
        "name": "隐匿、销毁违法行为证据",
        "effect": CircumstanceEffect.AGGRAVATE,
        "source": AGGRAVATING_SOURCE,
    },
    {
        "code": "retaliation",
        "name": "打击报复举报人、证人",
        "effect": CircumstanceEffect.AGGRAVATE,
        "source": AGGRAVATING_SOURCE,
    },
] + [
    {
        "code": code,
        "name": text,
        "effect": CircumstanceEffect.TIER,
        "source": "《生产安全事故报告和调查处理条例》第三条",
    }
    for code, text in ACCIDENT_CLASSES
]

NO_PENALTY_DOC = "示范清单（参照云应急办〔2022〕25号格式）[U]"
NO_PENALTY_ITEMS: list[dict[str, Any]] = [
    {
        "code": "BYCF-001",
        "entry_code": "AQ099-01",
        "matter": (
            "对未在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志的处罚"
        ),
        "basis_text": cite(99, None, 1),
        "circumstance_text": "初次违法，仅1处未设置，危害后果轻微，并在责令限期改正期限内改正",
        "no_penalty_basis_text": CF + "第三十三条第一款",
        "decision": DecisionClass.MAY_WAIVE,
        "requires_first_violation": True,
        "requires_corrected_in_time": True,
        "max_harm": HarmLevel.MINOR,
        "condition_fact": "places_missing_sign",
        "condition_upper": Decimal(1),
    },
    {
        "code": "BYCF-002",
        "entry_code": "AQ097-04",
        "matter": "对未如实记录安全生产教育和培训情况的处罚",
        "basis_text": cite(97, None, 4),
        "circumstance_text": (
            "未如实记录的人员占从业人员5%以下（含本数），及时改正，没有造成危害后果"
        ),
        "no_penalty_basis_text": CF + "第三十三条第一款",
        "decision": DecisionClass.NO_PENALTY,
        "requires_first_violation": False,
        "requires_corrected_in_time": True,
        "max_harm": HarmLevel.NONE,
        "condition_fact": "unrecorded_share",
        "condition_upper": Decimal(5),
    },
    {
        "code": "BYCF-003",
        "entry_code": "AQ097-05",
        "matter": "对未将事故隐患排查治理情况如实记录或者未向从业人员通报的处罚",
        "basis_text": cite(97, None, 5),
        "circumstance_text": "初次违法，危害后果轻微，并在责令限期改正期限内改正",
        "no_penalty_basis_text": CF + "第三十三条第一款",
        "decision": DecisionClass.MAY_WAIVE,
        "requires_first_violation": True,
        "requires_corrected_in_time": True,
        "max_harm": HarmLevel.MINOR,
    },
    {
        "code": "BYCF-004",
        "entry_code": "AQ097-06",
        "matter": "对未按照规定定期组织应急救援预案演练的处罚",
        "basis_text": cite(97, None, 6),
        "circumstance_text": "已制定预案但未按期演练，初次违法，及时补充演练，没有造成危害后果",
        "no_penalty_basis_text": CF + "第三十三条第一款",
        "decision": DecisionClass.MAY_WAIVE,
        "requires_first_violation": True,
        "requires_corrected_in_time": True,
        "max_harm": HarmLevel.NONE,
    },
]


def ensure_laws(*, actor: Any, names: list[str] | None = None) -> list[str]:
    """Import the law texts the seed cites, unless they are already stored."""
    from fazhi.laws.models import Law
    from fazhi.laws.services import law_import_paths

    missing = [
        LAW_DIR / name
        for name in (names or SEED_LAWS)
        if not Law.objects.filter(source_name=name).exists()
    ]
    if not missing:
        return []
    results = law_import_paths(actor=actor, paths=missing)
    return [result.summary() for result in results]


@transaction.atomic
def discretion_seed(*, actor: Any, codes: set[str] | None = None) -> list[str]:
    """Create the seed rules, circumstances, entries and no-penalty rows that are missing.

    ``codes`` limits the entries (and their no-penalty rows) to those codes.
    """
    from fazhi.discretion import services
    from fazhi.discretion.models import (
        DiscretionCircumstance,
        DiscretionEntry,
        DiscretionRule,
        NoPenaltyItem,
    )

    lines = ensure_laws(actor=actor)
    created = {"rules": 0, "circumstances": 0, "entries": 0, "no_penalty": 0}
    for row in RULES:
        if not DiscretionRule.objects.filter(
            code=row["code"], effective_from=row["effective_from"]
        ).exists():
            services.discretion_rule_save(
                actor=actor,
                **{
                    **row,
                    "lower": Decimal(row["lower"]),
                    "upper": None if row["upper"] is None else Decimal(row["upper"]),
                },
            )
            created["rules"] += 1
    for order, row in enumerate(CIRCUMSTANCES, start=1):
        if not DiscretionCircumstance.objects.filter(code=row["code"]).exists():
            services.circumstance_save(
                actor=actor,
                **row,
                verified="[U]" not in row["source"],
                sort_order=order,
                effective_from=CF_IN_FORCE,
            )
            created["circumstances"] += 1
    for data in seed_entries():
        if codes is not None and data.code not in codes:
            continue
        if not DiscretionEntry.objects.filter(code=data.code).exists():
            services.discretion_entry_create(actor=actor, data=data)
            created["entries"] += 1
    for row in NO_PENALTY_ITEMS:
        if codes is not None and row["entry_code"] not in codes:
            continue
        if not NoPenaltyItem.objects.filter(code=row["code"]).exists():
            services.no_penalty_item_save(
                actor=actor,
                **row,
                issuing_document=NO_PENALTY_DOC,
                verified=False,
                effective_from=datetime.date(2022, 1, 1),
            )
            created["no_penalty"] += 1
    lines.append(
        "discretion seed: {rules} rules, {circumstances} circumstances, {entries} entries, "
        "{no_penalty} no-penalty rows created".format(**created)
    )
    return lines
