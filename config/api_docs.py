"""The API docs page, served from vendored Swagger UI under the site's CSP.

django-ninja's own page loads Swagger UI from a CDN unless ``ninja`` is an
installed app; a bureau intranet cannot reach a CDN and our CSP forbids it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class VendoredSwagger(Swagger):
    """Swagger UI from ``static/vendor/swagger-ui``, started by a script file."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings), "api": api}
        return render(request, self.template, context)
