"""Audit every login, logout and failed login; count failures for throttling."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from fazhi.core.audit import audit_record
from fazhi.core.models import User
from fazhi.core.request_context import client_ip_of
from fazhi.core.throttle import login_failure_record, login_failures_clear


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip_of(request) if request is not None else None


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        login_failures_clear(username=user.username)
        audit_record(actor=user, verb="core.user.login", obj=user, client_ip=_ip(request))


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(actor=user, verb="core.user.logout", obj=user, client_ip=_ip(request))


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Count the failure for throttling (never a lockout) and audit it."""
    username = str(credentials.get("username", ""))[:150]
    client_ip = _ip(request)
    with transaction.atomic():
        failures = login_failure_record(username=username, client_ip=client_ip)
        user = User.objects.filter(username=username).first()
        if user is not None:
            User.objects.filter(pk=user.pk).update(failed_logins=failures)
        audit_record(
            actor=None,
            actor_label=username or "?",
            verb="core.user.login_failed",
            obj=user,
            object_type="core.user",
            object_id=str(user.pk) if user else "",
            object_repr=username,
            after={"failed_logins": failures},
            unit=user.unit if user else None,
            client_ip=client_ip,
        )
