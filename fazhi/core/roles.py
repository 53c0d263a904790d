"""Default roles: scope and permissions, created after every migrate.

Each app declares its grants as data (``GRANTS`` in ``fazhi/<app>/permissions.py``);
``role_permissions()`` collects them. Defaults are only ever added to a role,
never removed, so an administrator's extra grants stay.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
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


def role_permissions() -> dict[str, set[str]]:
    """Collect the ``GRANTS`` of every installed fazhi app's ``permissions`` module."""
    found: dict[str, set[str]] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("fazhi."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for role, perms in getattr(module, "GRANTS", {}).items():
            found.setdefault(str(role), set()).update(perms)
    return found


def ensure_roles(**kwargs: Any) -> None:
    """Create the default roles and add their default permissions."""
    from fazhi.core.models import Role

    grants = role_permissions()

    for code, label in RoleCode.choices:
        role, _ = Role.objects.get_or_create(
            code=code, defaults={"name": str(label), "scope": ROLE_SCOPES[code]}
        )
        wanted = grants.get(code, set())
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        role.permissions.add(*perms)
