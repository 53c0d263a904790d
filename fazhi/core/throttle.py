"""Login throttling: growing delays per client address and per account, no lockout.

A lockout lets anyone shut an officer out by typing wrong passwords, so
failures never lock an account. After ``LOGIN_MAX_FAILURES`` failures within
``LOGIN_WINDOW_MINUTES``, further attempts must wait, twice as long after each
failure (from ``LOGIN_DELAY_SECONDS`` up to ``LOGIN_MAX_DELAY_MINUTES``):

- per client address, whatever the user names typed (guessing many accounts);
- per account, except from an address the owner logged in from successfully
  within ``LOGIN_USUAL_ADDRESS_DAYS`` (so an attacker elsewhere cannot keep the
  owner out).

API tokens are never affected. Attempts refused while waiting are not counted
and the password is not even checked (no oracle). Failures are rows in
``LoginFailure``, so every web process sees the same counts.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.utils import timezone

from fazhi.core import audit_verbs
from fazhi.core.models import AuditEvent, LoginFailure, User
from fazhi.core.verbs import Verb


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.LOGIN_WINDOW_MINUTES)


def _delay(failures: int) -> float:
    """Seconds to wait after the last failure, given the failures in the window."""
    over = failures - settings.LOGIN_MAX_FAILURES
    if over < 0:
        return 0.0
    cap = settings.LOGIN_MAX_DELAY_MINUTES * 60
    return float(min(settings.LOGIN_DELAY_SECONDS * 2 ** min(over, 30), cap))


def _wait(rows: list[datetime.datetime]) -> int:
    if not rows:
        return 0
    remaining = (max(rows) + datetime.timedelta(seconds=_delay(len(rows)))) - timezone.now()
    return max(0, math.ceil(remaining.total_seconds()))


def is_usual_address(user: User, client_ip: str | None) -> bool:
    if client_ip is None:
        return False
    since = timezone.now() - datetime.timedelta(days=settings.LOGIN_USUAL_ADDRESS_DAYS)
    return AuditEvent.objects.filter(
        verb__in=audit_verbs.spellings(Verb.LOGIN),
        object_type="core.user",
        object_id=str(user.pk),
        client_ip=client_ip,
        occurred_at__gte=since,
    ).exists()


def login_wait(*, username: str, client_ip: str | None) -> int:
    """Seconds this attempt must still wait (0: go ahead)."""
    since = _window_start()
    by_address = 0
    if client_ip is not None:
        by_address = _wait(
            list(
                LoginFailure.objects.filter(client_ip=client_ip, at__gte=since).values_list(
                    "at", flat=True
                )
            )
        )
    by_account = 0
    user = User.objects.filter(username=username).first()
    if user is not None and not is_usual_address(user, client_ip):
        by_account = _wait(
            list(
                LoginFailure.objects.filter(username=username, at__gte=since).values_list(
                    "at", flat=True
                )
            )
        )
    return max(by_address, by_account)


def login_failure_record(*, username: str, client_ip: str | None) -> int:
    """Count one failure; return the account's failures within the window."""
    LoginFailure.objects.filter(at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    LoginFailure.objects.create(username=username, client_ip=client_ip)
    return LoginFailure.objects.filter(username=username, at__gte=_window_start()).count()


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username).delete()
