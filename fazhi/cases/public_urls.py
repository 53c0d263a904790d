"""执法公示: the public pages of published penalty decisions (no login)."""

from django.urls import path

from fazhi.cases import views_publication

app_name = "publicity"

urlpatterns = [
    path("", views_publication.public_list, name="penalty_list"),
    path("<int:pk>/", views_publication.public_detail, name="penalty_detail"),
]
