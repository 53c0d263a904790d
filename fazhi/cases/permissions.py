"""Who may do what with penalty cases (grants per role, as data).

Officers run the investigation and record the party's statements; the
legal section performs 法制审核; the leadership approves 立案 and decides.
"""

from fazhi.core.choices import RoleCode

VIEW = "cases.view_case"
CHANGE = "cases.change_case"
ADD = "cases.add_case"
FILE = "cases.file_case"
REVIEW = "cases.review_case"
DECIDE = "cases.decide_case"
RULES_VIEW = "cases.view_caserule"

_READ = {VIEW, RULES_VIEW, "cases.view_caseevent"}

GRANTS: dict[str, set[str]] = {
    RoleCode.SYSTEM_ADMIN: {
        *_READ,
        "cases.add_caserule",
        "cases.change_caserule",
    },
    RoleCode.LEADER: {*_READ, FILE, DECIDE},
    RoleCode.LEGAL_REVIEWER: {*_READ, REVIEW, "cases.add_caserule", "cases.change_caserule"},
    RoleCode.OFFICER: {*_READ, ADD, CHANGE},
    RoleCode.SUPERVISOR: set(_READ),
}
