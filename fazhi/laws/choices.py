"""Choices of the law library."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LawLevel(models.TextChoices):
    """效力层级 — the rank of a legal text."""

    LAW = "law", _("Law")  # 法律
    ADMINISTRATIVE_REGULATION = (
        "administrative_regulation",
        _("Administrative regulation"),
    )  # 行政法规
    DEPARTMENTAL_RULE = "departmental_rule", _("Departmental rule")  # 部门规章
    LOCAL_REGULATION = "local_regulation", _("Local regulation")  # 地方性法规
    LOCAL_GOVERNMENT_RULE = "local_government_rule", _("Local government rule")  # 地方政府规章
    NORMATIVE_DOCUMENT = "normative_document", _("Normative document")  # 规范性文件


class LawStatus(models.TextChoices):
    """时效性 — whether a version is in force."""

    IN_FORCE = "in_force", _("In force")  # 现行有效
    AMENDED = "amended", _("Amended")  # 已被修订
    REPEALED = "repealed", _("Repealed")  # 已废止


class ImportOutcome(models.TextChoices):
    CREATED = "created", _("Imported")
    UNCHANGED = "unchanged", _("Unchanged")
    FAILED = "failed", _("Failed")


class DateConfidence(models.TextChoices):
    """How sure the table of effective dates is (``effective-dates.tsv``)."""

    HIGH = "high", _("High confidence")
    MEDIUM_HIGH = "medium-high", _("Medium to high confidence")
    MEDIUM = "medium", _("Medium confidence")
    LOW = "low", _("Low confidence")


class TermOrigin(models.TextChoices):
    """Where a term's mapping comes from."""

    SHIPPED = "shipped", _("Shipped default")
    EDITED = "edited", _("Edited by the legal section")
