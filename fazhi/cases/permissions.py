"""Who may do what with penalty cases (grants per role, as data).

Officers run the investigation and record the party's statements; the
legal section performs 法制审核; the leadership approves 立案 and decides.
"""

from django.utils.translation import gettext_lazy

from fazhi.core.choices import RoleCode

VIEW = "cases.view_case"
CHANGE = "cases.change_case"
ADD = "cases.add_case"
FILE = "cases.file_case"
REVIEW = "cases.review_case"
DECIDE = "cases.decide_case"
PUBLISH = "cases.publish_case"
RULES_VIEW = "cases.view_caserule"

# What each permission lets a role do, as the procedure table names it.
LABELS = {
    VIEW: gettext_lazy("Read cases"),
    CHANGE: gettext_lazy("Handle cases (officers)"),
    ADD: gettext_lazy("Register cases"),
    FILE: gettext_lazy("Approve filing (leadership)"),
    REVIEW: gettext_lazy("Legal review (legal section)"),
    DECIDE: gettext_lazy("Decide (leadership)"),
    PUBLISH: gettext_lazy("Publish decisions (执法公示)"),
}

_READ = {VIEW, RULES_VIEW, "cases.view_caseevent"}

GRANTS: dict[str, set[str]] = {
    RoleCode.SYSTEM_ADMIN: {
        *_READ,
        "cases.add_caserule",
        "cases.change_caserule",
    },
    RoleCode.LEADER: {*_READ, FILE, DECIDE, PUBLISH},
    RoleCode.LEGAL_REVIEWER: {
        *_READ,
        REVIEW,
        PUBLISH,
        "cases.add_caserule",
        "cases.change_caserule",
    },
    RoleCode.OFFICER: {*_READ, ADD, CHANGE},
    RoleCode.SUPERVISOR: set(_READ),
}
