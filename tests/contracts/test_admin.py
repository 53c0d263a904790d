"""Admin contract: the Django admin writes a fazhi model only through its service.

For every admin of a fazhi model, each operation it allows an administrator
(add, change, delete) must go through a service that checks permissions and
writes the audit event: ``save_model`` / ``delete_model`` are our own and
call a function carrying ``@policy.requires``; the bulk delete and the
relations (``delete_queryset``, ``save_related``) are not Django's direct
writes. An admin that allows nothing is read-only and passes.
"""

from __future__ import annotations

import types
from typing import Any

from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory

from fazhi.core import policy
from fazhi.core.models import ClockRule, User


def _names(code: types.CodeType) -> set[str]:
    """Every global and attribute name a function's code (and its inner code) uses."""
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
    return found


def _routed(method: Any) -> bool:
    function = getattr(method, "__func__", method)
    if function.__module__.startswith("django."):
        return False
    services = {name.rpartition(".")[2] for name in policy.SERVICES}
    return bool(_names(function.__code__) & services)


def direct_writes(model_admin: admin.ModelAdmin, request: Any) -> list[str]:  # type: ignore[type-arg]
    """What this admin lets an administrator write without a service."""
    label = model_admin.model._meta.label
    cls = type(model_admin)
    found = []
    if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
        if not _routed(cls.save_model):
            found.append(f"{label}: save_model saves without a service")
        if cls.save_related is admin.ModelAdmin.save_related:
            found.append(f"{label}: save_related saves relations directly")
    if model_admin.has_delete_permission(request):
        if not _routed(cls.delete_model):
            found.append(f"{label}: delete_model deletes without a service")
        if cls.delete_queryset is admin.ModelAdmin.delete_queryset:
            found.append(f"{label}: delete_queryset deletes the selection directly")
    return found


def _superuser_request() -> Any:
    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    return request


def _ours() -> list[admin.ModelAdmin]:  # type: ignore[type-arg]
    return [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_config.name.startswith("fazhi.")
    ]


def test_the_fazhi_models_have_admins():
    labels = {model_admin.model._meta.label for model_admin in _ours()}
    assert {"core.ClockRule", "core.CalendarDay", "laws.Law", "registry.RegistryRule"} <= labels


def test_no_admin_writes_a_fazhi_model_without_its_service():
    request = _superuser_request()
    found = [problem for model_admin in _ours() for problem in direct_writes(model_admin, request)]
    assert found == [], "route these through a service or make them read-only:\n" + "\n".join(
        found
    )


def test_some_admins_still_write_through_services():
    # The check above must not pass only because everything became read-only.
    request = _superuser_request()
    writable = {
        model_admin.model._meta.label
        for model_admin in _ours()
        if model_admin.has_change_permission(request)
    }
    assert {"core.ClockRule", "core.CalendarDay", "core.OrgUnit", "laws.Law"} <= writable


def test_the_check_catches_an_admin_that_saves_directly():
    site = AdminSite()
    request = _superuser_request()
    plain = admin.ModelAdmin(ClockRule, site)
    assert direct_writes(plain, request) == [
        "core.ClockRule: save_model saves without a service",
        "core.ClockRule: save_related saves relations directly",
        "core.ClockRule: delete_model deletes without a service",
        "core.ClockRule: delete_queryset deletes the selection directly",
    ]

    class Audited(admin.ModelAdmin):  # type: ignore[type-arg]
        def save_model(self, request, obj, form, change):
            super().save_model(request, obj, form, change)
            print("audited", obj)

        def save_related(self, request, form, formsets, change):
            pass

        def has_delete_permission(self, request, obj=None):
            return False

    assert direct_writes(Audited(ClockRule, site), request) == [
        "core.ClockRule: save_model saves without a service"
    ]
