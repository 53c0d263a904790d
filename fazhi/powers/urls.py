from django.urls import path

from fazhi.powers import views

app_name = "powers"

urlpatterns = [
    path("", views.catalog_list, name="catalog_list"),
    path("catalogs/new/", views.catalog_create, name="catalog_create"),
    path("catalogs/<int:pk>/", views.catalog_detail, name="catalog_detail"),
    path("catalogs/<int:pk>/publish/", views.catalog_publish, name="catalog_publish"),
    path("catalogs/<int:pk>/diff/", views.catalog_diff, name="catalog_diff"),
    path("catalogs/<int:pk>/export/", views.catalog_export, name="catalog_export"),
    path("catalogs/<int:pk>/import/", views.catalog_import, name="catalog_import"),
    path(
        "catalogs/<int:pk>/import/<int:upload>/",
        views.catalog_import_review,
        name="catalog_import_review",
    ),
    path(
        "catalogs/<int:pk>/import/<int:upload>/problems/",
        views.catalog_import_report,
        name="catalog_import_report",
    ),
    path(
        "catalogs/<int:pk>/local-changes/",
        views.catalog_local_changes,
        name="catalog_local_changes",
    ),
    path("catalogs/<int:pk>/derive/", views.template_derive, name="template_derive"),
    path("catalogs/<int:catalog_pk>/items/new/", views.item_edit, name="item_create"),
    path("items/", views.item_search, name="item_list"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/adopt/", views.template_adopt, name="template_adopt"),
]
