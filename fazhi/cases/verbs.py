"""The audit verbs of cases, with labels (procedure steps: their transitions' labels)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Verb(models.TextChoices):
    CASE_CREATE = "cases.case.create", gettext_lazy("Registered a case")
    CASE_UPDATE = "cases.case.update", gettext_lazy("Changed a case")
    CASE_NOTE = "cases.case.note", gettext_lazy("Added a note to a case")
    CASE_EXTEND = "cases.case.extend", gettext_lazy("Extended the decision time limit")
    CASE_FROM_REFERRAL = (
        "cases.case.from_referral",
        gettext_lazy("Registered a case from a referred hazard"),
    )
    CASE_ARCHIVE_REQUEST = (
        "cases.case.archive_request",
        gettext_lazy("Asked for the electronic case file"),
    )
    CASE_ARCHIVE = "cases.case.archive", gettext_lazy("Made the electronic case file")
    OFFICER_ADD = "cases.officer.add", gettext_lazy("Added an officer to a case")
    VIOLATION_ADD = "cases.violation.add", gettext_lazy("Added a violation to a case")
    EVIDENCE_ADD = "cases.evidence.add", gettext_lazy("Added evidence to a case")
    EVIDENCE_VERIFY = "cases.evidence.verify", gettext_lazy("Checked a case's evidence")
    EVIDENCE_TAMPERED = (
        "cases.evidence.tampered",
        gettext_lazy("Found evidence changed after it was added"),
    )
    PRESERVATION_START = (
        "cases.preservation.start",
        gettext_lazy("Preserved evidence in advance (先行登记保存)"),
    )
    PRESERVATION_DECIDE = (
        "cases.preservation.decide",
        gettext_lazy("Decided on preserved evidence"),
    )
    COERCION_CREATE = "cases.coercion.create", gettext_lazy("Reported a seizure or detention")
    REFERRAL_CREATE = (
        "cases.crimereferral.create",
        gettext_lazy("Reported a suspected crime for referral"),
    )
    PUBLICATION_PUBLISH = (
        "cases.publication.publish",
        gettext_lazy("Published a penalty decision (执法公示)"),
    )
    PUBLICATION_WITHDRAW = (
        "cases.publication.withdraw",
        gettext_lazy("Withdrew a published penalty decision"),
    )
    DECISION_CHANGE = (
        "cases.case.decision_change",
        gettext_lazy("Recorded that a decision was changed, revoked or held illegal or void"),
    )
