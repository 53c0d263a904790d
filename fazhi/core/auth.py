"""Authentication: role-based permissions, password rules and expiry, tokens."""

from __future__ import annotations

import copy
import datetime
import functools
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from fazhi.core import read_cache
from fazhi.core.errors import NotAllowed
from fazhi.core.models import ApiToken, PasswordHistory, User


@functools.cache
def _permissions_sql(*, everything: bool) -> str:
    """SQL answering (app_label, codename) of a user's direct, group and role
    permissions (parameters: user id, user id, role id), or of all of them."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from fazhi.core.models import Role

    def table(model: Any) -> str:
        return str(connection.ops.quote_name(model._meta.db_table))

    def column(model: Any, field: str) -> str:
        return str(connection.ops.quote_name(model._meta.get_field(field).column))

    permission, content_type = table(Permission), table(ContentType)
    app_label, codename = column(ContentType, "app_label"), column(Permission, "codename")
    select = (
        f"SELECT DISTINCT ct.{app_label}, p.{codename} "
        f"FROM {permission} p JOIN {content_type} ct "
        f"ON ct.{column(ContentType, 'id')} = p.{column(Permission, 'content_type')}"
    )
    if everything:
        return select
    direct = User.user_permissions.through
    member = User.groups.through
    granted = Group.permissions.through
    role = Role.permissions.through
    pid = column(Permission, "id")
    return (
        f"{select} WHERE p.{pid} IN (SELECT {column(direct, 'permission')} "
        f"FROM {table(direct)} WHERE {column(direct, 'user')} = %s) "
        f"OR p.{pid} IN (SELECT g.{column(granted, 'permission')} FROM {table(granted)} g "
        f"JOIN {table(member)} m ON m.{column(member, 'group')} = g.{column(granted, 'group')} "
        f"WHERE m.{column(member, 'user')} = %s) "
        f"OR p.{pid} IN (SELECT {column(role, 'permission')} "
        f"FROM {table(role)} WHERE {column(role, 'role')} = %s)"
    )


class RoleBackend(ModelBackend):
    """Grant the permissions of the user's role; refuse accounts an administrator locked.

    Failed logins never lock an account (they are throttled: core/throttle.py).
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if isinstance(user, User) and user.is_locked():
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id: Any) -> Any:
        """Load the session's user with its role and unit: every page asks for both."""
        known = read_cache.remembered(
            _known_users,
            user_id,
            lambda: (
                User._default_manager.select_related("role", "unit").filter(pk=user_id).first()
            ),
        )
        if known is None:
            return None
        user = copy.copy(known)  # what a request sets on its user stays with it
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """The user's, their groups' and their role's permissions, in one query.

        Django's backend asks twice (user, then groups) on every request that
        checks a permission; this answers from one query, cached on the user
        object for the rest of the request like Django's own cache. Every API
        request asks, so the query is written once as SQL rather than compiled
        by the ORM each time (that took longer than running it).
        """
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            pk, role_id = user_obj.pk, getattr(user_obj, "role_id", None)
            everything = bool(user_obj.is_superuser)
            # Remembered while the data is unchanged (read_cache): a grant is a write.
            known = read_cache.remembered(
                _known_permissions,
                (pk, role_id, everything),
                lambda: _permissions_read(pk, role_id, everything=everything),
            )
            user_obj._perm_cache = set(known)
        cache: set[str] = user_obj._perm_cache
        return cache

    def _get_role_permissions(self, user_obj: User) -> Any:
        from django.contrib.auth.models import Permission

        if user_obj.role_id is None:
            return Permission.objects.none()
        return Permission.objects.filter(fazhi_roles=user_obj.role_id)

    def _get_group_permissions(self, user_obj: Any) -> Any:
        # Roles replace Django groups; keep both so the admin's groups still work.
        from django.contrib.auth.models import Permission

        groups = Permission.objects.filter(group__user=user_obj)
        if getattr(user_obj, "role_id", None) is None:
            return groups
        return Permission.objects.filter(
            Q(group__user=user_obj) | Q(fazhi_roles=user_obj.role_id)
        ).distinct()


