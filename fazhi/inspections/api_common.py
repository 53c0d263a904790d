"""The inspections API's router and helpers, shared by api.py and api_tasks.py."""

from typing import Any, cast

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from fazhi.core.actors import Actor

router = Router(tags=["inspections"])


def _actor(request: HttpRequest) -> Actor:
    """The logged-in user as the services' actor."""
    return cast(Actor, request.user)


def _unit(request: HttpRequest, unit_id: int | None) -> Any:
    from fazhi.core.models import OrgUnit

    if unit_id is None:
        unit = request.user.unit  # type: ignore[union-attr]
        return unit.agency() if unit is not None else None
    return get_object_or_404(OrgUnit, pk=unit_id)
