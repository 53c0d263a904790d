from django.urls import path

from fazhi.cases import views, views_procedures

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("inbox/", views.inbox, name="inbox"),
    path("deadlines/", views.board, name="board"),
    path("procedure/", views.procedure, name="procedure"),
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
]
