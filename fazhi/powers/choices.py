"""Choices of the power catalog (权责清单) and the discretion baselines (裁量基准).

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


# --- discretion -----------------------------------------------------------


class FineTarget(models.TextChoices):
    """Who a fine is imposed on."""

    UNIT = "unit", _("Business unit")  # 生产经营单位
    PRINCIPAL = "principal", _("Person in charge")  # 主要负责人 / 其他负责人 / 投资人
    RESPONSIBLE_PERSON = "responsible_person", _("Directly responsible persons")
    # 直接负责的主管人员和其他直接责任人员


class Stage(models.TextChoices):
    """The stage of the violation a fine belongs to."""

    INITIAL = "initial", _("Initial violation")  # 初次 (责令限期改正并处罚款)
    UNCORRECTED = "uncorrected", _("Not corrected in time")  # 逾期未改正 / 拒不改正


class FineMeasure(models.TextChoices):
    """What the numbers of a fine range count."""

    AMOUNT = "amount", _("Yuan")  # 元
    INCOME_PERCENT = "income_percent", _("Percentage of last year's income")  # 上一年年收入百分比


class ExtraMeasure(models.TextChoices):
    """Measures that come with a fine (or replace it)."""

    ORDER_CORRECTION = "order_correction", _("Order to correct within a time limit")
    # 责令限期改正
    ORDER_ELIMINATION = "order_elimination", _("Order to eliminate the hazard")  # 责令立即消除
    SUSPEND_PRODUCTION = "suspend_production", _("Suspend production for rectification")
    # 责令停产停业整顿
    STOP_CONSTRUCTION = "stop_construction", _("Stop construction")  # 责令停止建设
    SUSPEND_BUSINESS = "suspend_business", _("Suspend business for rectification")  # 责令停业整顿
    CONFISCATE_GAINS = "confiscate_gains", _("Confiscate illegal gains")  # 没收违法所得
    REVOKE_QUALIFICATION = "revoke_qualification", _("Suspend or revoke qualification")
    # 暂停或者吊销有关资格
    REQUEST_CLOSURE = "request_closure", _("Request closure by the government")  # 提请关闭


class ConditionKind(models.TextChoices):
    """How a tier's condition (适用条件) is tested."""

    NUMERIC = "numeric", _("A counted fact within bounds")
    CIRCUMSTANCE = "circumstance", _("A named circumstance applies")
    ALWAYS = "always", _("Always (chosen by the officer)")


class CircumstanceEffect(models.TextChoices):
    """The legal effect of a circumstance (情节) on the fine."""

    MUST_MITIGATE = "must_mitigate", _("Must be lenient or mitigated")  # 应当从轻或者减轻
    MAY_MITIGATE = "may_mitigate", _("May be lenient or mitigated")  # 可以从轻或者减轻
    AGGRAVATE = "aggravate", _("Severe")  # 从重
    TIER = "tier", _("Selects a tier only")


class HarmLevel(models.TextChoices):
    """危害后果 — the harm a violation caused."""

    NONE = "none", _("No harm")  # 没有造成危害后果
    MINOR = "minor", _("Minor harm")  # 危害后果轻微
    GENERAL = "general", _("Harm")  # 造成一定危害后果
    SERIOUS = "serious", _("Serious harm")  # 危害后果严重


class DecisionClass(models.TextChoices):
    """The outcome classes of the discretion calculator (GLOSSARY)."""

    NO_PENALTY = "no_penalty", _("No penalty")  # 不予处罚
    MAY_WAIVE = "may_waive", _("Penalty may be waived")  # 可不予处罚
    LENIENT = "lenient", _("Lenient")  # 从轻
    STANDARD = "standard", _("Standard")  # 一般
    SEVERE = "severe", _("Severe")  # 从重
    MITIGATED = "mitigated", _("Mitigated")  # 减轻


class RuleCode(models.TextChoices):
    """Numbers the discretion calculator uses; each is versioned rule data."""

    LENIENT_BAND = "lenient_band", _("Lenient band (percent of the range)")
    STANDARD_BAND = "standard_band", _("Standard band (percent of the range)")
    SEVERE_BAND = "severe_band", _("Severe band (percent of the range)")
    MIN_AGE = "min_age", _("Age below which no penalty is imposed")
    ADULT_AGE = "adult_age", _("Age below which the penalty must be mitigated")
    LIMITATION_YEARS = "limitation_years", _("Limitation period (years)")
    EXTENDED_LIMITATION_YEARS = (
        "extended_limitation_years",
        _("Limitation period where life, health or financial security was harmed (years)"),
    )


BAND_RULES: dict[str, str] = {
    DecisionClass.LENIENT: RuleCode.LENIENT_BAND,
    DecisionClass.STANDARD: RuleCode.STANDARD_BAND,
    DecisionClass.SEVERE: RuleCode.SEVERE_BAND,
}
