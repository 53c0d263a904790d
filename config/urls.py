from django.contrib import admin
from django.urls import include, path

from config.api import api
from fazhi.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.health, name="health"),
    path("accounts/", include("fazhi.core.auth_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("core/", include("fazhi.core.urls")),
    path("laws/", include("fazhi.laws.urls")),
    path("powers/", include("fazhi.powers.urls")),
    path("discretion/", include("fazhi.discretion.urls")),
    path("registry/", include("fazhi.registry.urls")),
    path("inspections/", include("fazhi.inspections.urls")),
    path("cases/", include("fazhi.cases.urls")),
    path("gongshi/penalties/", include("fazhi.cases.public_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler500 = "config.errors.server_error"
