"""Audit every login, logout and failed login; count failures for lockout."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from fazhi.core.audit import audit_record
from fazhi.core.models import User
from fazhi.core.request_context import client_ip_of


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip_of(request) if request is not None else None


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        audit_record(actor=user, verb="auth.login", obj=user, client_ip=_ip(request))


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(actor=user, verb="auth.logout", obj=user, client_ip=_ip(request))


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        locked = False
        if user is not None:
            if user.locked_until is not None and not user.is_locked():
                # A lock that has run out gives a fresh set of attempts.
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
            user.refresh_from_db(fields=["failed_logins", "locked_until"])
            if user.failed_logins >= settings.LOGIN_MAX_FAILURES and not user.is_locked():
                user.locked_until = timezone.now() + datetime.timedelta(
                    minutes=settings.LOGIN_LOCKOUT_MINUTES
                )
                user.save(update_fields=["locked_until"])
                locked = True
        audit_record(
            actor=None,
            actor_label=username or "?",
            verb="auth.login_failed",
            obj=user,
            object_type="core.user",
            object_id=str(user.pk) if user else "",
            object_repr=username,
            after={"failed_logins": user.failed_logins, "locked": locked} if user else None,
            unit=user.unit if user else None,
            client_ip=_ip(request),
        )
        if locked and user is not None:
            audit_record(
                actor=None,
                actor_label="system",
                verb="auth.locked",
                obj=user,
                unit=user.unit,
                after={"locked_until": user.locked_until},
                client_ip=_ip(request),
            )
