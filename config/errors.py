"""The 500 page in the site layout, with a plain fallback when that fails too."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render 500.html with the request, so the page has its header and menu.

    Django's own handler renders without the request (no context
    processors); that stays the fallback, e.g. when the database is down.
    """
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the 500 page could not be rendered with the request")
        return defaults.server_error(request)
