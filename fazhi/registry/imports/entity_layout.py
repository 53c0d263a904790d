"""The entity list's file layout: its columns, the staging fields a checked
row becomes, and an entity as a row of that layout (exports re-import)."""

from __future__ import annotations

import re
from typing import Any

from fazhi.registry.choices import EntityKind
from fazhi.registry.imports import labels
from fazhi.registry.imports.spec import Column
from fazhi.registry.models import Entity, RegulatoryCategory

COLUMNS = (
    Column("uscc", "统一社会信用代码", True, ("信用代码", "社会信用代码", "uscc"), "18位"),
    Column("name", "单位名称", True, ("名称", "企业名称", "检查对象名称", "name")),
    Column(
        "kind",
        "主体类型",
        False,
        ("类型", "kind"),
        labels.allowed(labels.KIND) + "；空白时按信用代码推断",
    ),
    Column(
        "legal_representative",
        "法定代表人",
        False,
        ("负责人", "法定代表人（负责人）", "legal_representative"),
    ),
    Column(
        "region_code",
        "行政区划代码",
        False,
        ("区划代码", "region_code"),
        "6位；空白时取信用代码第3–8位",
    ),
    Column("address", "地址", True, ("注册地址", "经营地址", "生产经营地址", "address")),
    Column(
        "industry_section",
        "行业门类",
        False,
        ("门类", "industry_section"),
        "GB/T 4754-2017 门类字母或名称",
    ),
    Column(
        "industry_division",
        "行业大类",
        False,
        ("大类", "国民经济行业", "industry_division"),
        "两位代码或名称",
    ),
    Column("scale", "企业规模", False, ("规模", "scale"), labels.allowed(labels.SCALE)),
    Column("categories", "监管类别", False, ("行业监管类别", "categories"), "多个用“、”分隔"),
    Column("key_supervision", "重点监管", False, ("是否重点监管", "key_supervision"), "是/否"),
    Column(
        "standardization_level",
        "安全生产标准化等级",
        False,
        ("标准化等级", "standardization_level"),
        labels.allowed(labels.STANDARDIZATION),
    ),
    Column(
        "risk_level",
        "风险等级",
        False,
        ("安全风险等级", "risk_level"),
        labels.allowed(labels.RISK),
    ),
    Column(
        "credit_class",
        "信用等级",
        False,
        ("信用分类", "信用风险分类", "credit_class"),
        "A、B、C、D",
    ),
    Column(
        "status",
        "登记状态",
        False,
        ("经营状态", "状态", "status"),
        labels.allowed(labels.STATUS) + "；空白为存续",
    ),
    Column("contact_phone", "联系电话", False, ("电话", "contact_phone")),
    Column(
        "agency",
        "监管机构",
        False,
        ("监管单位", "属地监管部门", "supervising_agency"),
        "空白时为导入时选定的单位",
    ),
)

STAGING_FIELDS = (
    "uscc",
    "name",
    "kind",
    "legal_representative",
    "region_code",
    "address",
    "industry_section",
    "industry_division",
    "scale",
    "category_bits",
    "key_supervision",
    "standardization_level",
    "risk_level",
    "credit_class",
    "status",
    "contact_phone",
    "supervising_agency_id",
    "dedupe_key",
)
# Columns compared to decide whether a row changes its entity.
COMPARED = STAGING_FIELDS[1:16]
MAX_LENGTH = {"name": 200, "legal_representative": 60, "address": 255, "contact_phone": 30}
_SPLIT = re.compile(r"[、,，;；/|\s]+")
Problem = tuple[str, str, str]  # column key, value, reason
_KIND_BY_PREFIX = {
    "91": EntityKind.ENTERPRISE,
    "92": EntityKind.INDIVIDUAL_BUSINESS,
    "93": EntityKind.OTHER,
    "12": EntityKind.INSTITUTION,
    "51": EntityKind.SOCIAL_ORGANIZATION,
    "52": EntityKind.SOCIAL_ORGANIZATION,
    "53": EntityKind.SOCIAL_ORGANIZATION,
}
COLUMN_ORDER = {c.key: i for i, c in enumerate(COLUMNS)}


def export_row(entity: Entity, categories: list[RegulatoryCategory]) -> list[Any]:
    """One entity as a row of the import layout (so an export re-imports)."""
    return [
        entity.uscc,
        entity.name,
        labels.file_label(labels.KIND, entity.kind),
        entity.legal_representative,
        entity.region_code,
        entity.address,
        entity.industry_section,
        entity.industry_division,
        labels.file_label(labels.SCALE, entity.scale) if entity.scale else "",
        "、".join(c.name for c in categories if entity.category_bits & c.mask),
        "是" if entity.key_supervision else "否",
        labels.file_label(labels.STANDARDIZATION, entity.standardization_level)
        if entity.standardization_level
        else "",
        labels.file_label(labels.RISK, entity.risk_level) if entity.risk_level else "",
        entity.credit_class,
        labels.file_label(labels.STATUS, entity.status),
        entity.contact_phone,
        entity.supervising_agency.name,
    ]
