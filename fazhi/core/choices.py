from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    SECTION = "section", _("Section")
    DETACHMENT = "detachment", _("Enforcement detachment")
    BRIGADE = "brigade", _("Enforcement brigade")
    COORDINATION_BODY = "coordination_body", _("Coordination body")


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class RoleCode(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    LEADER = "leader", _("Bureau leader")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    OFFICER = "officer", _("Enforcement officer")
    LICENSING_CLERK = "licensing_clerk", _("Licensing clerk")
    SUPERVISOR = "supervisor", _("Enforcement supervisor")
    ENTERPRISE = "enterprise", _("Enterprise user")


class Scope(models.TextChoices):
    """How far a role sees beyond the user's own unit."""

    UNIT = "unit", _("Own unit and its sub-units")
    AGENCY = "agency", _("Own agency and its subordinate agencies")
    ALL = "all", _("Everything")
    OWN = "own", _("Only records linked to the user")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday (rest day)")
    WORKDAY = "workday", _("Make-up working day")


class CalendarKind(models.TextChoices):
    """What a day is for counting time limits (工作日 / 周末 / 法定节假日 / 调休上班日)."""

    WORKDAY = "workday", _("Working day")
    WEEKEND = "weekend", _("Weekend")
    HOLIDAY = "holiday", _("Statutory holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")


class DayOrigin(models.TextChoices):
    """Where the calendar's answer for a day comes from."""

    OVERRIDE = "override", _("Administrator override")
    PACKAGE = "package", _("State Council holiday notice")
    WEEKDAY = "weekday", _("Ordinary week")
    ASSUMED = "assumed", _("Unknown year: weekends only")


class ClockUnit(models.TextChoices):
    WORKDAY = "workday", _("Working days")
    CALENDAR = "calendar", _("Calendar days")
    MONTH = "month", _("Months")
    YEAR = "year", _("Years")


class AttachmentRole(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence")
    DOCUMENT = "document", _("Document")
    IMPORT = "import", _("Import file")
    OTHER = "other", _("Other")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
