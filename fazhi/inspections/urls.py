from django.urls import path

from fazhi.inspections import views, views_rules

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("publication/", views.publication_board, name="publication_board"),
    path("indicators/", views.indicator_page, name="indicators"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/progress/", views.task_progress, name="task_progress"),
    path("tasks/<int:pk>/receipt.json", views.task_receipt, name="task_receipt"),
    path("ratios/", views_rules.matrix_page, name="ratio_matrix"),
    path("verify_draw.py", views.verifier_download, name="verifier"),
]
