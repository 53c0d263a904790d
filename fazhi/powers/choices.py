"""Choices of the power catalog (权责清单).

The Chinese legal terms that appear in published catalogs are data: the
``*_CN`` mappings translate between the terms bureaus print in their Excel
files and the codes stored here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PowerType(models.TextChoices):
    """权力类型 — the ten kinds of administrative power in a catalog."""

    LICENSING = "licensing", _("Administrative licensing")  # 行政许可
    PENALTY = "penalty", _("Administrative penalty")  # 行政处罚
    COERCION = "coercion", _("Administrative coercion")  # 行政强制
    LEVY = "levy", _("Administrative levy")  # 行政征收
    BENEFIT = "benefit", _("Administrative benefit")  # 行政给付
    INSPECTION = "inspection", _("Administrative inspection")  # 行政检查
    CONFIRMATION = "confirmation", _("Administrative confirmation")  # 行政确认
    REWARD = "reward", _("Administrative reward")  # 行政奖励
    ADJUDICATION = "adjudication", _("Administrative adjudication")  # 行政裁决
    OTHER = "other", _("Other administrative power")  # 其他行政权力


POWER_TYPE_CN: dict[str, str] = {
    PowerType.LICENSING: "行政许可",
    PowerType.PENALTY: "行政处罚",
    PowerType.COERCION: "行政强制",
    PowerType.LEVY: "行政征收",
    PowerType.BENEFIT: "行政给付",
    PowerType.INSPECTION: "行政检查",
    PowerType.CONFIRMATION: "行政确认",
    PowerType.REWARD: "行政奖励",
    PowerType.ADJUDICATION: "行政裁决",
    PowerType.OTHER: "其他行政权力",
}
POWER_TYPE_FROM_CN: dict[str, str] = {cn: code for code, cn in POWER_TYPE_CN.items()}
# Short forms seen in published catalogs.
POWER_TYPE_FROM_CN.update({"其他权力": PowerType.OTHER, "其他": PowerType.OTHER})

# Two-letter prefixes used in item codes (e.g. QDOOAJ-CF-0436 for a penalty).
POWER_TYPE_PREFIX: dict[str, str] = {
    PowerType.LICENSING: "XK",
    PowerType.PENALTY: "CF",
    PowerType.COERCION: "QZ",
    PowerType.LEVY: "ZS",
    PowerType.BENEFIT: "JF",
    PowerType.INSPECTION: "JC",
    PowerType.CONFIRMATION: "QR",
    PowerType.REWARD: "JL",
    PowerType.ADJUDICATION: "CJ",
    PowerType.OTHER: "QT",
}


class CatalogStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ExerciseLevel(models.TextChoices):
    """行使层级 / 第一责任层级 — the government level that exercises a power."""

    PROVINCE = "province", _("Province")  # 省级
    CITY = "city", _("City")  # 市级 / 地区本级
    COUNTY = "county", _("County")  # 县级


EXERCISE_LEVEL_CN: dict[str, str] = {
    ExerciseLevel.PROVINCE: "省级",
    ExerciseLevel.CITY: "市级",
    ExerciseLevel.COUNTY: "县级",
}
EXERCISE_LEVEL_FROM_CN: dict[str, str] = {
    "省级": ExerciseLevel.PROVINCE,
    "省": ExerciseLevel.PROVINCE,
    "市级": ExerciseLevel.CITY,
    "市": ExerciseLevel.CITY,
    "地区本级": ExerciseLevel.CITY,
    "设区的市级": ExerciseLevel.CITY,
    "县级": ExerciseLevel.COUNTY,
    "县": ExerciseLevel.COUNTY,
    "县（市、区）级": ExerciseLevel.COUNTY,
    "县(市、区)级": ExerciseLevel.COUNTY,
    "县区级": ExerciseLevel.COUNTY,
}


class ResponsibilityStage(models.TextChoices):
    """责任事项 — the stage of exercising a power that a duty belongs to."""

    ACCEPTANCE = "acceptance", _("Acceptance")  # 受理责任
    REVIEW = "review", _("Review")  # 审查责任
    DECISION = "decision", _("Decision")  # 决定责任
    SERVICE = "service", _("Service")  # 送达责任
    ENFORCEMENT = "enforcement", _("Enforcement")  # 执行责任
    SUPERVISION = "supervision", _("Follow-up supervision")  # 事后监管责任
    OTHER = "other", _("Other duties")  # 其他责任


RESPONSIBILITY_CN: dict[str, str] = {
    ResponsibilityStage.ACCEPTANCE: "受理",
    ResponsibilityStage.REVIEW: "审查",
    ResponsibilityStage.DECISION: "决定",
    ResponsibilityStage.SERVICE: "送达",
    ResponsibilityStage.ENFORCEMENT: "执行",
    ResponsibilityStage.SUPERVISION: "事后监管",
    ResponsibilityStage.OTHER: "其他",
}
RESPONSIBILITY_FROM_CN: dict[str, str] = {cn: code for code, cn in RESPONSIBILITY_CN.items()}
RESPONSIBILITY_FROM_CN.update(
    {
        "监管": ResponsibilityStage.SUPERVISION,
        "立案": ResponsibilityStage.ACCEPTANCE,
        "调查": ResponsibilityStage.REVIEW,
        "检查": ResponsibilityStage.REVIEW,
        "告知": ResponsibilityStage.DECISION,
        "处置": ResponsibilityStage.ENFORCEMENT,
    }
)


class ChangeKind(models.TextChoices):
    ADDED = "added", _("Added")
    REMOVED = "removed", _("Removed")
    CHANGED = "changed", _("Changed")
