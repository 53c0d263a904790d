from django.urls import path

from fazhi.discretion import baseline_views, views

app_name = "discretion"

urlpatterns = [
    path("", views.discretion_list, name="discretion_list"),
    path("new/", views.discretion_edit, name="discretion_create"),
    path("calculate/", views.discretion_calculator, name="discretion_calculator"),
    path("no-penalty/", views.no_penalty_list, name="no_penalty_list"),
    path("no-penalty/new/", views.no_penalty_edit, name="no_penalty_create"),
    path("no-penalty/<int:pk>/edit/", views.no_penalty_edit, name="no_penalty_edit"),
    path("baselines/", baseline_views.baseline_list, name="baseline_list"),
    path(
        "baselines/adoptions/<int:pk>/withdraw/",
        baseline_views.adoption_withdraw,
        name="adoption_withdraw",
    ),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/", views.discretion_detail, name="discretion_detail"),
    path("<int:pk>/edit/", views.discretion_edit, name="discretion_edit"),
]
