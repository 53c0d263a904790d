"""The list kit: pagination and query strings shared by every list page."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200
# The sizes the page-size picker offers.
PAGE_SIZES = (10, 25, 50, 100, 200)


def paginate(
    request: HttpRequest, items: QuerySet[Any] | Sequence[Any], per_page: int = DEFAULT_PER_PAGE
) -> dict[str, Any]:
    """Return the page of ``items`` asked for, and the query string without ``page``."""
    default = per_page
    with contextlib.suppress(ValueError):
        per_page = min(max(int(request.GET.get("per_page", per_page)), 1), MAX_PER_PAGE)
    paginator = Paginator(items, per_page)
    page: Page[Any] = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("per_page", None)
    if per_page != default:
        params["per_page"] = str(per_page)
    return {
        "page_obj": page,
        "object_list": page.object_list,
        "querystring": params.urlencode(),
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "page_sizes": sorted({*PAGE_SIZES, per_page}),
    }
