"""The audit verbs of inspections, with labels (procedure steps: their transitions' labels)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Verb(models.TextChoices):
    CHECKITEM_SAVE = "inspections.checkitem.save", gettext_lazy("Saved a random-check item")
    PLAN_CREATE = "inspections.annualplan.create", gettext_lazy("Created an annual plan")
    PLAN_UPDATE = "inspections.annualplan.update", gettext_lazy("Changed an annual plan")
    GROUP_ADD = "inspections.plangroup.add", gettext_lazy("Added a group to a plan")
    GROUP_REMOVE = "inspections.plangroup.remove", gettext_lazy("Removed a group from a plan")
    TASK_CREATE = "inspections.inspectiontask.create", gettext_lazy("Created a random-check task")
    TASK_QUEUE = "inspections.inspectiontask.queue", gettext_lazy("Queued a commitment or draw")
    TASK_REPLACE = (
        "inspections.inspectiontask.replace",
        gettext_lazy("Replaced a drawn entity or officer"),
    )
    TASK_PLAN_INSPECTIONS = (
        "inspections.inspectiontask.plan_inspections",
        gettext_lazy("Created the inspections of a task"),
    )
    INSPECTION_CREATE = "inspections.inspection.create", gettext_lazy("Created an inspection")
    INSPECTION_SAVE = "inspections.inspection.save", gettext_lazy("Saved an inspection record")
    INSPECTION_EVIDENCE = "inspections.inspection.evidence", gettext_lazy("Added evidence")
    INSPECTION_SIGN = "inspections.inspection.sign", gettext_lazy("Signed an inspection record")
    FINDING_ADD = "inspections.finding.add", gettext_lazy("Recorded a hazard")
    FINDING_RECTIFIED = (
        "inspections.finding.rectified",
        gettext_lazy("Recorded whether a hazard was rectified"),
    )
    FINDING_REFER = "inspections.finding.refer", gettext_lazy("Referred a hazard to a case")
    RATIO_SAVE = "inspections.samplingratio.save", gettext_lazy("Saved a sampling ratio")
    RATIO_END = "inspections.samplingratio.end", gettext_lazy("Ended a sampling ratio")
