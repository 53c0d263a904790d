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
    DEMANDED = "demanded", _("Demand to perform served")
    COURT = "court", _("Court enforcement applied for")
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
    DEFERRAL = "deferral", _("Deferred or instalment payment")
    DEMAND = "demand", _("Demand to perform")
    COURT = "court", _("Application for court enforcement")
    COERCION = "coercion", _("Sealing up or seizure")
    REFERRAL = "referral", _("Referral of a suspected crime")
    EVIDENCE = "evidence", _("Evidence attached")
    ARCHIVE = "archive", _("Case file exported")
    PRESERVATION = "preservation", _("Decision on preserved evidence")
    DECISION_CHANGE = "decision_change", _("Decision changed, revoked or held illegal or void")


class PreservationOutcome(models.TextChoices):
    """What is decided on evidence preserved under 行政处罚法 Art. 56.

    The law sets only the time limit; these are the decisions the sector's
    procedure rules name (release, testing, 查封扣押, confiscation by the
    penalty decision, hand-over to the competent authority).
    """

    RELEASE = "release", _("Release the items and return them to the party")
    TEST = "test", _("Send for testing, inspection, quarantine or appraisal")
    SEIZE = "seize", _("Seal up or seize them (Administrative Coercion Law)")
    CONFISCATE = "confiscate", _("Confiscate them by the penalty decision")
    HAND_OVER = "hand_over", _("Hand them over to the competent authority")


class RulePurpose(models.TextChoices):
    """What a case rule row decides (DOMAIN §1, §3)."""

    HEARING_RIGHT = "hearing_right", _("Offer of a hearing")
    LEGAL_REVIEW = "legal_review", _("Legal review of a major decision")
    COLLECTIVE_DISCUSSION = "collective_discussion", _("Collective discussion by the leadership")
    SUMMARY_LIMIT = "summary_limit", _("Summary procedure limit")
    LATE_PAYMENT = "late_payment", _("Additional fine for late payment")


class RuleCondition(models.TextChoices):
    FINE_AT_LEAST = "fine_at_least", _("Fine at least")
    CONFISCATION_AT_LEAST = "confiscation_at_least", _("Confiscation at least")
    PENALTY_KIND = "penalty_kind", _("Penalty kind")
    CASE_FLAG = "case_flag", _("Case circumstance")
    FINE_AT_MOST = "fine_at_most", _("Fine at most")
    DAILY_PERCENT = "daily_percent", _("Percent of the fine per day")
    CAP_PERCENT = "cap_percent", _("At most this percent of the fine")


class CaseFlag(models.TextChoices):
    """Circumstances an officer records that trigger review or discussion."""

    MAJOR_PUBLIC_INTEREST = "major_public_interest", _("Major public interest involved")
    HEARING_HELD = "hearing_held", _("A hearing was held")
    COMPLEX = "complex", _("Difficult or complex case with several legal relationships")
    CRIME_SUSPECTED = "crime_suspected", _("Crime suspected")
    SERIOUS = "serious", _("Complex circumstances or a major violation")


class CoercionKind(models.TextChoices):
    """行政强制法 Art. 9(2): the two measures on places, facilities and things."""

    SEAL = "seal", _("Sealing up (查封)")
    SEIZE = "seize", _("Seizure (扣押)")


class CoercionState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    REFUSED = "refused", _("Not approved")
    IN_FORCE = "in_force", _("In force")
    TESTING = "testing", _("Paused for testing or appraisal")
    RELEASED = "released", _("Released")
    DISPOSED = "disposed", _("Disposed of")


class TestKind(models.TextChoices):
    """行政强制法 Art. 25 ¶3: periods not counted in the seizure limit."""

    DETECTION = "detection", _("Detection (检测)")
    INSPECTION = "inspection", _("Inspection (检验)")
    QUARANTINE = "quarantine", _("Quarantine (检疫)")
    APPRAISAL = "appraisal", _("Technical appraisal (技术鉴定)")


class ReleaseGround(models.TextChoices):
    """行政强制法 Art. 28 ¶1: the grounds for releasing a seizure."""

    NO_VIOLATION = "no_violation", _("The party committed no violation")
    UNRELATED = "unrelated", _("The things are unrelated to the violation")
    DECIDED = "decided", _("The violation has been decided; no longer needed")
    EXPIRED = "expired", _("The time limit has expired")
    OTHER = "other", _("No longer needed for another reason")


class DisposalKind(models.TextChoices):
    """行政强制法 Art. 27: confiscation or destruction of illegal property."""

    CONFISCATE = "confiscate", _("Confiscation")
    DESTROY = "destroy", _("Destruction")


class ReferralState(models.TextChoices):
    DRAFT = "draft", _("Report being written")
    REPORTED = "reported", _("Report awaiting approval")
    REFUSED = "refused", _("Referral not approved")
    APPROVED = "approved", _("Referral approved")
    REFERRED = "referred", _("Referred to the public security organ")
    ACCEPTED = "accepted", _("Accepted (case opened)")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    HANDED_OVER = "handed_over", _("Things and materials handed over")


class DeferralKind(models.TextChoices):
    """行政处罚法 Art. 66 ¶2."""

    DEFER = "defer", _("Deferred payment")
    INSTALMENTS = "instalments", _("Payment in instalments")


class PublicityState(models.TextChoices):
    """执法公示 of a decision (行政处罚法 Art. 48)."""

    PUBLISHED = "published", _("On public display")
    WITHDRAWAL_DUE = "withdrawal_due", _("Published; withdrawal due")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DecisionChange(models.TextChoices):
    """行政处罚法 Art. 48 ¶2: what befell a published decision."""

    CHANGED = "changed", _("Decision changed")
    REVOKED = "revoked", _("Decision revoked")
    ILLEGAL = "illegal", _("Decision confirmed illegal")
    VOID = "void", _("Decision confirmed void")


class ChangeGround(models.TextChoices):
    """Who changed, revoked or held a decision illegal or void."""

    RECONSIDERATION = "reconsideration", _("Administrative reconsideration decision")
    LITIGATION = "litigation", _("Court judgment")
    SELF_CORRECTION = "self_correction", _("Corrected by this agency")
    SUPERVISION = "supervision", _("Ordered by the higher-level authority")
