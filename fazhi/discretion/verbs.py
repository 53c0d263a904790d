"""The audit verbs of the discretion benchmarks (裁量基准), with labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Verb(models.TextChoices):
    ENTRY_CREATE = "discretion.entry.create", gettext_lazy("Added a discretion entry")
    ENTRY_UPDATE = "discretion.entry.update", gettext_lazy("Corrected a discretion entry")
    ENTRY_REVISE = (
        "discretion.entry.revise",
        gettext_lazy("Started a new version of a discretion entry"),
    )
    ENTRY_END = "discretion.entry.end", gettext_lazy("Ended a version of a discretion entry")
    RULE_CREATE = "discretion.rule.create", gettext_lazy("Added a discretion rule value")
    RULE_UPDATE = "discretion.rule.update", gettext_lazy("Changed a discretion rule value")
    NO_PENALTY_CREATE = (
        "discretion.no_penalty_item.create",
        gettext_lazy("Added a row to the no-penalty list"),
    )
    NO_PENALTY_UPDATE = (
        "discretion.no_penalty_item.update",
        gettext_lazy("Changed a row of the no-penalty list"),
    )
    CIRCUMSTANCE_CREATE = (
        "discretion.circumstance.create",
        gettext_lazy("Added a discretion circumstance"),
    )
    CIRCUMSTANCE_UPDATE = (
        "discretion.circumstance.update",
        gettext_lazy("Changed a discretion circumstance"),
    )
    BASELINE_CREATE = "discretion.baseline.create", gettext_lazy("Added a baseline document")
    BASELINE_UPDATE = "discretion.baseline.update", gettext_lazy("Changed a baseline document")
    ADOPTION_CREATE = "discretion.adoption.create", gettext_lazy("Adopted a baseline")
    ADOPTION_DELETE = "discretion.adoption.delete", gettext_lazy("Stopped applying a baseline")
