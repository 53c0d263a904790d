"""Reads, scoped once here to what the actor may see."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, Q, QuerySet

from fazhi.core import audit_verbs
from fazhi.core.collation import by_pinyin
from fazhi.core.models import ApiToken, Attachment, AuditEvent, OrgUnit, User

# Scope is decided by the policy; re-exported here, where the apps' selectors import it.
from fazhi.core.policy import scope_paths as scope_paths
from fazhi.core.policy import scope_q as scope_q
from fazhi.core.policy import unit_in_scope as unit_in_scope


def unit_list(*, actor: Any, q: str = "", kind: str = "") -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.filter(scope_q(actor, "path")).select_related("parent")
    if q:
        units = units.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(region_code=q))
    if kind:
        units = units.filter(kind=kind)
    return units


def unit_get(*, actor: Any, pk: int) -> OrgUnit:
    return unit_list(actor=actor).get(pk=pk)


def agency_list(*, actor: Any) -> QuerySet[OrgUnit]:
    return unit_list(actor=actor, kind="agency")


def user_list(
    *, actor: Any, q: str = "", unit: int | None = None, role: str = ""
) -> QuerySet[User]:
    users = User.objects.filter(scope_q(actor)).select_related("unit", "role")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if unit:
        target = OrgUnit.objects.filter(pk=unit).first()
        users = users.filter(unit__path__startswith=target.path) if target else users.none()
    if role:
        users = users.filter(role__code=role)
    # A roster: units in the order of the tree, people by pinyin within one.
    return users.order_by(
        F("unit__path").asc(nulls_first=True), by_pinyin("full_name"), "username"
    )


def user_get(*, actor: Any, pk: int) -> User:
    return user_list(actor=actor).get(pk=pk)


def token_list(*, actor: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("-created_at")


def audit_list(
    *,
    actor: Any,
    actor_q: str = "",
    object_type: str = "",
    object_id: str = "",
    verb: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[AuditEvent]:
    # An event stays with the tree its unit was in when it was recorded
    # (``unit_path``, part of the hashed record) and follows the unit if it
    # moves later, so the unit's new agency sees its history too.
    events = AuditEvent.objects.select_related("actor", "unit")
    if scope_paths(actor) is not None:
        events = events.filter(scope_q(actor, "unit_path") | scope_q(actor, "unit__path"))
    if actor_q:
        events = events.filter(
            Q(actor_label__icontains=actor_q) | Q(actor__full_name__icontains=actor_q)
        )
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if verb:
        # Today's spelling, and the older ones of the same verbs (the trail keeps them).
        events = events.filter(
            Q(verb__startswith=verb) | Q(verb__in=audit_verbs.legacy_spellings(verb))
        )
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events


def attachment_list(*, actor: Any, q: str = "", role: str = "") -> QuerySet[Attachment]:
    files = Attachment.objects.filter(scope_q(actor)).select_related("blob", "unit", "uploaded_by")
    if q:
        files = files.filter(Q(original_name__icontains=q) | Q(blob__sha256__startswith=q.lower()))
    if role:
        files = files.filter(role=role)
    return files


def attachment_get(*, actor: Any, pk: int) -> Attachment:
    return attachment_list(actor=actor).get(pk=pk)
