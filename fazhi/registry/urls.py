from django.urls import path

from fazhi.registry import import_views, mapping_views, officer_views, views

app_name = "registry"

urlpatterns = [
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/new/", views.entity_edit, name="entity_create"),
    path("entities/export.xlsx", views.entity_export, name="entity_export"),
    path("entities/export/", views.entity_export_start, name="entity_export_start"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("exports/<int:pk>/rerun/", views.export_rerun, name="export_rerun"),
    path("entities/import/", import_views.entity_import, name="entity_import"),
    path("entities/import/template.xlsx", import_views.entity_template, name="entity_template"),
    path("entities/duplicates/", views.entity_duplicates, name="entity_duplicates"),
    path("entities/<int:pk>/", views.entity_detail, name="entity_detail"),
    path("entities/<int:pk>/edit/", views.entity_edit, name="entity_edit"),
    path("entities/<int:pk>/merge/", views.entity_merge, name="entity_merge"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/report.xlsx", import_views.import_report, name="import_report"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", import_views.import_discard, name="import_discard"),
    path("imports/<int:pk>/values/", mapping_views.import_values_map, name="import_values_map"),
    path("officers/", officer_views.officer_list, name="officer_list"),
    path("officers/new/", officer_views.officer_edit, name="officer_create"),
    path("officers/export.xlsx", officer_views.officer_export, name="officer_export"),
    path("officers/import/", import_views.officer_import, name="officer_import"),
    path("officers/import/template.xlsx", import_views.officer_template, name="officer_template"),
    path("officers/<int:pk>/", officer_views.officer_detail, name="officer_detail"),
    path("officers/<int:pk>/edit/", officer_views.officer_edit, name="officer_edit"),
    path(
        "officers/<int:pk>/certificates/new/",
        officer_views.certificate_create,
        name="certificate_create",
    ),
    path(
        "officers/<int:pk>/conflicts/new/", officer_views.conflict_create, name="conflict_create"
    ),
    path("officers/<int:pk>/training/", officer_views.training_set, name="training_set"),
    path(
        "certificates/<int:pk>/status/",
        officer_views.certificate_status,
        name="certificate_status",
    ),
    path("conflicts/<int:pk>/end/", officer_views.conflict_end, name="conflict_end"),
    path("external-agencies/", officer_views.agency_list, name="agency_list"),
    path("external-agencies/new/", officer_views.agency_edit, name="agency_create"),
    path("external-agencies/<int:pk>/edit/", officer_views.agency_edit, name="agency_edit"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
]
