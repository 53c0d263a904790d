"""The case timeline's writer: one ``CaseEvent`` per step, and the day a step is dated.

Services, the amount check and the records modules all write timeline events;
they share this module so that none of them imports the services module.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from fazhi.cases.models import Case, CaseEvent
from fazhi.core.actors import Actor, actor_label


def event_day(data: Mapping[str, Any]) -> datetime.date:
    on = data.get("on")
    return on if isinstance(on, datetime.date) else timezone.localdate()


def event_user(actor: Actor) -> Any:
    return actor if getattr(actor, "pk", None) else None


def event_record(
    case: Case, kind: str, *, actor: Actor, on: datetime.date, text: str = "", **data: Any
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        kind=kind,
        occurred_on=on,
        text=text,
        data=data,
        actor=event_user(actor),
        actor_label=actor_label(actor),
    )
    event.full_clean()
    event.save()
    return event
