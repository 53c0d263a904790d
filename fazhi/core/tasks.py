"""Background tasks of the core: verifying the audit chain."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from fazhi.core.audit_checks import audit_verification_run
from fazhi.core.models import User


@task
def audit_verify_task(user_id: int | None) -> dict[str, Any]:
    """Verify the whole audit chain for the user who asked (see audit_checks)."""
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    return audit_verification_run(actor=actor)
