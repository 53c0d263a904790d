"""Two-factor login: a TOTP authenticator (django-otp) plus one-time recovery codes.

After the password, a user who has an authenticator, or whose role requires
one (``TWO_FACTOR_REQUIRED_ROLES``, superusers always), proves a code before
any page or the session API answers (``TwoFactorMiddleware``, ``SessionAuth``).
The session remembers the result. Personal API tokens are not affected.

Recovery codes are shown once and kept as SHA-256 hashes (they are random,
so a hash without salt cannot be guessed back). Every change and every failed
or recovery-code verification writes an audit event.
"""

from __future__ import annotations

import base64
import io
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from fazhi.core import policy
from fazhi.core.audit import audit_record
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.models import RecoveryCode, User

SESSION_KEY = "fazhi_2fa"
VERIFIED = "verified"
# Checked once: no authenticator and none required (re-checked if the role changes).
NOT_NEEDED = "not_needed"
DEVICE_NAME = "authenticator"
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_LENGTH = 10


# -- questions ------------------------------------------------------------------


def required_for(user: Any) -> bool:
    """Say whether the user must log in with a second factor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    role = getattr(user, "role", None)
    return role is not None and role.code in settings.TWO_FACTOR_REQUIRED_ROLES


def device_of(user: Any, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=confirmed).first()


def is_enrolled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def session_state(request: HttpRequest) -> str:
    """Return ``VERIFIED``/``NOT_NEEDED`` when the session may proceed, else what to do.

    "verify" (an authenticator is enrolled) or "enrol" (one is required first).
    """
    user = request.user
    state = request.session.get(SESSION_KEY)
    if state == VERIFIED:
        return VERIFIED
    if state == NOT_NEEDED and not required_for(user):
        return NOT_NEEDED
    if is_enrolled(user):
        return "verify"
    if required_for(user):
        return "enrol"
    request.session[SESSION_KEY] = NOT_NEEDED
    return NOT_NEEDED


def session_ok(request: HttpRequest) -> bool:
    return session_state(request) in (VERIFIED, NOT_NEEDED)


def mark_verified(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = VERIFIED
    request.session.cycle_key()


def qr_svg(url: str) -> str:
    """Return the enrolment URL as an SVG QR code (a data: URI, allowed by the CSP)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def manual_key(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an authenticator app."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# -- enrolment ------------------------------------------------------------------


@transaction.atomic
def enrol_start(*, user: User) -> TOTPDevice:
    """Return the user's pending (unconfirmed) authenticator, creating one if needed."""
    pending = device_of(user, confirmed=False)
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return pending


def _new_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=RecoveryCode.hash_code(code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def enrol_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm a pending authenticator with its first code; return new recovery codes."""
    if device.user_id != user.pk or device.confirmed:
        raise NotAllowed(_("This authenticator is not pending enrolment."))
    if not _totp_ok(device, _digits(token)):
        raise DomainError(
            _("The code is wrong or has expired. Check the time on your phone and try again."),
            field="token",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_codes(user)
        audit_record(
            actor=user,
            verb="core.user.two_factor_enrol",
            obj=user,
            after={"recovery_codes": len(codes)},
        )
    return codes


@transaction.atomic
def recovery_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working)."""
    if not is_enrolled(user):
        raise DomainError(_("Set up an authenticator first."))
    codes = _new_codes(user)
    audit_record(
        actor=user, verb="core.user.recovery_regenerate", obj=user, after={"count": len(codes)}
    )
    return codes


def recovery_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


@transaction.atomic
def disable(*, user: User) -> None:
    """Remove one's own authenticator, unless the role requires one."""
    if required_for(user):
        raise NotAllowed(_("Your role requires two-factor login."))
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(actor=user, verb="core.user.two_factor_disable", obj=user)


@policy.requires("core.change_user")
@transaction.atomic
def reset(*, actor: Any, user: User) -> None:
    """An administrator removes a user's authenticator and codes (a lost phone).

    The user enrols again at the next login (if the role requires it).
    """
    policy.require(actor, "core.change_user", unit=user.unit)
    if user.unit is None and not policy.is_system_admin(actor):
        raise NotAllowed(_("You do not have permission to do this."))
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        verb="core.user.two_factor_reset",
        obj=user,
        before={"enrolled": bool(removed)},
        after={"enrolled": False},
        unit=user.unit,
    )


# -- verification -----------------------------------------------------------------


def _digits(token: str) -> str:
    return "".join(token.split())


def _totp_ok(device: TOTPDevice, token: str) -> bool:
    """Check an authenticator code; raise while wrong codes are being throttled."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        until = (info or {}).get("locked_until")
        wait = max(1, int((until - timezone.now()).total_seconds())) if until else 1
        raise DomainError(
            _("Too many wrong codes. Wait %(seconds)d seconds and try again.") % {"seconds": wait},
            field="token",
        )
    return bool(device.verify_token(token))


def verify(*, user: User, token: str) -> str:
    """Check a code from the authenticator or a recovery code; return which one.

    A failure is audited (outside any transaction the caller may roll back)
    and raises ``DomainError``; wrong authenticator codes slow down (django-otp).
    """
    token = _digits(token).lower()
    device = device_of(user)
    if token.isdigit() and device is not None:
        if _totp_ok(device, token):
            return "totp"
    else:
        plain = token.replace("-", "")
        with transaction.atomic():
            code = (
                RecoveryCode.objects.select_for_update()
                .filter(user=user, code_hash=RecoveryCode.hash_code(plain), used_at__isnull=True)
                .first()
            )
            if code is not None:
                code.used_at = timezone.now()
                code.save(update_fields=["used_at"])
                audit_record(
                    actor=user,
                    verb="core.user.recovery_code_used",
                    obj=user,
                    after={"left": recovery_left(user)},
                )
                return "recovery"
    audit_record(actor=user, verb="core.user.two_factor_failed", obj=user)
    raise DomainError(_("The code is not valid."), field="token")
