"""Django admin: every write goes through the model's service; the rest is read-only.

``ServiceAdmin`` refuses add, change and delete. An admin that allows one of
them routes it through a service in ``save_model`` / ``delete_model``, with the
request's user as the actor, so the service's permission and scope checks
run and its audit event is written. tests/contracts/test_admin.py fails for
an admin of a fazhi model that writes any other way.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from fazhi.core import clock_services, policy, services
from fazhi.core.errors import DomainError
from fazhi.core.models import (
    ApiToken,
    AuditEvent,
    CalendarDay,
    CalendarYear,
    ClockRule,
    OrgUnit,
    Role,
    User,
)

admin.site.site_header = _("Fazhi administration")


class ServiceAdmin(admin.ModelAdmin):
    """Read-only unless a subclass allows an operation and routes it through a service."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service has saved everything, relations included."""

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # A service's refusal (a rule, a permission, a conflict) is shown, not a 500.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, ValidationError) as exc:
            text = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
            self.message_user(request, str(text), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changed(self, form: ModelForm[Any], names: list[str]) -> dict[str, Any]:
        """The cleaned values of the fields among ``names`` that the form changed."""
        return {name: form.cleaned_data[name] for name in form.changed_data if name in names}

    @staticmethod
    def stored(obj: Model, change: bool) -> Any:
        """The row as stored (the form has already written into ``obj``); None when adding."""
        return type(obj)._default_manager.get(pk=obj.pk) if change else None

    @staticmethod
    def adopt(obj: Model, saved: Model) -> None:
        """Point the admin's unsaved instance at the row the service saved."""
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(OrgUnit)
class OrgUnitAdmin(ServiceAdmin):
    list_display = ["name", "kind", "level", "parent", "region_code", "uscc", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "short_name", "region_code", "uscc"]
    readonly_fields = ["path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.has_permission(request.user, "core.add_orgunit")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, "core.change_orgunit")

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.orgunit_update(actor=request.user, unit=obj, **fields)
        else:
            created = services.orgunit_create(actor=request.user, **form.cleaned_data)
            self.adopt(obj, created)
            obj.path = created.path


@admin.register(Role)
class RoleAdmin(ServiceAdmin):
    list_display = ["code", "name", "scope"]
    fields = ["code", *services.ROLE_FIELDS, "permissions"]
    readonly_fields = ["code"]
    filter_horizontal = ["permissions"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, "core.change_role")

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        services.role_update(
            actor=request.user,
            role=obj,
            permissions=form.cleaned_data["permissions"],
            **{name: form.cleaned_data[name] for name in services.ROLE_FIELDS},
        )


@admin.register(User)
class UserAdmin(ServiceAdmin, BaseUserAdmin):
    """Users are created and changed on the Users pages (through the services)."""

    list_display = ["username", "full_name", "unit", "role", "is_active", "locked_until"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Fazhi"),
            {
                "fields": [
                    "full_name",
                    "unit",
                    "role",
                    "phone",
                    "enterprise_uscc",
                    "failed_logins",
                    "locked_until",
                    "password_changed_at",
                ]
            },
        ),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(ServiceAdmin):
    list_display = ["seq", "occurred_at", "actor_label", "verb", "object_type", "object_repr"]
    list_filter = ["verb", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    """Tokens are issued on the tokens page; here an administrator revokes one."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "key_hash"]
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return policy.has_permission(request.user, "core.change_user")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked=False):
            services.token_revoke(actor=request.user, token=token)


@admin.register(CalendarYear)
class CalendarYearAdmin(ServiceAdmin):
    list_display = ["year", "source"]
    fields = ["year", "source"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["year"] if obj is not None else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.has_permission(request.user, "core.add_calendaryear")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, "core.add_calendaryear")

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        saved = clock_services.calendar_year_mark_known(
            actor=request.user, year=obj.year, source=form.cleaned_data["source"]
        )
        self.adopt(obj, saved)


@admin.register(CalendarDay)
class CalendarDayAdmin(ServiceAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind"]
    fields = tuple(clock_services.DAY_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["date"] if obj is not None else []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.has_permission(request.user, "core.add_calendarday")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, "core.change_calendarday")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, "core.delete_calendarday")

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = clock_services.calendar_day_set(
            actor=request.user,
            date=obj.date,
            kind=data["kind"],
            name=data["name"],
            source=data["source"],
        )
        self.adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        clock_services.calendar_day_delete(actor=request.user, day=obj)


@admin.register(ClockRule)
class ClockRuleAdmin(ServiceAdmin):
    """A new version is added; a version's counting never changes (its metadata may)."""

    list_display = ["code", "name", "length", "unit", "province", "effective_from", "effective_to"]
    list_filter = ["unit", "province", "verified"]
    search_fields = ["code", "name", "source"]
    fields = [*clock_services.RULE_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            f for f in clock_services.RULE_FIELDS if f not in clock_services.RULE_METADATA_FIELDS
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.has_permission(request.user, "core.add_clockrule")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, "core.change_clockrule")

    def save_model(self, request: HttpRequest, obj: ClockRule, form: Any, change: bool) -> None:
        if change:
            fields = self.changed(form, clock_services.RULE_METADATA_FIELDS)
            if fields:
                clock_services.clock_rule_update(actor=request.user, rule=obj, **fields)
        else:
            data = {name: form.cleaned_data[name] for name in clock_services.RULE_FIELDS}
            saved = clock_services.clock_rule_add_version(actor=request.user, **data)
            self.adopt(obj, saved)
