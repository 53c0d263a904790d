"""Writes for the core: org units, users, tokens, sessions, attachments.

Every service is keyword-only, takes the actor, validates with full_clean(),
and records an audit event in the same transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import string
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import files, policy
from fazhi.core.audit import PREFERRED_ALGORITHM, audit_record, snapshot
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.models import PATH_STEP, ApiToken, Attachment, Blob, OrgUnit, Role, User
from fazhi.core.selectors import scope_paths, unit_in_scope
from fazhi.core.throttle import login_failures_clear

UNIT_FIELDS = [
    "name",
    "short_name",
    "kind",
    "level",
    "parent",
    "region_code",
    "uscc",
    "doc_abbr",
    "sort_order",
    "is_active",
]
USER_FIELDS = [
    "username",
    "full_name",
    "unit",
    "role",
    "phone",
    "enterprise_uscc",
    "is_active",
    "email",
]


def _assert_unit_in_scope(actor: Any, unit: OrgUnit | None) -> None:
    if not unit_in_scope(actor, unit):
        raise NotAllowed(_("You may not act for a unit outside your own scope."))


def _require_for_other(actor: Any, user: User) -> None:
    """Self-service for one's own account; someone else's needs ``core.change_user``."""
    if actor.pk is not None and actor.pk == user.pk:
        return
    policy.require(actor, "core.change_user")
    _assert_unit_in_scope(actor, user.unit)


def _unit_path(unit: OrgUnit) -> str:
    own = f"{unit.pk:0{PATH_STEP}d}."
    return (unit.parent.path if unit.parent else "") + own


@policy.requires("core.add_orgunit")
@transaction.atomic
def orgunit_create(*, actor: Any, **fields: Any) -> OrgUnit:
    parent = fields.get("parent")
    if parent is None and scope_paths(actor) is not None:
        raise NotAllowed(_("Only a system administrator may create a top-level agency."))
    if parent is not None:
        _assert_unit_in_scope(actor, parent)
    unit = OrgUnit(**fields)
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = _unit_path(unit)
    unit.save(update_fields=["path"])
    audit_record(
        actor=actor,
        verb="core.orgunit.create",
        obj=unit,
        after=snapshot(unit, UNIT_FIELDS),
        unit=unit,
    )
    return unit


@policy.requires("core.change_orgunit")
@transaction.atomic
def orgunit_update(*, actor: Any, unit: OrgUnit, **fields: Any) -> OrgUnit:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _assert_unit_in_scope(actor, unit)
    before = snapshot(unit, UNIT_FIELDS)
    old_parent_id = unit.parent_id
    for name, value in fields.items():
        setattr(unit, name, value)
    if unit.parent_id != old_parent_id:
        if unit.parent is not None:
            _assert_unit_in_scope(actor, unit.parent)
        elif scope_paths(actor) is not None:
            # Detaching an agency would take it out of its parent's sight.
            raise NotAllowed(_("Only a system administrator may move a unit to the top level."))
    unit.full_clean(exclude=["path"])
    old_path = unit.path
    unit.path = _unit_path(unit)
    unit.save()
    if old_path != unit.path:
        for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            child.path = unit.path + child.path[len(old_path) :]
            child.save(update_fields=["path"])
    audit_record(
        actor=actor,
        verb="core.orgunit.update",
        obj=unit,
        before=before,
        after=snapshot(unit, UNIT_FIELDS),
        unit=unit,
    )
    return unit


ROLE_FIELDS = ["name", "scope", "description"]


def _granted(role: Role) -> list[str]:
    return sorted(
        f"{app}.{code}"
        for app, code in role.permissions.values_list("content_type__app_label", "codename")
    )


@policy.requires("core.change_role")
@transaction.atomic
def role_update(
    *, actor: Any, role: Role, permissions: Iterable[Permission] | None = None, **fields: Any
) -> Role:
    """Rename a role, change its scope or description, or change its grants.

    The default grants (each app's ``permissions.py``) are added back after every
    migrate; the grants added here stay.
    """
    unknown = sorted(set(fields) - set(ROLE_FIELDS))
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    role = Role.objects.select_for_update().get(pk=role.pk)
    before = {**snapshot(role, ROLE_FIELDS), "permissions": _granted(role)}
    for name, value in fields.items():
        setattr(role, name, value)
    role.full_clean()
    role.save()
    if permissions is not None:
        role.permissions.set(permissions)
    audit_record(
        actor=actor,
        verb="core.role.update",
        obj=role,
        before=before,
        after={**snapshot(role, ROLE_FIELDS), "permissions": _granted(role)},
    )
    return role


def generate_password(length: int = 14) -> str:
    """Return a random password that satisfies the complexity rules."""
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_+="
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(not c.isalnum() for c in candidate)
        ):
            return candidate


@policy.requires("core.add_user")
@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    unit: OrgUnit | None,
    role: Role | None,
    full_name: str = "",
    password: str | None = None,
    **extra: Any,
) -> tuple[User, str]:
    """Create a user; return it with its initial password (generated if not given)."""
    _assert_unit_in_scope(actor, unit)
    if role is not None and role.code == "system_admin" and scope_paths(actor) is not None:
        raise NotAllowed(_("Only a system administrator may grant that role."))
    user = User(username=username, unit=unit, role=role, full_name=full_name, **extra)
    raw = password or generate_password()
    try:
        validate_password(raw, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(raw)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        verb="core.user.create",
        obj=user,
        after=snapshot(user, USER_FIELDS),
        unit=unit,
    )
    return user, raw


@policy.requires("core.change_user")
@transaction.atomic
def user_update(*, actor: Any, user: User, **fields: Any) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    _assert_unit_in_scope(actor, user.unit)
    before = snapshot(user, USER_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    _assert_unit_in_scope(actor, user.unit)
    role = user.role
    if role is not None and role.code == "system_admin" and scope_paths(actor) is not None:
        raise NotAllowed(_("Only a system administrator may grant that role."))
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        verb="core.user.update",
        obj=user,
        before=before,
        after=snapshot(user, USER_FIELDS),
        unit=user.unit,
    )
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str, keep_tokens: bool = False) -> User:
    """Set a password (validators and history apply); revoke the user's API
    tokens unless ``keep_tokens``: whoever knew the old password may hold one.

    Anyone may set their own; another user's needs ``core.change_user``."""
    _require_for_other(actor, user)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "password_changed_at"])
    revoked = 0
    if not keep_tokens:
        revoked = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
    audit_record(
        actor=actor,
        verb="core.user.set_password",
        obj=user,
        unit=user.unit,
        after={"tokens_revoked": revoked, "tokens_kept": keep_tokens},
    )
    return user


