"""Session idle timeout, password expiry, and request context for auditing."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fazhi.core.request_context import client_ip_of, reset_client_ip, set_client_ip

request_log = logging.getLogger("fazhi.request")

LAST_SEEN_KEY = "fazhi_last_seen"
LAST_SEEN_RESOLUTION = 30  # seconds


class HealthCheckMiddleware:
    """Answer ``/healthz`` before the host check: probes call by address.

    A container's HEALTHCHECK or a load balancer asks ``http://127.0.0.1:8000/``
    or the backend's address, which ALLOWED_HOSTS (the public name) refuses
    with 400. The answer says only whether the database responds.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz" and request.method in ("GET", "HEAD"):
            from fazhi.core.views import health

            return health(request)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Log out a session that has been idle longer than SESSION_IDLE_MINUTES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_client_ip(client_ip_of(request))
        try:
            if request.user.is_authenticated and hasattr(request, "session"):
                now = time.time()
                last = request.session.get(LAST_SEEN_KEY)
                if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                    from fazhi.core.services import session_expire

                    session_expire(request=request)
                    messages.info(request, _("You were logged out after a period of inactivity."))
                    return redirect_to_login(request.get_full_path())
                if last is None or now - last > LAST_SEEN_RESOLUTION:
                    # Coarse on purpose: a session write per page view is wasted I/O.
                    request.session[LAST_SEEN_KEY] = now
            return self.get_response(request)
        finally:
            reset_client_ip(token)


class TwoFactorMiddleware:
    """Hold a password-only session at the second factor (fazhi/core/two_factor.py).

    A user with an authenticator proves a code; a user whose role requires one
    and has none enrols first. The API answers 403 instead (core/auth.py).
    """

    ALLOWED = ("two_factor_verify", "two_factor_enrol", "logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed_paths: set[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith(
            ("/api/", "/static/", "/healthz")
        ):
            from fazhi.core import two_factor

            if self._allowed_paths is None:
                self._allowed_paths = {reverse(name) for name in self.ALLOWED}
            if request.path not in self._allowed_paths:
                state = two_factor.session_state(request)
                if state in ("verify", "enrol"):
                    target = reverse(f"two_factor_{state}")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """Send users whose password is older than PASSWORD_MAX_AGE_DAYS to change it."""

    ALLOWED = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        max_age = settings.PASSWORD_MAX_AGE_DAYS
        if (
            max_age
            and user.is_authenticated
            and request.path.startswith("/")
            and not request.path.startswith(("/api/", "/static/"))
            and getattr(request, "resolver_match", None) is None
        ):
            changed = getattr(user, "password_changed_at", None)
            expired = changed is None or changed < timezone.now() - datetime.timedelta(
                days=max_age
            )
            allowed_paths = {reverse(name) for name in self.ALLOWED}
            if expired and request.path not in allowed_paths:
                messages.warning(request, _("Your password has expired. Please set a new one."))
                return redirect("password_change")
        return self.get_response(request)


class DefaultLanguageMiddleware:
    """Chinese unless the user chose otherwise (language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a
    bureau's intranet should show zh-hans by default, so pages ignore it. The
    API honours Accept-Language, so machine clients can ask for English errors.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
            if request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" in request.META:
                language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RequestLogMiddleware:
    """Log one structured line per request (a JSON object in production)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request_log.isEnabledFor(logging.INFO):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "client_ip": client_ip_of(request),
            },
        )
        return response
