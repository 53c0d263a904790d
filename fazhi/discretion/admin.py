"""Admin for the rule data (bands, circumstances, no-penalty rows); every save is audited."""

from django.contrib import admin

from fazhi.core.admin import AuditedModelAdmin
from fazhi.discretion.models import DiscretionCircumstance, DiscretionRule, NoPenaltyItem


@admin.register(DiscretionRule)
class DiscretionRuleAdmin(AuditedModelAdmin):
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


@admin.register(DiscretionCircumstance)
class DiscretionCircumstanceAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "effect", "verified", "effective_from", "effective_to"]
    list_filter = ["effect", "verified"]
    search_fields = ["code", "name", "source"]


@admin.register(NoPenaltyItem)
class NoPenaltyItemAdmin(AuditedModelAdmin):
    list_display = ["code", "entry_code", "matter", "decision", "verified", "effective_from"]
    list_filter = ["decision", "verified"]
    search_fields = ["code", "entry_code", "matter"]
