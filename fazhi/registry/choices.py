"""Choices for the two databases (对象库 and 人员库)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityKind(models.TextChoices):
    """主体类型."""

    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    INSTITUTION = "institution", _("Public institution")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    OTHER = "other", _("Other")


class EntityScale(models.TextChoices):
    """企业规模 (大型 / 中型 / 小型 / 微型)."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class StandardizationLevel(models.TextChoices):
    """安全生产标准化 grade."""

    LEVEL_1 = "level_1", _("Grade 1")
    LEVEL_2 = "level_2", _("Grade 2")
    LEVEL_3 = "level_3", _("Grade 3")
    SMALL_MICRO = "small_micro", _("Small and micro enterprise grade")
    NONE = "none", _("Not graded")


class RiskLevel(models.TextChoices):
    """安全风险等级: 重大 (red) / 较大 (orange) / 一般 (yellow) / 低 (blue)."""

    MAJOR = "major", _("Major risk")
    HIGH = "high", _("High risk")
    MODERATE = "moderate", _("Moderate risk")
    LOW = "low", _("Low risk")


class CreditClass(models.TextChoices):
    """企业信用风险分类 (A/B/C/D)."""

    A = "A", _("A (low credit risk)")
    B = "B", _("B (moderate credit risk)")
    C = "C", _("C (high credit risk)")
    D = "D", _("D (severe credit risk)")


class EntityStatus(models.TextChoices):
    """登记状态: 存续 / 注销 / 吊销."""

    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Deregistered")
    REVOKED = "revoked", _("License revoked")


class ChangeKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    IMPORTED = "imported", _("Updated by import")
    MERGED_INTO = "merged_into", _("Merged into another entity")
    ABSORBED = "absorbed", _("Absorbed a duplicate")


class ImportKind(models.TextChoices):
    ENTITY = "entity", _("Entities")
    OFFICER = "officer", _("Officers")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be checked")
    VALIDATING = "validating", _("Checking rows")
    VALIDATED = "validated", _("Checked, waiting for your choice")
    QUEUED = "queued", _("Waiting to be imported")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", _("In service")
    TRANSFERRED = "transferred", _("Transferred out")
    RETIRED = "retired", _("Retired")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class EnforcementDomain(models.TextChoices):
    """执法领域 an officer is certified or assigned for."""

    GENERAL_SAFETY = "general_safety", _("Work safety (general)")
    HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("Hazardous chemicals")
    MINING = "mining", _("Non-coal mines")
    FIREWORKS = "fireworks", _("Fireworks")
    INDUSTRY_TRADE = "industry_trade", _("Industry and trade")
    EMERGENCY_RESCUE = "emergency_rescue", _("Emergency rescue")
    DISASTER_PREVENTION = "disaster_prevention", _("Disaster prevention")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    PUBLIC_SECURITY = "public_security", _("Public security")
    OTHER = "other", _("Other")


class ExternalAgencyKind(models.TextChoices):
    """Departments that join 联合检查 (joint inspections)."""

    MARKET_REGULATION = "market_regulation", _("Market regulation")
    PUBLIC_SECURITY = "public_security", _("Public security")
    FIRE_RESCUE = "fire_rescue", _("Fire and rescue")
    HOUSING_CONSTRUCTION = "housing_construction", _("Housing and construction")
    TRANSPORT = "transport", _("Transport")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources")
    ECOLOGY_ENVIRONMENT = "ecology_environment", _("Ecology and environment")
    OTHER = "other", _("Other")


class ConflictKind(models.TextChoices):
    """利害关系 that requires 回避."""

    FORMER_EMPLOYER = "former_employer", _("Former employer")
    RELATIVE = "relative", _("Relative works there")
    SHAREHOLDING = "shareholding", _("Shareholding")
    OTHER = "other", _("Other interest")


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the officer")
    FOUND = "found", _("Found by a supervisor")


class RuleCode(models.TextChoices):
    """Rule data used by this app (values live in RegistryRule rows)."""

    TEAM_MIN_OFFICERS = "team_min_officers", _("Minimum officers in an inspection team")
    CERT_EXPIRY_WARNING_DAYS = (
        "cert_expiry_warning_days",
        _("Days before a certificate expires to warn"),
    )


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Exporting")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
