"""Filters that show stored codes as words a civil servant reads."""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fazhi.core import privacy

register = template.Library()


@register.filter
def model_label(value: str) -> str:
    """``core.orgunit`` → the model's name (组织机构); unknown labels unchanged."""
    try:
        return str(apps.get_model(value)._meta.verbose_name)
    except (LookupError, ValueError):
        return value


@register.filter
def verb_label(value: str) -> str:
    """A stored audit verb (old spellings too) → its words (登录, 新增市场主体 …)."""
    from fazhi.core import audit_verbs

    return audit_verbs.label(value)


@register.filter
def actor_name(event: Any) -> str:
    """The person behind an audit event by name, or what the system did it as."""
    if event.actor_id and event.actor is not None:
        return str(event.actor)
    return who(event.actor_label)


@register.filter
def who(value: Any) -> str:
    """A person by name, or the system's own stand-in names in words."""
    if not isinstance(value, str):
        return str(value) if value is not None else ""
    labels = {"system": _("System"), "demo": _("Demo data loader"), "?": _("Unknown user")}
    return str(labels.get(value, value))


@register.filter
def region(code: str) -> str:
    """A GB/T 2260 region code with its name: ``370811 任城区``."""
    from fazhi.core.codes import region_get

    if not code:
        return ""
    found = region_get(code)
    return f"{code} {found.name}" if found is not None else code


@register.filter
def mask_phone(value: str) -> str:
    """A phone number with its middle digits hidden: ``138****5678``."""
    return privacy.mask_phone(value)


@register.simple_tag
def phone(value: str, show: bool) -> str:
    """The whole number for holders of the personal-data permission, else masked."""
    return privacy.phone(value, show)


# One look for every stored state, by what it means to the reader: done (ok),
# waiting on someone (warn), gone wrong (bad), under way (info), set aside (muted).
STATE_TONES = {
    **dict.fromkeys(
        ("executed", "closed", "no_hazards", "drawn", "active", "done", "in_force", "accepted",
         "served", "validated", "published"),
        "ok",
    ),
    **dict.fromkeys(
        ("review", "legal_review", "pending_decision", "hearing", "rectifying", "reinspection",
         "hazards_found", "demanded", "pending", "committed", "seeded", "validating", "queued",
         "importing", "transferred", "amended", "draft"),
        "warn",
    ),
    **dict.fromkeys(("escalated", "revoked", "failed", "rejected", "repealed", "court"), "bad"),
    **dict.fromkeys(
        ("declined", "referred", "cancelled", "retired", "discarded", "replaced", "archived"),
        "muted",
    ),
}  # fmt: skip


@register.simple_tag
def state_tag(obj: Any, field: str = "state", testid: str = "") -> str:
    """A record's state as a coloured tag.

    ``{% state_tag case %}``, ``{% state_tag entity "status" %}``.
    """
    value = getattr(obj, field)
    return state_span(value, getattr(obj, f"get_{field}_display")(), testid)


def state_span(value: str, label: Any, testid: str = "") -> str:
    """The tag of ``state_tag`` for a state's value and its label."""
    tone = STATE_TONES.get(value, "info")
    if testid:
        return format_html(
            '<span class="fz-tag fz-tag-{}" data-state="{}" data-testid="{}">{}</span>',
            tone,
            value,
            testid,
            label,
        )
    return format_html(
        '<span class="fz-tag fz-tag-{}" data-state="{}">{}</span>', tone, value, label
    )
