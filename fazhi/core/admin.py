from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

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


class AuditedModelAdmin(admin.ModelAdmin):
    """Record every admin save and delete in the audit chain, in its transaction."""

    def save_model(self, request, obj, form, change):
        from fazhi.core.audit import audit_record, snapshot

        model = type(obj)
        before = snapshot(model.objects.get(pk=obj.pk)) if change and obj.pk else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                verb=f"{obj._meta.label_lower}.{'update' if change else 'create'}",
                obj=obj,
                before=before,
                after=snapshot(obj),
            )

    def delete_model(self, request, obj):
        from fazhi.core.audit import audit_record, snapshot

        with transaction.atomic():
            before = snapshot(obj)
            audit_record(
                actor=request.user, verb=f"{obj._meta.label_lower}.delete", obj=obj, before=before
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "parent", "region_code", "uscc", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "short_name", "region_code", "uscc"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        from fazhi.core import services

        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.orgunit_update(actor=request.user, unit=obj, **fields)
        else:
            created = services.orgunit_create(actor=request.user, **form.cleaned_data)
            obj.pk, obj.path = created.pk, created.path


@admin.register(Role)
class RoleAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "scope"]
    filter_horizontal = ["permissions"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
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
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "occurred_at", "actor_label", "verb", "object_type", "object_repr"]
    list_filter = ["verb", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "key_hash"]


admin.site.register(CalendarYear, AuditedModelAdmin)
admin.site.register(CalendarDay, AuditedModelAdmin)
admin.site.register(ClockRule, AuditedModelAdmin)
