"""The client address of the request being served, for audit events."""

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_client_ip: ContextVar[str | None] = ContextVar("fazhi_client_ip", default=None)


def client_ip_of(request: HttpRequest) -> str | None:
    """Return the client's address: REMOTE_ADDR, or behind TRUSTED_PROXIES the
    right-most X-Forwarded-For entry that is not one of them.

    Entries to the left of the first untrusted one were written by the client
    and could be forged, so they are never read.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXIES
    if remote is None or remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if hop not in trusted:
            return hop
    return remote


def current_client_ip() -> str | None:
    return _client_ip.get()


def set_client_ip(value: str | None) -> object:
    return _client_ip.set(value)


def reset_client_ip(token: object) -> None:
    _client_ip.reset(token)  # type: ignore[arg-type]
