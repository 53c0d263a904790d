from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fazhi.core import policy
from fazhi.core.admin import ServiceAdmin
from fazhi.laws import services
from fazhi.laws.models import Compilation, Law, LawWork


@admin.register(Law)
class LawAdmin(ServiceAdmin):
    """Correct what the importer inferred; the text itself is read-only."""

    list_display = ["title", "version_date", "level", "status", "article_count"]
    list_filter = ["level", "status"]
    search_fields = ["title", "short_title", "issuer"]
    fields = [
        "work",
        "title",
        *services.EDITABLE_FIELDS,
        "version_date",
        "effective_date_stated",
        "effective_date_confidence",
        "effective_date_note",
        "repealed_by",
        "superseded_by",
        "import_warnings",
        "heading_corrections",
        "history",
        "source_name",
        "content_hash",
        "article_count",
    ]
    readonly_fields = [
        "work",
        "title",
        "version_date",
        "effective_date_stated",
        "effective_date_confidence",
        "effective_date_note",
        "repealed_by",
        "superseded_by",
        "import_warnings",
        "heading_corrections",
        "history",
        "source_name",
        "content_hash",
        "article_count",
    ]

    # Laws arrive through the importer and are never deleted: only changes here.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.has_permission(request.user, "laws.change_law")

    def save_model(self, request: HttpRequest, obj: Law, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        original = Law.objects.get(pk=obj.pk)
        if fields["effective_date"] == original.effective_date:
            fields.pop("effective_date")
        services.law_update(actor=request.user, law=original, **fields)


@admin.register(LawWork)
class LawWorkAdmin(ServiceAdmin):
    list_display = ["key", "title", "short_title"]
    search_fields = ["key", "title"]


@admin.register(Compilation)
class CompilationAdmin(ServiceAdmin):
    list_display = ["title", "created_by", "unit", "created_at"]
    search_fields = ["title"]
