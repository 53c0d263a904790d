from django.urls import path

from fazhi.core import (
    audit_views,
    clock_views,
    document_views,
    proposal_views,
    two_factor_views,
    views,
)

app_name = "core"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_edit, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("rule-proposals/", proposal_views.proposal_list, name="proposal_list"),
    path(
        "rule-proposals/<int:pk>/decide/",
        proposal_views.proposal_decide,
        name="proposal_decide",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_edit, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/two-factor/reset/", two_factor_views.reset, name="user_two_factor_reset"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:seq>/", views.audit_detail, name="audit_detail"),
    path("audit/verify/", audit_views.audit_verify_page, name="audit_verify"),
    path("audit/verify/start/", audit_views.audit_verify_start, name="audit_verify_start"),
    path("audit/export/", audit_views.audit_export, name="audit_export"),
    path("attachments/", views.attachment_list, name="attachment_list"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment_download"),
    path("codes/", views.code_check, name="code_check"),
    path("clock/", clock_views.clock, name="clock"),
    path("clock/rules/", clock_views.clockrule_list, name="clockrule_list"),
    path("clock/rules/new/", clock_views.clockrule_version_create, name="clockrule_create"),
    path("clock/rules/<int:pk>/edit/", clock_views.clockrule_edit, name="clockrule_edit"),
    path("calendar/", clock_views.calendar, name="calendar"),
    path("numbering/", document_views.numberpattern_list, name="numberpattern_list"),
    path("numbering/new/", document_views.numberpattern_edit, name="numberpattern_create"),
    path("numbering/<int:pk>/edit/", document_views.numberpattern_edit, name="numberpattern_edit"),
    path("doc-templates/", document_views.doctemplate_list, name="doctemplate_list"),
    path("doc-templates/upload/", document_views.doctemplate_upload, name="doctemplate_upload"),
    path(
        "doc-templates/<int:pk>/download/",
        document_views.doctemplate_download,
        name="doctemplate_download",
    ),
    path(
        "doc-templates/<int:pk>/toggle/",
        document_views.doctemplate_toggle,
        name="doctemplate_toggle",
    ),
    path("documents/", document_views.document_list, name="document_list"),
]
