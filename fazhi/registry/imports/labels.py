"""How choices are written in import and export files (Chinese, as offices use).

These are the file format, not UI text: an export carries them and an
import accepts them (plus the codes), whatever language the UI shows.
"""

from __future__ import annotations

from fazhi.registry.choices import (
    CreditClass,
    EnforcementDomain,
    EntityKind,
    EntityScale,
    EntityStatus,
    RiskLevel,
    StandardizationLevel,
)

Table = dict[str, tuple[str, ...]]

# code -> the label written in files (first) and other accepted spellings
KIND: Table = {
    EntityKind.ENTERPRISE: ("企业", "公司", "企业法人"),
    EntityKind.INDIVIDUAL_BUSINESS: ("个体工商户", "个体户", "个体"),
    EntityKind.INSTITUTION: ("事业单位",),
    EntityKind.SOCIAL_ORGANIZATION: ("社会组织", "社会团体", "民办非企业单位", "基金会"),
    EntityKind.OTHER: ("其他", "农民专业合作社", "机关"),
}
SCALE: Table = {
    EntityScale.LARGE: ("大型",),
    EntityScale.MEDIUM: ("中型",),
    EntityScale.SMALL: ("小型",),
    EntityScale.MICRO: ("微型",),
}
STANDARDIZATION: Table = {
    StandardizationLevel.LEVEL_1: ("一级", "一级企业", "一级达标"),
    StandardizationLevel.LEVEL_2: ("二级", "二级企业", "二级达标"),
    StandardizationLevel.LEVEL_3: ("三级", "三级企业", "三级达标"),
    StandardizationLevel.SMALL_MICRO: ("小微", "小微企业"),
    StandardizationLevel.NONE: ("未达标", "无", "未评定", "未评级"),
}
RISK: Table = {
    RiskLevel.MAJOR: ("重大风险", "重大", "红", "红色"),
    RiskLevel.HIGH: ("较大风险", "较大", "橙", "橙色"),
    RiskLevel.MODERATE: ("一般风险", "一般", "黄", "黄色"),
    RiskLevel.LOW: ("低风险", "低", "蓝", "蓝色"),
}
CREDIT: Table = {
    CreditClass.A: ("A", "A类"),
    CreditClass.B: ("B", "B类"),
    CreditClass.C: ("C", "C类"),
    CreditClass.D: ("D", "D类"),
}
STATUS: Table = {
    EntityStatus.ACTIVE: ("存续", "在业", "开业", "正常"),
    EntityStatus.CANCELLED: ("注销",),
    EntityStatus.REVOKED: ("吊销", "吊销未注销"),
}
DOMAIN: Table = {
    EnforcementDomain.GENERAL_SAFETY: ("安全生产综合", "安全生产"),
    EnforcementDomain.HAZARDOUS_CHEMICALS: ("危险化学品", "危化品"),
    EnforcementDomain.MINING: ("非煤矿山", "矿山"),
    EnforcementDomain.FIREWORKS: ("烟花爆竹",),
    EnforcementDomain.INDUSTRY_TRADE: ("工贸", "工贸行业"),
    EnforcementDomain.EMERGENCY_RESCUE: ("应急救援",),
    EnforcementDomain.DISASTER_PREVENTION: ("防灾减灾", "自然灾害防治"),
    EnforcementDomain.FIRE_SAFETY: ("消防",),
    EnforcementDomain.MARKET_REGULATION: ("市场监管",),
    EnforcementDomain.PUBLIC_SECURITY: ("公安",),
    EnforcementDomain.OTHER: ("其他",),
}
TRUE_WORDS = ("是", "Y", "YES", "TRUE", "1", "√", "重点")
FALSE_WORDS = ("否", "N", "NO", "FALSE", "0", "×", "", "一般")


def lookup(table: Table) -> dict[str, str]:
    """Map every accepted spelling (and the code itself) to the code."""
    found: dict[str, str] = {}
    for code, names in table.items():
        found[str(code).upper()] = str(code)
        for name in names:
            found[name.upper()] = str(code)
    return found


def file_label(table: Table, code: str) -> str:
    names = table.get(code)
    return names[0] if names else code


def allowed(table: Table) -> str:
    return "、".join(names[0] for names in table.values())
