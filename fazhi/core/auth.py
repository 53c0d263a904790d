"""Authentication: role-based permissions, lockout, password complexity, tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext
from ninja.security import HttpBearer, django_auth

from fazhi.core.models import ApiToken, User


class RoleBackend(ModelBackend):
    """Grant the permissions of the user's role; refuse locked accounts."""

    def user_can_authenticate(self, user: Any) -> bool:
        if isinstance(user, User) and user.is_locked():
            return False
        return super().user_can_authenticate(user)

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


def token_user(key: str) -> User | None:
    """Return the active user owning a valid personal token, or None."""
    token = (
        ApiToken.objects.select_related("user", "user__unit", "user__role")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False)
        .first()
    )
    if token is None or not token.user.is_active or token.user.is_locked():
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


def api_auth() -> list[Any]:
    """Session (browser, CSRF-checked) or personal token (machines)."""
    return [BearerAuth(), django_auth]


def is_anonymous(user: Any) -> bool:
    return user is None or isinstance(user, AnonymousUser) or not user.is_authenticated
