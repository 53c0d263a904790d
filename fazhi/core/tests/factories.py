"""Builders for core records, through the services so audit rows exist too."""

from __future__ import annotations

import itertools
from typing import Any

from fazhi.core import services
from fazhi.core.actors import SystemActor
from fazhi.core.codes import uscc_check_char
from fazhi.core.models import OrgUnit, Role, User

_counter = itertools.count(1)


def make_uscc(region: str = "370800", kind: str = "91", body: str | None = None) -> str:
    """Return a valid USCC for a region; ``body`` is the 9-char subject code."""
    subject = body or f"MA{next(_counter):07d}"
    first17 = f"{kind}{region}{subject}"[:17]
    return first17 + uscc_check_char(first17)


# Stands in for a system administrator when building fixtures.
SYSTEM = SystemActor("fixture")


def agency(name: str, region: str, level: str, parent: OrgUnit | None = None) -> OrgUnit:
    return services.orgunit_create(
        actor=SYSTEM,
        name=name,
        kind="agency",
        level=level,
        parent=parent,
        region_code=region,
        uscc=make_uscc(region, kind="11"),
    )


def unit(name: str, parent: OrgUnit, kind: str = "section") -> OrgUnit:
    return services.orgunit_create(actor=SYSTEM, name=name, kind=kind, parent=parent)


def user(username: str, unit: OrgUnit | None, role: str, **extra: Any) -> User:
    created, _ = services.user_create(
        actor=SYSTEM,
        username=username,
        unit=unit,
        role=Role.objects.get(code=role),
        full_name=extra.pop("full_name", username),
        password=extra.pop("password", "Passw0rd!2026"),
        **extra,
    )
    return created
