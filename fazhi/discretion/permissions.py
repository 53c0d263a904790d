"""Default grants of the discretion benchmarks (裁量基准), by role.

Every staff role reads them; the legal section and administrators keep them.
"""

from __future__ import annotations

from fazhi.core.choices import RoleCode

VIEW = [
    "discretion.view_discretionentry",
    "discretion.view_nopenaltyitem",
    "discretion.view_discretionrule",
    "discretion.view_baseline",
    "discretion.view_baselineadoption",
]
EDIT = [
    "discretion.add_discretionentry",
    "discretion.change_discretionentry",
    "discretion.add_nopenaltyitem",
    "discretion.change_nopenaltyitem",
    "discretion.change_discretionrule",
    "discretion.add_discretionrule",
    "discretion.add_baselineadoption",
    "discretion.delete_baselineadoption",
]

# The baseline documents and the circumstances come with the seed (national data).
SEED = [
    "discretion.add_baseline",
    "discretion.change_baseline",
    "discretion.add_discretioncircumstance",
    "discretion.change_discretioncircumstance",
]

GRANTS: dict[str, set[str]] = {
    RoleCode.SYSTEM_ADMIN: {*VIEW, *EDIT, *SEED},
    RoleCode.LEGAL_REVIEWER: {*VIEW, *EDIT},
    RoleCode.LEADER: set(VIEW),
    RoleCode.OFFICER: set(VIEW),
    RoleCode.SUPERVISOR: set(VIEW),
    RoleCode.LICENSING_CLERK: set(VIEW),
}
