from django.urls import path

from fazhi.cases import views, views_procedures, views_publication, views_records

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("new/entities/", views.entity_options, name="entity_options"),
    path("inbox/", views.inbox, name="inbox"),
    path("deadlines/", views.board, name="board"),
    path("procedure/", views.procedure, name="procedure"),
    path("findings/", views_records.finding_list, name="finding_list"),
    path("findings/<int:referral_id>/open/", views_records.finding_open, name="finding_open"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/act/<slug:name>/", views.case_act, name="case_act"),
    path("<int:pk>/proposal/", views.case_proposal, name="case_proposal"),
    path("<int:pk>/violations/", views.violation_add, name="violation_add"),
    path("<int:pk>/extend/", views.case_extend, name="case_extend"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/coercions/", views_procedures.coercion_add, name="coercion_add"),
    path(
        "<int:pk>/coercions/<int:cid>/act/<slug:name>/",
        views_procedures.coercion_act,
        name="coercion_act",
    ),
    path("<int:pk>/referrals/", views_procedures.referral_add, name="referral_add"),
    path(
        "<int:pk>/referrals/<int:rid>/act/<slug:name>/",
        views_procedures.referral_act,
        name="referral_act",
    ),
    path("<int:pk>/evidence/", views_records.evidence_add, name="evidence_add"),
    path(
        "<int:pk>/evidence/<int:evidence_id>/",
        views_records.evidence_download,
        name="evidence_download",
    ),
    path("<int:pk>/records/", views_records.record_make, name="record_make"),
    path(
        "<int:pk>/preservations/<int:notice_id>/decide/",
        views_records.preservation_decide,
        name="preservation_decide",
    ),
    path("<int:pk>/publish/", views_publication.publish, name="publish"),
    path("<int:pk>/decision-change/", views_publication.decision_change, name="decision_change"),
    path(
        "<int:pk>/publications/<int:publication_id>/withdraw/",
        views_publication.withdraw,
        name="publication_withdraw",
    ),
    path("<int:pk>/archives/", views_records.archive_request, name="archive_request"),
    path(
        "<int:pk>/archives/<int:archive_id>/",
        views_records.archive_download,
        name="archive_download",
    ),
]
