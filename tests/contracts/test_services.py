"""Service contract: a service refuses every role the grants leave without its permission.

Generated from two tables: ``policy.SERVICES`` (filled by ``@policy.requires``
on each service) and the roles' grants (``fazhi.core.roles.role_permissions``).

Services are found, not listed: every public function of every fazhi module
(tests and migrations aside) that takes an ``actor`` must carry
``@policy.requires`` — unless its module is a ``selectors`` module (reads,
scoped: see test_scoping) or the policy module itself, or it is named in
``NOT_SERVICES`` with the reason it needs no role check of its own. So a new
service module, or a new service in an old one, cannot be forgotten.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from types import ModuleType

import pytest

import fazhi
from fazhi.core import policy
from fazhi.core.choices import RoleCode
from fazhi.core.errors import NotAllowed
from fazhi.core.models import Role
from fazhi.core.roles import role_permissions
from fazhi.core.tests import factories

READS = "reads only (scoped; the page or service that calls it checks the role)"
STEP = "a step inside a guarded service or transition, which checks the role first"
PREDICATE = "answers a yes/no question for buttons; decides nothing itself"

# The module that makes the decisions the services ask for.
POLICY = "fazhi.core.policy"

# Public functions that take an actor and are not services, each with its reason.
NOT_SERVICES: dict[str, str] = {
    "fazhi.core.actors.actor_label": "names the actor for the audit trail",
    "fazhi.core.audit.audit_record": "the audit writer every service calls",
    "fazhi.core.privacy.may_see_personal_data": PREDICATE,
    "fazhi.core.clock_services.may_edit": PREDICATE,
    "fazhi.core.proposals.may_decide": PREDICATE,
    # reads outside a selectors module
    "fazhi.core.audit_checks.audit_verification_list": READS,
    "fazhi.core.documents.document_list": READS,
    "fazhi.core.numbering.number_pattern_list": READS,
    "fazhi.core.proposals.proposal_list": READS,
    "fazhi.core.workflow.available_actions": READS,
    "fazhi.core.workflow.clocks_due": READS,
    "fazhi.cases.amount.proposal_check": READS,
    "fazhi.cases.archive.archive_get": READS,
    "fazhi.cases.forms.entity_options": READS,
    "fazhi.cases.discretion.amount_advice": READS,
    "fazhi.cases.documents.case_context": READS,
    "fazhi.cases.documents.record_context": READS,
    "fazhi.cases.evidence.evidence_get": READS,
    "fazhi.cases.evidence.evidence_open": (
        "opens a file already fetched through evidence_get (which checks the role); "
        "it records only a tampered file"
    ),
    "fazhi.cases.intake.finding_get": READS,
    "fazhi.cases.intake.findings_open": READS,
    "fazhi.registry.export_jobs.export_get": READS,
    "fazhi.registry.export_jobs.export_list": READS,
    "fazhi.registry.imports.mapping.mapping_rows": READS,
    # steps of a guarded service
    "fazhi.core.workflow.transition": (
        "fires a procedure's transition and checks the permission that transition names; "
        "the procedures' services call it under @policy.requires_any"
    ),
    "fazhi.core.rule_rows.rule_row_save": (
        "its caller passes the permission, which it checks before anything else"
    ),
    "fazhi.core.rule_rows.rule_rows_load": (
        "loads shipped rule data; with an actor every row goes through rule_row_save"
    ),
    "fazhi.cases.amount.apply_send_review": STEP,
    "fazhi.cases.documents.documents_after": STEP,
    "fazhi.cases.events.event_record": STEP,
    "fazhi.cases.events.event_user": STEP,
    "fazhi.inspections.common.user_of": STEP,
    "fazhi.inspections.documents.order_render": STEP,
    "fazhi.inspections.documents.record_render": STEP,
    "fazhi.registry.imports.runner.spec_for": STEP,
    # self-service: anyone for themselves, core.change_user for another user
    "fazhi.core.services.user_set_password": (
        "a user sets their own password; another user's needs core.change_user (checked inside)"
    ),
    "fazhi.core.services.token_issue": (
        "a user issues their own API token; another user's needs core.change_user"
    ),
    "fazhi.core.services.token_revoke": (
        "a user revokes their own API token; another user's needs core.change_user"
    ),
    "fazhi.cases.evidence.evidence_verify_all": (
        "the operator's integrity check (command, no user): it only records what it finds"
    ),
}


def _modules() -> list[ModuleType]:
    found = []
    for info in pkgutil.walk_packages(fazhi.__path__, "fazhi."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts:
            continue
        found.append(importlib.import_module(info.name))
    return found


def _takes_actor(fn: Callable[..., object]) -> bool:
    try:
        return "actor" in inspect.signature(inspect.unwrap(fn)).parameters
    except (TypeError, ValueError):
        return False


def actor_functions(modules: list[ModuleType]) -> list[str]:
    """Every public function defined in ``modules`` that takes an ``actor``."""
    return sorted(
        f"{module.__name__}.{name}"
        for module in modules
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__ and _takes_actor(fn)
    )


def unchecked(names: list[str], services: dict[str, object], exempt: dict[str, str]) -> list[str]:
    """The functions that take an actor, carry no role check and are not exempt."""
    return [
        name
        for name in names
        if name not in services
        and name not in exempt
        and not name.rpartition(".")[0].endswith("selectors")
        and name.rpartition(".")[0] != POLICY
    ]


FUNCTIONS = actor_functions(_modules())


def test_the_scan_finds_the_services_of_every_app():
    apps = {name.split(".")[1] for name in FUNCTIONS if name in policy.SERVICES}
    assert {"core", "laws", "powers", "discretion", "registry", "inspections", "cases"} <= apps


def test_every_function_that_takes_an_actor_requires_a_permission():
    found = unchecked(FUNCTIONS, policy.SERVICES, NOT_SERVICES)
    assert found == [], (
        "give these @policy.requires(...), or list them in NOT_SERVICES with the reason "
        "they need no role check of their own:\n" + "\n".join(found)
    )


def test_every_exemption_names_an_unguarded_function_that_exists():
    stale = [name for name in NOT_SERVICES if name not in FUNCTIONS or name in policy.SERVICES]
    assert stale == []


def test_the_scan_catches_a_new_module_with_an_unguarded_service():
    module = ModuleType("fazhi.newapp.services")

    def thing_create(*, actor, name):
        return name

    def thing_list(*, actor):
        return []

    thing_create.__module__ = thing_list.__module__ = module.__name__
    module.thing_create, module.thing_list = thing_create, thing_list
    selectors = ModuleType("fazhi.newapp.selectors")

    def thing_get(*, actor, pk):
        return pk

    thing_get.__module__ = selectors.__name__
    selectors.thing_get = thing_get
    names = actor_functions([module, selectors])
    assert names == [
        "fazhi.newapp.selectors.thing_get",
        "fazhi.newapp.services.thing_create",
        "fazhi.newapp.services.thing_list",
    ]
    exempt = {"fazhi.newapp.services.thing_list": READS}
    assert unchecked(names, {}, exempt) == ["fazhi.newapp.services.thing_create"]
    guarded = {"fazhi.newapp.services.thing_create": ("x.add_thing",)}
    assert unchecked(names, guarded, exempt) == []


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
