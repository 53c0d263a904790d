"""Warm a web worker before it takes its first request.

A worker that loaded lazily paid 1–2 s on its first request: the URLconf
(every app's views and API), the Chinese catalog, the templates of the busy
pages and the jieba dictionary of the article search. ``warm()`` does that
work once at worker start (gunicorn's ``post_worker_init``) so the first
request costs what the thousandth does. It never touches the database, so
it is safe before or after a fork.
"""

from __future__ import annotations

import contextlib
import logging
import time

log = logging.getLogger("fazhi.warm")

# Templates rendered by the pages people open first.
TEMPLATES = (
    "registry/entity_list.html",
    "registry/officer_list.html",
    "laws/law_list.html",
)


def warm() -> float:
    """Load what the first request would load; return the seconds it took."""
    started = time.perf_counter()
    from django.conf import settings
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils.translation import trans_real

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view and API module
    resolver.reverse_dict  # noqa: B018 - builds the reverse lookup tables
    for code, _name in settings.LANGUAGES:
        trans_real.translation(code)  # reads and merges the catalogs once
    for name in TEMPLATES:
        with contextlib.suppress(TemplateDoesNotExist):
            get_template(name)
    from fazhi.laws.search import segment

    segment("安全生产")  # loads the jieba dictionary
    seconds = time.perf_counter() - started
    log.info("worker warmed in %.2f s", seconds)
    return seconds
