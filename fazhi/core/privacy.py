"""Personal data of people on the staff: 公民身份号码 and phone numbers.

Shown whole only to holders of ``PERSONAL_DATA_PERM`` (the legal reviewers
and administrators who maintain the officer register, issue 14); everyone
else sees them masked, on every surface: pages, exports, the API and the
audit trail's before/after. Every surface asks this module, so the rule is
one function, not a check per view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fazhi.core import codes, policy

PERSONAL_DATA_PERM = "registry.view_officer_citizen_id"
# Keys that hold personal data in audit payloads and API rows.
CITIZEN_ID_KEYS = frozenset({"citizen_id"})
PHONE_KEYS = frozenset({"phone"})


def may_see_personal_data(actor: Any) -> bool:
    """Say whether ``actor`` sees ID and phone numbers whole."""
    return policy.has_permission(actor, PERSONAL_DATA_PERM)


def mask_citizen_id(value: str) -> str:
    """``370811********1234``: the region and the last four characters."""
    return codes.mask_ric(value or "")


def mask_phone(value: str) -> str:
    """``138****5678``: the first three and the last four digits."""
    digits = (value or "").strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def citizen_id(value: str, show: bool) -> str:
    return value if show else mask_citizen_id(value)


def phone(value: str, show: bool) -> str:
    return value if show else mask_phone(value)


def redact(data: Any, show: bool) -> Any:
    """``data`` (an audit payload: dicts and lists) with personal values
    masked unless ``show``; other values unchanged."""
    if show:
        return data
    if isinstance(data, Mapping):
        masked: dict[Any, Any] = {}
        for key, value in data.items():
            if key in CITIZEN_ID_KEYS and isinstance(value, str):
                masked[key] = mask_citizen_id(value)
            elif key in PHONE_KEYS and isinstance(value, str):
                masked[key] = mask_phone(value)
            else:
                masked[key] = redact(value, show)
        return masked
    if isinstance(data, list):
        return [redact(item, show) for item in data]
    return data
