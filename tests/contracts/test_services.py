"""Service contract: a service refuses every role the grants leave without its permission.

Generated from two tables: ``policy.SERVICES`` (filled by ``@policy.requires``
on each service) and the roles' grants (``fazhi.core.roles.role_permissions``).
In an enrolled module every public function that takes an ``actor`` must carry
``@policy.requires``, so a new service without a role check fails here.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from fazhi.core import policy
from fazhi.core.choices import RoleCode
from fazhi.core.errors import NotAllowed
from fazhi.core.models import Role
from fazhi.core.roles import role_permissions
from fazhi.core.tests import factories

# Modules whose services all carry @policy.requires (add an app when it adopts it).
ENROLLED = [
    "fazhi.powers.services",
    "fazhi.cases.services",
    "fazhi.cases.services_procedures",
    "fazhi.cases.preservation",
    "fazhi.cases.publication_services",
    "fazhi.discretion.services",
    "fazhi.discretion.calculator",
    "fazhi.registry.services",
    "fazhi.registry.officer_services",
    "fazhi.registry.imports.jobs",
    "fazhi.inspections.services",
    "fazhi.inspections.inspection_records",
    "fazhi.inspections.task_services",
    "fazhi.inspections.jobs",
    "fazhi.inspections.ratios",
]


def _services(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    found = []
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("_") or fn.__module__ != module_name:
            continue
        if "actor" in inspect.signature(inspect.unwrap(fn)).parameters:
            found.append(f"{module_name}.{name}")
    return found


SERVICES = [name for module in ENROLLED for name in _services(module)]


def test_the_enrolled_modules_have_services():
    assert len(SERVICES) >= 8


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_in_an_enrolled_module_requires_a_permission(service: str):
    assert service in policy.SERVICES, f"{service} has no @policy.requires(...)"


def test_every_granted_permission_exists(db):
    from django.contrib.auth.models import Permission

    known = {
        f"{app}.{code}"
        for app, code in Permission.objects.values_list("content_type__app_label", "codename")
    }
    granted = set().union(*role_permissions().values())
    assert granted - known == set()
    assert set().union(*policy.SERVICES.values()) - known == set()


def _refusals() -> list[tuple[str, str]]:
    grants = role_permissions()
    return [
        (service, role)
        for service, perms in sorted(policy.SERVICES.items())
        for role in RoleCode.values
        if not set(perms) & grants.get(role, set())
    ]


@pytest.mark.parametrize(("service", "role"), _refusals())
def test_a_role_without_the_permission_is_refused(personas, service: str, role: str):
    module_name, _, name = service.rpartition(".")
    fn = getattr(importlib.import_module(module_name), name)
    user = factories.user(f"u_{role}", personas.county_a, role)
    assert Role.objects.get(code=role).permissions.exists() or role == RoleCode.ENTERPRISE
    assert not any(user.has_perm(perm) for perm in policy.SERVICES[service])
    with pytest.raises(NotAllowed) as refused:
        fn(actor=user)  # refused before the service reads any argument
    assert type(refused.value) is NotAllowed  # a role refusal (403), not OutOfScope (404)


def test_the_contract_catches_a_service_without_a_check(personas):
    def unguarded(*, actor):
        return "done"

    def guarded(*, actor):
        return "done"

    checked = policy.requires("powers.publish_powercatalog")(guarded)
    policy.SERVICES.pop(f"{__name__}.{guarded.__qualname__}")
    assert not hasattr(unguarded, "required_permissions")
    assert checked.required_permissions == ("powers.publish_powercatalog",)
    assert unguarded(actor=personas.county_a_officer) == "done"
    with pytest.raises(NotAllowed):
        checked(actor=personas.county_a_officer)
    assert checked(actor=personas.leader) == "done"
