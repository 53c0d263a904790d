"""Default grants of the power catalogs (权责清单), by role.

Every staff role reads the catalogs; the legal section and administrators
edit them; leaders and the legal section publish them.
"""

from __future__ import annotations

from fazhi.core.choices import RoleCode

VIEW = {
    "powers.view_powercatalog",
    "powers.view_poweritem",
    "powers.view_catalogtemplate",
}
EDIT_CATALOG = {
    "powers.add_powercatalog",
    "powers.change_powercatalog",
    "powers.add_poweritem",
    "powers.change_poweritem",
    "powers.delete_poweritem",
    "powers.add_catalogtemplate",
}
PUBLISH = {"powers.publish_powercatalog"}

GRANTS: dict[str, set[str]] = {
    RoleCode.SYSTEM_ADMIN: VIEW | EDIT_CATALOG | PUBLISH,
    RoleCode.LEGAL_REVIEWER: VIEW | EDIT_CATALOG | PUBLISH,
    RoleCode.LEADER: VIEW | PUBLISH,
    RoleCode.OFFICER: set(VIEW),
    RoleCode.SUPERVISOR: set(VIEW),
    RoleCode.LICENSING_CLERK: set(VIEW),
}
