"""Default grants of the law library, by role (collected into the roles' permissions).

Law texts are reference data: every staff role reads them, reads the term
table and may build compilations. Importing and correcting texts, and keeping
the term table (术语表), is for administrators and the legal section.
"""

from __future__ import annotations

from fazhi.core.choices import RoleCode

READ = {
    "laws.view_law",
    "laws.view_article",
    "laws.view_compilation",
    "laws.add_compilation",
    "laws.view_lawterm",
}
MANAGE = {
    "laws.add_law",
    "laws.change_law",
    "laws.add_lawterm",
    "laws.change_lawterm",
    "laws.delete_lawterm",
}
STAFF = (
    RoleCode.SYSTEM_ADMIN,
    RoleCode.LEADER,
    RoleCode.LEGAL_REVIEWER,
    RoleCode.OFFICER,
    RoleCode.LICENSING_CLERK,
    RoleCode.SUPERVISOR,
)

GRANTS: dict[RoleCode, set[str]] = {role: set(READ) for role in STAFF}
for _role in (RoleCode.SYSTEM_ADMIN, RoleCode.LEGAL_REVIEWER):
    GRANTS[_role] |= MANAGE