@policy.requires("core.change_user")
@transaction.atomic
def user_unlock(*, actor: Any, user: User) -> User:
    _assert_unit_in_scope(actor, user.unit)
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    login_failures_clear(username=user.username)
    user.refresh_from_db()
    audit_record(
        actor=actor,
        verb="core.user.unlock",
        obj=user,
        before=before,
        after={"failed_logins": 0, "locked_until": None},
        unit=user.unit,
    )
    return user


@transaction.atomic
def token_issue(
    *, actor: Any, user: User, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a personal token; the key is shown once and only its hash is kept.

    It expires after ``days`` (default API_TOKEN_DAYS; 0: never). Anyone may
    issue their own; a token for another user needs ``core.change_user``.
    """
    _require_for_other(actor, user)
    key = ApiToken.new_key()
    days = settings.API_TOKEN_DAYS if days is None else days
    token = ApiToken(
        user=user,
        name=name,
        prefix=key[3:9],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        verb="core.apitoken.issue",
        obj=token,
        after={
            "user": user.pk,
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at,
        },
        unit=user.unit,
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token: one's own, or with ``core.change_user`` another user's."""
    _require_for_other(actor, token.user)
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(
        actor=actor,
        verb="core.apitoken.revoke",
        obj=token,
        after={"revoked": True},
        unit=token.user.unit,
    )
    return token


def session_expire(*, request: HttpRequest) -> None:
    """End an idle session, recording why."""
    user = request.user
    audit_record(actor=user, verb="core.user.session_expired", obj=user)  # type: ignore[arg-type]
    logout(request)


def _hash_stream(stream: IO[bytes]) -> tuple[str, str, int]:
    sha = hashlib.sha256()
    sm3 = hashlib.new(PREFERRED_ALGORITHM) if PREFERRED_ALGORITHM == "sm3" else None
    size = 0
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        sha.update(chunk)
        if sm3 is not None:
            sm3.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return sha.hexdigest(), sm3.hexdigest() if sm3 else "", size


@policy.requires("core.add_attachment")
@transaction.atomic
def attachment_store(
    *,
    actor: Any,
    upload: IO[bytes],
    name: str,
    unit: OrgUnit,
    role: str = "other",
    description: str = "",
) -> Attachment:
    """Store a file under its hash and record the hash in the audit trail."""
    _assert_unit_in_scope(actor, unit)
    sha256, sm3, size = _hash_stream(upload)
    if size == 0:
        raise DomainError(_("The file is empty."), field="file")
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(
            _("The file is larger than the limit of %(mb)d MB.")
            % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    head = upload.read(4096)
    upload.seek(0)
    mime = files.sniff(head, upload)
    if mime not in files.ALLOWED_TYPES:
        raise DomainError(
            _(
                "This kind of file is not accepted: its content is not a known "
                "document, image, audio or video format."
            ),
            field="file",
        )
    blob = Blob.objects.filter(sha256=sha256).first()
    if blob is None:
        storage_name = f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"
        if not default_storage.exists(storage_name):
            default_storage.save(storage_name, File(upload))
        blob = Blob.objects.create(
            sha256=sha256, sm3=sm3, size=size, content_type=mime, storage_name=storage_name
        )
    attachment = Attachment(
        blob=blob,
        original_name=name[:255],
        role=role,
        description=description,
        unit=unit,
        uploaded_by=actor if isinstance(actor, User) else None,
    )
    attachment.full_clean()
    attachment.save()
    audit_record(
        actor=actor,
        verb="core.attachment.store",
        obj=attachment,
        after={
            "sha256": sha256,
            "sm3": sm3,
            "size": size,
            "content_type": mime,
            "name": attachment.original_name,
        },
        unit=unit,
    )
    return attachment
