"""Small helpers shared by the inspections services."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from fazhi.core.actors import Actor
from fazhi.core.errors import DomainError

# Progress of a long step: (stage, done, total), e.g. ("teams", 20_000, 50_000).
Progress = Callable[[str, int, int], None]

_CONTROL = re.compile(r"[\t\r\n]")


def user_of(actor: Actor) -> Any:
    """The user behind an actor (None for code run by operators)."""
    return actor if getattr(actor, "_meta", None) is not None else None


def clean_text(value: str, field: str) -> str:
    value = value.strip()
    if _CONTROL.search(value):
        raise DomainError(_("Tabs and line breaks are not allowed here."), field=field)
    return value
