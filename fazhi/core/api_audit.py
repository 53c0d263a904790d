"""API: the audit log, its verification and its export (/api/v1/audit/…).

No ``from __future__ import annotations``: see fazhi/core/api.py.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from fazhi.core import policy, selectors
from fazhi.core.audit_checks import audit_verification_list
from fazhi.core.tasks import audit_verify_task
from fazhi.core.templatetags.fazhi_ui import actor_name, model_label, verb_label

router = Router(tags=["audit"])
PERMISSION = "core.view_auditevent"


class AuditEventOut(Schema):
    seq: int
    occurred_at: datetime.datetime
    actor: str
    verb: str
    verb_label: str
    object_type: str
    object_type_label: str
    object_id: str
    object_repr: str
    client_ip: str | None
    algorithm: str
    hash: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return actor_name(obj)

    @staticmethod
    def resolve_verb_label(obj: Any) -> str:
        return verb_label(obj.verb)

    @staticmethod
    def resolve_object_type_label(obj: Any) -> str:
        return model_label(obj.object_type)


class EventFilter(Schema):
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    verb: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


class VerificationOut(Schema):
    seq: int
    occurred_at: datetime.datetime
    actor: str
    intact: bool
    events: int
    broken_seq: int | None

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return actor_name(obj)

    @staticmethod
    def resolve_intact(obj: Any) -> bool:
        return bool((obj.after or {}).get("intact"))

    @staticmethod
    def resolve_events(obj: Any) -> int:
        return int((obj.after or {}).get("events") or 0)

    @staticmethod
    def resolve_broken_seq(obj: Any) -> int | None:
        return (obj.after or {}).get("broken_seq")


class VerificationStarted(Schema):
    task_id: str
    status: str


@router.get("/audit/events", response=list[AuditEventOut])
@paginate
def audit_events(request: HttpRequest, filters: Query[EventFilter]) -> Any:
    """Audit events in scope, oldest first: the export of the log."""
    policy.page_require(request.user, PERMISSION)
    return selectors.audit_list(
        actor=request.user,
        actor_q=filters.actor,
        object_type=filters.object_type,
        object_id=filters.object_id,
        verb=filters.verb,
        since=filters.since,
        until=filters.until,
    ).order_by("seq")


@router.get("/audit/verifications", response=list[VerificationOut])
@paginate
def audit_verifications(request: HttpRequest) -> Any:
    """Past verifications of the chain, newest first."""
    policy.page_require(request.user, PERMISSION)
    return audit_verification_list(actor=request.user)


@router.post("/audit/verifications", response={202: VerificationStarted})
def audit_verification_start(request: HttpRequest) -> Any:
    """Verify the whole chain in the background; the result joins the list."""
    policy.page_require(request.user, PERMISSION)
    result = audit_verify_task.enqueue(request.user.pk)
    return Status(202, {"task_id": str(result.id), "status": str(result.status)})
