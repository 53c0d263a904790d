"""Choices of the case app (行政处罚案件)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary procedure")
    SUMMARY = "summary", _("Summary procedure")


class CaseState(models.TextChoices):
    """Every state of both procedures; each workflow uses its own subset."""

    INTAKE = "intake", _("Case intake")
    DECLINED = "declined", _("Not opened")
    INVESTIGATING = "investigating", _("Investigation")
    REVIEW = "review", _("Case review")
    NOTIFIED = "notified", _("Notified (statement and defence)")
    HEARING = "hearing", _("Hearing")
    PENDING_DECISION = "pending_decision", _("Awaiting decision")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    DECIDED = "decided", _("Decided")
    REFERRED = "referred", _("Referred to judicial organs")
    SERVED = "served", _("Served")
    EXECUTED = "executed", _("Executed")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class PartyKind(models.TextChoices):
    """Art. 51 and the hearing thresholds distinguish citizens from organisations."""

    PERSON = "person", _("Citizen")
    ORGANISATION = "organisation", _("Legal person or other organisation")


class CaseSource(models.TextChoices):
    INSPECTION = "inspection", _("Inspection finding")
    COMPLAINT = "complaint", _("Complaint or report")
    REFERRAL = "referral", _("Referral from another agency")
    ASSIGNMENT = "assignment", _("Assigned by a higher level")
    OTHER = "other", _("Other")


class PenaltyKind(models.TextChoices):
    """行政处罚法 Art. 9 (the kinds an 应急 bureau uses)."""

    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    CONFISCATION = "confiscation", _("Confiscation of illegal gains or property")
    SUSPENSION = "suspension", _("Order to suspend production or business")
    REVOCATION = "revocation", _("Revocation of a licence")
    CLOSURE = "closure", _("Order to close")
    RESTRICTION = "restriction", _("Restriction from practice")


class DecisionKind(models.TextChoices):
    PENALTY = "penalty", _("Penalty")
    NO_PENALTY = "no_penalty", _("No penalty")
    REFERRAL = "referral", _("Referral to judicial organs")


class OfficerRole(models.TextChoices):
    LEAD = "lead", _("Lead officer")
    ASSIST = "assist", _("Assisting officer")


class EventKind(models.TextChoices):
    """Records kept on a case (全过程记录); appended, never edited."""

    NOTE = "note", _("Note")
    STATEMENT = "statement", _("Statement and defence")
    HEARING = "hearing", _("Hearing")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    DISCUSSION = "discussion", _("Collective discussion")
    EXTENSION = "extension", _("Extension of the time limit")
    EDUCATION = "education", _("Education record")
    SERVICE = "service", _("Service")
    PAYMENT = "payment", _("Payment of the fine")
    AMOUNT = "amount", _("Fine amount")
    EVIDENCE = "evidence", _("Evidence attached")
    ARCHIVE = "archive", _("Case file exported")


class RulePurpose(models.TextChoices):
    """What a case rule row decides (DOMAIN §1, §3)."""

    HEARING_RIGHT = "hearing_right", _("Offer of a hearing")
    LEGAL_REVIEW = "legal_review", _("Legal review of a major decision")
    COLLECTIVE_DISCUSSION = "collective_discussion", _("Collective discussion by the leadership")
    SUMMARY_LIMIT = "summary_limit", _("Summary procedure limit")


class RuleCondition(models.TextChoices):
    FINE_AT_LEAST = "fine_at_least", _("Fine at least")
    CONFISCATION_AT_LEAST = "confiscation_at_least", _("Confiscation at least")
    PENALTY_KIND = "penalty_kind", _("Penalty kind")
    CASE_FLAG = "case_flag", _("Case circumstance")
    FINE_AT_MOST = "fine_at_most", _("Fine at most")


class CaseFlag(models.TextChoices):
    """Circumstances an officer records that trigger review or discussion."""

    MAJOR_PUBLIC_INTEREST = "major_public_interest", _("Major public interest involved")
    HEARING_HELD = "hearing_held", _("A hearing was held")
    COMPLEX = "complex", _("Difficult or complex case with several legal relationships")
    CRIME_SUSPECTED = "crime_suspected", _("Crime suspected")
    SERIOUS = "serious", _("Complex circumstances or a major violation")
