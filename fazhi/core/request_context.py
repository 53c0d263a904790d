"""The client address of the request being served, for audit events."""

from contextvars import ContextVar

from django.http import HttpRequest

_client_ip: ContextVar[str | None] = ContextVar("fazhi_client_ip", default=None)


def client_ip_of(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trusted only behind a configured proxy.
    return request.META.get("REMOTE_ADDR") or None


def current_client_ip() -> str | None:
    return _client_ip.get()


def set_client_ip(value: str | None) -> object:
    return _client_ip.set(value)


def reset_client_ip(token: object) -> None:
    _client_ip.reset(token)  # type: ignore[arg-type]
