"""Choices for plans, random-check tasks and inspections."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fazhi.registry import pool_line


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LEGAL_REVIEW = "legal_review", _("In legal review")
    LEADER_APPROVAL = "leader_approval", _("Awaiting leader approval")
    FILED = "filed", _("Filed with the level above")
    PUBLISHED = "published", _("Published")


class GroupKind(models.TextChoices):
    KEY = "key", _("Key units (full coverage)")
    RANDOM = "random", _("Random checks (双随机)")


class ItemKind(models.TextChoices):
    """一般检查事项 / 重点检查事项."""

    GENERAL = "general", _("General item")
    KEY = "key", _("Key item")


class CheckMethod(models.TextChoices):
    ON_SITE = "on_site", _("On-site inspection")
    DOCUMENTS = "documents", _("Document review")
    ONLINE = "online", _("Online monitoring")
    SAMPLING = "sampling", _("Sampling and testing")


class TaskState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMMITTED = "committed", _("Committed (pool frozen and published)")
    SEEDED = "seeded", _("Seed fixed")
    DRAWN = "drawn", _("Drawn")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Sample(models.TextChoices):
    MAIN = "main", _("Risk-weighted sample")
    CONTROL = "control", _("Control sample")
    BOTH = "both", _("Both samples")


class SelectionStatus(models.TextChoices):
    SELECTED = "selected", _("Selected")
    REPLACED = "replaced", _("Replaced")


class Exclusion(models.TextChoices):
    """Why an entity in scope is not eligible (codes written into the pool)."""

    RECENT = "recent", _("Inspected within the window")
    KEY_PLAN = pool_line.KEY_PLAN, _("Covered by the key-unit plan")
    CAP = "cap", _("Yearly cap reached")
    STATUS = pool_line.STATUS, _("Not in business (not 存续)")


class InspectionSource(models.TextChoices):
    DRAW = "draw", _("Random draw")
    KEY_PLAN = "key_plan", _("Key-unit plan")
    COMPLAINT = "complaint", _("Complaint or report")
    ACCIDENT = "accident", _("Accident")
    REFERRAL = "referral", _("Referral")
    ASSIGNMENT = "assignment", _("Assigned by a higher level")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    NO_HAZARDS = "no_hazards", _("No hazards found")
    HAZARDS_FOUND = "hazards_found", _("Hazards found")
    RECTIFYING = "rectifying", _("Rectification ordered")
    REINSPECTION = "reinspection", _("Re-inspection")
    CLOSED = "closed", _("Closed")
    ESCALATED = "escalated", _("Escalated")


class CheckResult(models.TextChoices):
    PENDING = "pending", _("Not checked")
    COMPLIANT = "compliant", _("Compliant")
    HAZARD = "hazard", _("Hazard")
    NOT_APPLICABLE = "na", _("Not applicable")


class Severity(models.TextChoices):
    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard")


class InspectionRuleCode(models.TextChoices):
    """Rule data for random checks (values live in InspectionRule rows)."""

    PROBABILITY_FLOOR = "probability_floor_ppm", _("Minimum selection probability (ppm)")
    RECENT_WINDOW = "recent_window_months", _("Skip entities inspected within (months)")
    YEARLY_CAP = "yearly_cap", _("Inspections per unit per year, at most")
    GENERAL_ITEM_CAP = "general_item_cap_ppm", _("Ratio cap for general items (ppm)")
    CONTROL_RATIO = "control_ratio_ppm", _("Default control sample ratio (ppm)")


class PublicationState(models.TextChoices):
    """Results publication (抽查结果公示): due once the inspection ends."""

    NOT_DUE = "not_due", _("Not due yet")
    PENDING = "pending", _("To be published")
    PUBLISHED = "published", _("Published")