class ComplexityValidator:
    """Require characters from at least ``min_classes`` of: lower, upper, digit, symbol."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(n)d kind of character "
            "(lower case, upper case, digits, symbols).",
            "Your password must mix at least %(n)d kinds of characters "
            "(lower case, upper case, digits, symbols).",
            self.min_classes,
        ) % {"n": self.min_classes}


class PasswordHistoryValidator:
    """Refuse the current password and the last ``PASSWORD_HISTORY`` ones.

    Django calls ``password_changed`` after every save that set a password, on
    every path (forms, admin, services, createsuperuser), so the history is
    complete without each path remembering to record it.
    """

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        depth = settings.PASSWORD_HISTORY
        hashes = [user.password] if user.password else []
        if depth:
            hashes += list(
                PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                    :depth
                ]
            )
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None) or not user.password:
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            : max(settings.PASSWORD_HISTORY, 1)
        ]
        PasswordHistory.objects.filter(user_id=user.pk).exclude(pk__in=list(keep)).delete()

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must differ from your current one.",
            "Your password must differ from your last %(n)d passwords.",
            settings.PASSWORD_HISTORY,
        ) % {"n": settings.PASSWORD_HISTORY}


def password_expired(user: Any) -> bool:
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if not max_age:
        return False
    changed = getattr(user, "password_changed_at", None)
    return changed is None or changed < timezone.now() - datetime.timedelta(days=max_age)


class PasswordExpired(NotAllowed):
    """The API refuses a user whose password expired, by session or by token."""


def _refuse_expired(user: User) -> None:
    if password_expired(user):
        raise PasswordExpired(
            _("Your password has expired. Set a new one in the web interface, then try again.")
        )


def token_user(key: str) -> User | None:
    """Return the active user owning a valid personal token, or None.

    Login-form failures never touch tokens; an expired password refuses them
    (403) until the owner sets a new one.
    """
    key_hash = ApiToken.hash_key(key)
    token = read_cache.remembered(
        _known_tokens,
        key_hash,
        lambda: (
            ApiToken.objects.select_related("user", "user__unit", "user__role")
            .filter(key_hash=key_hash, revoked=False)
            .first()
        ),
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    _refuse_expired(token.user)
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    # A copy per request: what a request sets on its user stays with it.
    return copy.copy(token.user)


# Tokens and session users as read at a data version (read_cache.remembered):
# a client calling every second costs one lookup per write, not one per call.
# Revoking, deactivating or locking are writes; dates are checked on every call.
_known_tokens: dict[Any, tuple[tuple[Any, ...], ApiToken | None]] = {}
_known_users: dict[Any, tuple[tuple[Any, ...], User | None]] = {}
_known_permissions: dict[Any, tuple[tuple[Any, ...], frozenset[str]]] = {}


def _permissions_read(pk: int, role_id: int | None, *, everything: bool) -> frozenset[str]:
    with connection.cursor() as cursor:
        if everything:
            cursor.execute(_permissions_sql(everything=True))
        else:
            cursor.execute(_permissions_sql(everything=False), [pk, pk, role_id])
        return frozenset(f"{app}.{codename}" for app, codename in cursor)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser session, refused (403) while the password is expired or the
    second factor is still to be proved (personal tokens need no second factor)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            _refuse_expired(user)
            from fazhi.core import two_factor

            if not two_factor.session_ok(request):
                raise NotAllowed(_("Complete the two-factor login in the web interface first."))
        return user


def api_auth() -> list[Any]:
    """Session (browser, CSRF-checked) or personal token (machines)."""
    return [BearerAuth(), SessionAuth()]


def is_anonymous(user: Any) -> bool:
    return user is None or isinstance(user, AnonymousUser) or not user.is_authenticated
