"""Template helpers: masked citizen IDs, certificate badges, domain labels."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fazhi.core import privacy
from fazhi.registry.choices import CertificateStatus, EnforcementDomain
from fazhi.registry.models import EnforcementCertificate, Officer

register = template.Library()

_BADGES: dict[str, str] = {
    CertificateStatus.VALID: "text-bg-success",
    CertificateStatus.EXPIRED: "text-bg-danger",
    CertificateStatus.SUSPENDED: "text-bg-warning",
    CertificateStatus.REVOKED: "text-bg-dark",
}


@register.simple_tag
def citizen_id(value: str, show: bool) -> str:
    """The full number for those allowed to see it, else the masked form."""
    return privacy.citizen_id(value, show)


@register.simple_tag
def certificate_badge(certificate: EnforcementCertificate, day: datetime.date) -> Any:
    status = certificate.status_on(day)
    return format_html(
        '<span class="badge {}">{}</span>', _BADGES[status], CertificateStatus(status).label
    )


@register.simple_tag
def domain_labels(officer: Officer) -> str:
    labels = dict(EnforcementDomain.choices)
    return "、".join(str(labels.get(code, code)) for code in officer.domain_list) or _("None")
