"""Admin for the registry's code tables and rules (audited like every write)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fazhi.core.admin import AuditedModelAdmin
from fazhi.registry.models import RegistryRule, RegulatoryCategory


@admin.register(RegulatoryCategory)
class RegulatoryCategoryAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "bit", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A bit in use must never move to another category.
        return ["bit", "code"] if obj is not None else []


@admin.register(RegistryRule)
class RegistryRuleAdmin(AuditedModelAdmin):
    list_display = ["code", "value", "verified", "effective_from", "effective_to", "source"]
    list_filter = ["code", "verified"]
