"""Admin for the rule data (bands, circumstances, no-penalty rows), through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fazhi.core import policy
from fazhi.core.admin import ServiceAdmin
from fazhi.discretion import services
from fazhi.discretion.models import DiscretionCircumstance, DiscretionRule, NoPenaltyItem


class RuleRowAdmin(ServiceAdmin):
    """One row of rule data, created or corrected by its service (never deleted here)."""

    permission = ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.has_permission(request.user, self.permission)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, self.permission)


@admin.register(DiscretionRule)
class DiscretionRuleAdmin(RuleRowAdmin):
    list_display = [
        "code",
        "lower",
        "upper",
        "verified",
        "effective_from",
        "effective_to",
        "source",
    ]
    list_filter = ["code", "verified"]
    fields = tuple(services.RULE_FIELDS)
    permission = "discretion.change_discretionrule"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.RULE_FIELDS}
        saved = services.discretion_rule_save(
            actor=request.user, rule=self.stored(obj, change), **fields
        )
        self.adopt(obj, saved)


@admin.register(DiscretionCircumstance)
class DiscretionCircumstanceAdmin(RuleRowAdmin):
    list_display = ["code", "name", "effect", "verified", "effective_from", "effective_to"]
    list_filter = ["effect", "verified"]
    search_fields = ["code", "name", "source"]
    fields = tuple(services.CIRCUMSTANCE_FIELDS)
    permission = "discretion.change_discretioncircumstance"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.CIRCUMSTANCE_FIELDS}
        saved = services.circumstance_save(
            actor=request.user, circumstance=self.stored(obj, change), **fields
        )
        self.adopt(obj, saved)


@admin.register(NoPenaltyItem)
class NoPenaltyItemAdmin(RuleRowAdmin):
    list_display = ["code", "entry_code", "matter", "decision", "verified", "effective_from"]
    list_filter = ["decision", "verified"]
    search_fields = ["code", "entry_code", "matter"]
    fields = tuple(services.NO_PENALTY_FIELDS)
    permission = "discretion.change_nopenaltyitem"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.NO_PENALTY_FIELDS}
        saved = services.no_penalty_item_save(
            actor=request.user, item=self.stored(obj, change), **fields
        )
        self.adopt(obj, saved)
