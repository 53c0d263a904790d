from django.urls import path

from fazhi.laws import views

app_name = "laws"

urlpatterns = [
    path("", views.law_list, name="law_list"),
    path("search/", views.search, name="search"),
    path("cite/", views.cite, name="cite"),
    path("import/", views.law_import, name="law_import"),
    path("terms/", views.term_list, name="term_list"),
    path("terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/delete/", views.term_remove, name="term_delete"),
    path("compilations/", views.compilation_list, name="compilation_list"),
    path("compilations/new/", views.compilation_create, name="compilation_create"),
    path("compilations/<int:pk>/", views.compilation_detail, name="compilation_detail"),
    path(
        "compilations/<int:pk>/download/",
        views.compilation_download,
        name="compilation_download",
    ),
    path("w/<str:key>/", views.work_detail, name="work_detail"),
    path("w/<str:key>/articles/<str:anchor>/", views.work_article, name="work_article"),
    path("<int:pk>/", views.law_detail, name="law_detail"),
    path("<int:pk>/edit/", views.law_edit, name="law_edit"),
    path("<int:pk>/headings/", views.law_headings, name="law_headings"),
    path("<int:pk>/compare/<int:other>/", views.law_compare, name="law_compare"),
    path("<int:pk>/articles/<str:anchor>/", views.article_detail, name="article_detail"),
]
