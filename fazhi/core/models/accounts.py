"""Who logs in: roles, users, their password history, tokens and recovery codes."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from fazhi.core.choices import RoleCode, Scope
from fazhi.core.models.orgs import OrgUnit


class Role(models.Model):
    """角色 — what a user may do (permissions) and how far they see (scope)."""

    code = models.CharField(_("code"), max_length=30, unique=True, choices=RoleCode.choices)
    name = models.CharField(_("name"), max_length=60)
    scope = models.CharField(_("visibility scope"), max_length=10, choices=Scope.choices)
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="fazhi_roles"
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self) -> str:
        # The built-in roles show their translated label; renamed ones their name.
        if self.code in RoleCode.values:
            label = RoleCode(self.code).label
            with translation.override(None):
                untranslated = str(label)
            if self.name == untranslated:
                return str(label)
        return self.name


class FazhiUserManager(UserManager["User"]):
    """Run the password validators on every user the manager creates.

    ``createsuperuser --noinput`` with DJANGO_SUPERUSER_PASSWORD, its
    interactive "bypass validation" answer, and scripts calling
    ``create_user`` all come through here.
    """

    def _create_user_object(
        self, username: Any, email: Any, password: Any, **extra_fields: Any
    ) -> User:
        user = super()._create_user_object(  # type: ignore[misc]  # not in django-stubs
            username, email, password, **extra_fields
        )
        if password is not None:
            validate_password(password, user)
        return user


class User(AbstractUser):
    """A person who logs in; acts for one unit under one role."""

    objects = FazhiUserManager()  # type: ignore[misc]

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    enterprise_uscc = models.CharField(
        _("enterprise credit code"),
        max_length=18,
        blank=True,
        help_text=_("For enterprise users: the entity they act for."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    failed_logins = models.PositiveIntegerField(_("consecutive failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class PasswordHistory(models.Model):
    """A password hash a user had, so that recent passwords are not reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("password history")
        verbose_name_plural = _("password histories")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class LoginFailure(models.Model):
    """One failed login, counted per client address and per account for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")

    def __str__(self) -> str:
        return f"{self.username} {self.client_ip} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """个人访问令牌 — a personal token for machine clients (Bearer)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "fz_" + secrets.token_urlsafe(32)


class RecoveryCode(models.Model):
    """恢复码 — a one-time second factor for a lost authenticator, kept as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"

    @staticmethod
    def hash_code(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()
