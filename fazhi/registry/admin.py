"""Admin for the registry: rules through their service, the code tables read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fazhi.core import policy
from fazhi.core.admin import ServiceAdmin
from fazhi.registry import services
from fazhi.registry.models import RegistryRule, RegulatoryCategory


@admin.register(RegulatoryCategory)
class RegulatoryCategoryAdmin(ServiceAdmin):
    """The categories ship as data (data/regulatory_categories.csv); read-only here."""

    list_display = ["name", "code", "bit", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]


@admin.register(RegistryRule)
class RegistryRuleAdmin(ServiceAdmin):
    list_display = ["code", "value", "verified", "effective_from", "effective_to", "source"]
    list_filter = ["code", "verified"]
    fields = tuple(services.RULE_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.has_permission(request.user, "registry.add_registryrule")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, "registry.change_registryrule")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.RULE_FIELDS}
        saved = services.rule_save(actor=request.user, rule=self.stored(obj, change), **fields)
        self.adopt(obj, saved)
