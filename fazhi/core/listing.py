"""The list kit: pagination and query strings shared by every list page."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200


def paginate(
    request: HttpRequest, items: QuerySet[Any], per_page: int = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    """Return the page of ``items`` asked for, and the query string without ``page``."""
    with contextlib.suppress(ValueError):
        per_page = min(max(int(request.GET.get("per_page", per_page)), 1), MAX_PER_PAGE)
    paginator = Paginator(items, per_page)
    page: Page[Any] = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page_obj": page, "object_list": page.object_list, "querystring": params.urlencode()}
