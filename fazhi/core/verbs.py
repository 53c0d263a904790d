"""The audit verbs of core (users, units, calendar, clocks, documents), with labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Verb(models.TextChoices):
    ATTACHMENT_STORE = "core.attachment.store", gettext_lazy("Stored an attachment")
    AUDIT_VERIFY = "core.auditevent.verify", gettext_lazy("Verified the audit chain")
    LOGIN = "core.user.login", gettext_lazy("Signed in")
    LOGIN_FAILED = "core.user.login_failed", gettext_lazy("Failed to sign in")
    LOCKED = "core.user.locked", gettext_lazy("Account locked")
    LOGOUT = "core.user.logout", gettext_lazy("Signed out")
    SESSION_EXPIRED = "core.user.session_expired", gettext_lazy("Session expired")
    USER_CREATE = "core.user.create", gettext_lazy("Created a user")
    USER_UPDATE = "core.user.update", gettext_lazy("Changed a user")
    USER_SET_PASSWORD = "core.user.set_password", gettext_lazy("Set a password")
    USER_UNLOCK = "core.user.unlock", gettext_lazy("Unlocked an account")
    TWO_FACTOR_ENROL = "core.user.two_factor_enrol", gettext_lazy("Turned on two-step sign-in")
    TWO_FACTOR_DISABLE = (
        "core.user.two_factor_disable",
        gettext_lazy("Turned off two-step sign-in"),
    )
    TWO_FACTOR_RESET = "core.user.two_factor_reset", gettext_lazy("Removed a user's authenticator")
    TWO_FACTOR_FAILED = (
        "core.user.two_factor_failed",
        gettext_lazy("Entered a wrong verification code"),
    )
    RECOVERY_REGENERATE = "core.user.recovery_regenerate", gettext_lazy("Made new recovery codes")
    RECOVERY_CODE_USED = "core.user.recovery_code_used", gettext_lazy("Used a recovery code")
    TOKEN_ISSUE = "core.apitoken.issue", gettext_lazy("Issued an API token")
    TOKEN_REVOKE = "core.apitoken.revoke", gettext_lazy("Revoked an API token")
    ROLE_UPDATE = "core.role.update", gettext_lazy("Changed a role")
    ORGUNIT_CREATE = "core.orgunit.create", gettext_lazy("Created a unit")
    ORGUNIT_UPDATE = "core.orgunit.update", gettext_lazy("Changed a unit")
    ORGUNIT_DELETE = "core.orgunit.delete", gettext_lazy("Deleted a unit")
    PROPOSAL_CREATE = "core.ruleproposal.create", gettext_lazy("Proposed a change of rule data")
    PROPOSAL_ACCEPT = "core.ruleproposal.accept", gettext_lazy("Accepted a rule proposal")
    PROPOSAL_REJECT = "core.ruleproposal.reject", gettext_lazy("Declined a rule proposal")
    CALENDAR_DAY_SET = "core.calendarday.set", gettext_lazy("Set a holiday or make-up day")
    CALENDAR_DAY_DELETE = (
        "core.calendarday.delete",
        gettext_lazy("Removed a holiday or make-up day"),
    )
    CALENDAR_YEAR_KNOWN = (
        "core.calendaryear.mark_known",
        gettext_lazy("Marked a calendar year as known"),
    )
    CLOCK_RULE_ADD_VERSION = (
        "core.clockrule.add_version",
        gettext_lazy("Added a version of a time-limit rule"),
    )
    CLOCK_RULE_CLOSE = "core.clockrule.close", gettext_lazy("Ended a version of a time-limit rule")
    CLOCK_RULE_UPDATE = "core.clockrule.update", gettext_lazy("Changed a time-limit rule")
    CLOCK_RULE_LOAD = "core.clockrule.load", gettext_lazy("Loaded the time-limit rules")
    DOCUMENT_RENDER = "core.document.render", gettext_lazy("Issued a document")
    TEMPLATE_UPLOAD = "core.documenttemplate.upload", gettext_lazy("Uploaded a document template")
    TEMPLATE_ACTIVATE = (
        "core.documenttemplate.activate",
        gettext_lazy("Put a document template in use"),
    )
    TEMPLATE_DEACTIVATE = (
        "core.documenttemplate.deactivate",
        gettext_lazy("Took a document template out of use"),
    )
    NUMBER_PATTERN_SAVE = "core.numberpattern.save", gettext_lazy("Saved a numbering pattern")


# Spellings written before the grammar (kept in the hash-chained trail).
LEGACY = {
    "attachment.store": Verb.ATTACHMENT_STORE,
    "audit.verify": Verb.AUDIT_VERIFY,
    "auth.login": Verb.LOGIN,
    "auth.login_failed": Verb.LOGIN_FAILED,
    "auth.locked": Verb.LOCKED,
    "auth.logout": Verb.LOGOUT,
    "auth.session_expired": Verb.SESSION_EXPIRED,
    "user.create": Verb.USER_CREATE,
    "user.update": Verb.USER_UPDATE,
    "user.set_password": Verb.USER_SET_PASSWORD,
    "user.unlock": Verb.USER_UNLOCK,
    "two_factor.enrol": Verb.TWO_FACTOR_ENROL,
    "two_factor.disable": Verb.TWO_FACTOR_DISABLE,
    "two_factor.reset": Verb.TWO_FACTOR_RESET,
    "two_factor.verify_failed": Verb.TWO_FACTOR_FAILED,
    "two_factor.recovery_regenerate": Verb.RECOVERY_REGENERATE,
    "two_factor.recovery_code_used": Verb.RECOVERY_CODE_USED,
    "token.issue": Verb.TOKEN_ISSUE,
    "token.revoke": Verb.TOKEN_REVOKE,
    "orgunit.create": Verb.ORGUNIT_CREATE,
    "orgunit.update": Verb.ORGUNIT_UPDATE,
    "orgunit.delete": Verb.ORGUNIT_DELETE,
    "rule_proposal.create": Verb.PROPOSAL_CREATE,
    "rule_proposal.accept": Verb.PROPOSAL_ACCEPT,
    "rule_proposal.reject": Verb.PROPOSAL_REJECT,
    "calendar_day.set": Verb.CALENDAR_DAY_SET,
    "calendar_day.delete": Verb.CALENDAR_DAY_DELETE,
    "calendar_year.mark_known": Verb.CALENDAR_YEAR_KNOWN,
    "clock_rule.add_version": Verb.CLOCK_RULE_ADD_VERSION,
    "clock_rule.close": Verb.CLOCK_RULE_CLOSE,
    "clock_rule.update": Verb.CLOCK_RULE_UPDATE,
}
