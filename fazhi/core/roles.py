"""Default roles: scope and permissions, created after every migrate.

Apps extend ``ROLE_PERMISSIONS`` from their AppConfig.ready(). Defaults are only
ever added to a role, never removed, so an administrator's extra grants stay.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission

from fazhi.core.choices import RoleCode, Scope

ROLE_SCOPES: dict[str, str] = {
    RoleCode.SYSTEM_ADMIN: Scope.ALL,
    RoleCode.LEADER: Scope.AGENCY,
    RoleCode.LEGAL_REVIEWER: Scope.AGENCY,
    RoleCode.OFFICER: Scope.AGENCY,
    RoleCode.LICENSING_CLERK: Scope.AGENCY,
    RoleCode.SUPERVISOR: Scope.AGENCY,
    RoleCode.ENTERPRISE: Scope.OWN,
}

_STAFF_VIEW = [
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

ROLE_PERMISSIONS: dict[str, set[str]] = {
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
        "core.view_document",
        "core.add_document",
    },
    RoleCode.LEADER: {*_STAFF_VIEW, "core.view_auditevent"},
    RoleCode.LEGAL_REVIEWER: {
        *_STAFF_VIEW,
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
    },
    RoleCode.OFFICER: set(_STAFF_VIEW),
    RoleCode.LICENSING_CLERK: set(_STAFF_VIEW),
    RoleCode.SUPERVISOR: {*_STAFF_VIEW, "core.view_auditevent"},
    RoleCode.ENTERPRISE: set(),
}


def ensure_roles(**kwargs: Any) -> None:
    """Create the default roles and add their default permissions."""
    from fazhi.core.models import Role

    for code, label in RoleCode.choices:
        role, _ = Role.objects.get_or_create(
            code=code, defaults={"name": str(label), "scope": ROLE_SCOPES[code]}
        )
        wanted = ROLE_PERMISSIONS.get(code, set())
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        role.permissions.add(*perms)
