"""Default grants of the core (org tree, users, audit, attachments, clocks, numbering, 文书).

Every fazhi app states its grants the same way: a ``GRANTS`` mapping of role
code → set of "app.codename" in ``fazhi/<app>/permissions.py``;
``fazhi.core.roles`` collects them all.
"""

from __future__ import annotations

from fazhi.core.choices import RoleCode

STAFF_VIEW = [
    "core.view_orgunit",
    "core.view_user",
    "core.view_attachment",
    "core.add_attachment",
    # Every officer works to statutory time limits: they may read the rules and calendar.
    "core.view_clockrule",
    "core.view_calendarday",
    "core.view_calendaryear",
    "core.view_document",
    "core.add_document",
]

GRANTS: dict[str, set[str]] = {
    RoleCode.SYSTEM_ADMIN: {
        "core.view_orgunit",
        "core.add_orgunit",
        "core.change_orgunit",
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "core.view_role",
        "core.change_role",
        "core.view_auditevent",
        "core.view_attachment",
        "core.add_attachment",
        "core.view_clockrule",
        "core.add_clockrule",
        "core.change_clockrule",
        "core.view_calendarday",
        "core.add_calendarday",
        "core.change_calendarday",
        "core.delete_calendarday",
        "core.add_calendaryear",
        "core.view_calendaryear",
        "core.view_numberpattern",
        "core.add_numberpattern",
        "core.change_numberpattern",
        "core.view_documenttemplate",
        "core.add_documenttemplate",
        "core.view_ruleproposal",
        "core.change_ruleproposal",
        "core.view_document",
        "core.add_document",
    },
    RoleCode.LEADER: {*STAFF_VIEW, "core.view_auditevent"},
    RoleCode.LEGAL_REVIEWER: {
        *STAFF_VIEW,
        "core.view_auditevent",
        "core.view_clockrule",
        "core.add_clockrule",
        "core.change_clockrule",
        "core.view_calendarday",
        "core.add_calendarday",
        "core.change_calendarday",
        "core.add_calendaryear",
        "core.view_calendaryear",
        "core.view_numberpattern",
        "core.add_numberpattern",
        "core.change_numberpattern",
        "core.view_documenttemplate",
        "core.view_ruleproposal",
        "core.add_ruleproposal",
        "core.change_ruleproposal",
    },
    RoleCode.OFFICER: set(STAFF_VIEW),
    RoleCode.LICENSING_CLERK: set(STAFF_VIEW),
    RoleCode.SUPERVISOR: {*STAFF_VIEW, "core.view_auditevent"},
    RoleCode.ENTERPRISE: set(),
}
