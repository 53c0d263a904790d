"""Home-page panels contributed by the registry."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from fazhi.core import policy
from fazhi.registry import selectors
from fazhi.registry.choices import RuleCode
from fazhi.registry.selectors import OfficerFilters

SHOWN = 8


def certificate_expiry_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Certificates that run out within the warning window (rule data)."""
    user = request.user
    if not user.is_authenticated or not policy.has_permission(user, "registry.view_officer"):
        return None
    today = timezone.localdate()
    rule = selectors.rule_in_force(RuleCode.CERT_EXPIRY_WARNING_DAYS, today)
    if rule is None:
        return None
    expiring = selectors.certificates_expiring(actor=user, on=today, days=rule.value)
    items = list(expiring[: SHOWN + 1])
    more = expiring.count() - SHOWN if len(items) > SHOWN else 0
    lapsed = selectors.officer_list(
        actor=user, filters=OfficerFilters(status="active", certificate="expired"), on=today
    ).count()
    return {
        "template": "registry/panels/certificates.html",
        "items": items[:SHOWN],
        "more": more,
        "days": rule.value,
        "verified": rule.verified,
        "source": rule.source,
        "expired": lapsed,
    }
