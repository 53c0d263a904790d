"""Choices of the discretion baselines (裁量基准)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FineTarget(models.TextChoices):
    """Who a fine is imposed on."""

    UNIT = "unit", _("Business unit")  # 生产经营单位
    PRINCIPAL = "principal", _("Person in charge")  # 主要负责人 / 其他负责人 / 投资人
    RESPONSIBLE_PERSON = "responsible_person", _("Directly responsible persons")
    # 直接负责的主管人员和其他直接责任人员
    OTHER_MANAGER = "other_manager", _("Other persons in charge and safety managers")
    # 其他负责人和安全生产管理人员 (安全生产法 Art. 96)


class Stage(models.TextChoices):
    """The stage of the violation a fine belongs to."""

    INITIAL = "initial", _("Initial violation")  # 初次 (责令限期改正并处罚款)
    UNCORRECTED = "uncorrected", _("Not corrected in time")  # 逾期未改正 / 拒不改正
    REFUSED = "refused", _("Fined and still refused to correct")  # 受到罚款处罚，拒不改正
    ACCIDENT = "accident", _("Caused a production safety accident")  # 导致发生生产安全事故
    SERIOUS = "serious", _("Serious circumstances")  # 情节严重
    EXTREME = "extreme", _("Especially serious circumstances and impact")
    # 情节特别严重、影响特别恶劣


class FineMeasure(models.TextChoices):
    """What the numbers of a fine range count."""

    AMOUNT = "amount", _("Yuan")  # 元
    INCOME_PERCENT = "income_percent", _("Percentage of last year's income")  # 上一年年收入百分比
    GAINS_MULTIPLE = "gains_multiple", _("Multiple of the illegal gains")  # 违法所得的倍数
    FINE_MULTIPLE = "fine_multiple", _("Multiple of another fine")  # 前款罚款数额的倍数
    DAILY = "daily", _("The original fine for every day not corrected")  # 按日连续处罚


class ExtraMeasure(models.TextChoices):
    """Measures that come with a fine (or replace it)."""

    ORDER_CORRECTION = "order_correction", _("Order to correct within a time limit")
    # 责令限期改正
    ORDER_ELIMINATION = "order_elimination", _("Order to eliminate the hazard")  # 责令立即消除
    SUSPEND_PRODUCTION = "suspend_production", _("Suspend production for rectification")
    # 责令停产停业整顿
    STOP_CONSTRUCTION = "stop_construction", _("Stop construction")  # 责令停止建设
    SUSPEND_BUSINESS = "suspend_business", _("Suspend business for rectification")  # 责令停业整顿
    STOP_PRODUCTION = "stop_production", _("Order to stop production or business")  # 责令停产停业
    CONFISCATE_GAINS = "confiscate_gains", _("Confiscate illegal gains")  # 没收违法所得
    REVOKE_QUALIFICATION = "revoke_qualification", _("Suspend or revoke qualification")
    # 暂停或者吊销有关资格
    REQUEST_CLOSURE = "request_closure", _("Request closure by the government")  # 提请关闭
    REVOKE_CERTIFICATES = "revoke_certificates", _("Revoke the qualification certificates")
    # 吊销资质证书 / 吊销其有关证照
    BAN_FIVE_YEARS = "ban_five_years", _("Barred for five years")
    # 五年内不得从事…工作 / 五年内不得担任主要负责人
    LIFETIME_BAN = "lifetime_ban", _("Barred for life")  # 终身行业和职业禁入 / 终身不得担任


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


class BaselineLevel(models.TextChoices):
    """The level of the body that issued a discretion baseline (裁量基准)."""

    NATIONAL = "national", _("National")  # 国务院部门（应急管理部）
    PROVINCE = "province", _("Province")  # 省级
    CITY = "city", _("City")  # 设区的市级
    COUNTY = "county", _("County")  # 县级


BASELINE_LEVEL_ORDER = [
    BaselineLevel.NATIONAL,
    BaselineLevel.PROVINCE,
    BaselineLevel.CITY,
    BaselineLevel.COUNTY,
]
