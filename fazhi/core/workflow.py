"""A procedure as data: states, transitions, guards and the clocks they move.

Each domain writes its ``workflow.py`` as one ``Workflow`` value — readable as
a table by a lawyer (``Workflow.table()``) — and changes state only through
``transition()``: lock the row, check the permission and scope, re-check the
state, run the guards, write, record ONE audit event, move the statutory
clocks, and run the after-commit hooks. ``available_actions()`` tells the UI
which buttons this actor may press now, and why not the others.

Statutory clocks (``ObjectClock``) are computed by the clock engine
(fazhi/core/clocks.py) from the rule version in force on the start day, so a
due date always carries its derivation.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.choices import ClockState
from fazhi.core.clock_rules import clock_rule_get
from fazhi.core.clocks import deadline_compute
from fazhi.core.errors import Conflict, DomainError, NotAllowed, Refused
from fazhi.core.locks import lock_row
from fazhi.core.models import ObjectClock, OrgUnit

if TYPE_CHECKING:
    from fazhi.core.actors import Actor

_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at besides the object."""

    actor: Actor
    today: datetime.date
    data: Mapping[str, Any]


Guard = Callable[[Any, GuardContext], "str | Promise | None"]
"""A guard returns the reason to refuse (translated text), or None to allow."""

ClockAction = Literal["start", "stop", "pause", "resume"]


@dataclass(frozen=True)
class ClockEffect:
    """Which statutory clock a transition touches, and how."""

    rule: str
    action: ClockAction
    key: str = ""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str
    permission: str
    guards: tuple[Guard, ...] = ()
    clocks: tuple[ClockEffect, ...] = ()
    form: type[forms.Form] | None = None
    after_commit: tuple[Callable[[Any], None], ...] = ()


@dataclass(frozen=True)
class TableRow:
    """One transition as a lawyer reads it."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str
    guards: tuple[str, ...]
    clocks: tuple[str, ...]


# Every procedure defined (the audit viewer names their steps' verbs from them).
WORKFLOWS: list[Workflow] = []


@dataclass(frozen=True)
class Workflow:
    name: str
    model: type[Model]
    state_field: str
    states: type[models.TextChoices]
    transitions: tuple[Transition, ...]
    unit_of: Callable[[Any], OrgUnit | None] | None = None
    # Listed procedures name their steps in the audit viewer; a test's own is not listed.
    listed: bool = True
    _by_name: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"workflow {self.name}: transitions named twice: {duplicates}")
        states = set(self.states.values)
        for t in self.transitions:
            unknown = (set(t.sources) | {t.target}) - states
            if unknown:
                raise ValueError(f"workflow {self.name}: {t.name} names unknown states {unknown}")
            if not t.sources:
                raise ValueError(f"workflow {self.name}: {t.name} has no source state")
        object.__setattr__(self, "_by_name", {t.name: t for t in self.transitions})
        if self.listed:
            WORKFLOWS.append(self)

    @property
    def permissions(self) -> tuple[str, ...]:
        """Every permission some transition requires (a service guards with any of them)."""
        return tuple(sorted({t.permission for t in self.transitions}))

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise DomainError(
                _("There is no action %(name)s here.") % {"name": name}, field="action"
            ) from None

    def unit(self, obj: Any) -> OrgUnit | None:
        """Return the org unit that scopes ``obj``."""
        if self.unit_of is not None:
            return self.unit_of(obj)
        unit: OrgUnit | None = obj.unit
        return unit

    def state_label(self, value: str) -> str:
        return str(self.states(value).label)

    def table(self) -> list[TableRow]:
        """Return the transitions as rows: from, to, who, on what conditions, clocks."""
        return [
            TableRow(
                name=t.name,
                label=str(t.label),
                sources=tuple(self.state_label(s) for s in t.sources),
                target=self.state_label(t.target),
                permission=t.permission,
                guards=tuple(guard_text(g) for g in t.guards),
                clocks=tuple(
                    f"{c.action} {c.rule}" + (f" [{c.key}]" if c.key else "") for c in t.clocks
                ),
            )
            for t in self.transitions
        ]


def guard_label[G: Guard](label: str | Promise) -> Callable[[G], G]:
    """Give a guard the condition a reader sees in the procedure table (translatable)."""

    def decorate(guard: G) -> G:
        guard.label = label  # type: ignore[attr-defined]
        return guard

    return decorate


def guard_text(guard: Guard) -> str:
    """The condition a guard checks, as the procedure table shows it.

    Its ``guard_label``, else the first line of its docstring, else its name.
    """
    label = getattr(guard, "label", None)
    if label is not None:
        return str(label)
    doc = (guard.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else getattr(guard, "__name__", repr(guard))


@dataclass(frozen=True)
class Action:
    """A transition as a button: shown enabled, or disabled with the reason."""

    name: str
    label: str
    allowed: bool
    reason: str | None = None


# -- the service ----------------------------------------------------------------


def _clean_data(t: Transition, data: dict[str, Any]) -> dict[str, Any]:
    if t.form is None:
        return data
    form = t.form(data=data)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        raise DomainError(str(errors[0]), field=None if name == "__all__" else name)
    return {**data, **form.cleaned_data}


def _today(data: Mapping[str, Any]) -> datetime.date:
    on = data.get("on")
    return on if isinstance(on, datetime.date) else timezone.localdate()


def _refusal(obj: Any, t: Transition, ctx: GuardContext) -> str | None:
    for guard in t.guards:
        reason = guard(obj, ctx)
        if reason:
            return str(reason)
    return None


def transition[M: Model](
    obj: M,
    name: str,
    *,
    actor: Actor,
    workflow: Workflow,
    on_apply: Callable[[Any, Mapping[str, Any]], None] | None = None,
    **data: Any,
) -> M:
    """Fire transition ``name`` on ``obj`` and return the fresh, saved object.

    Raise ``NotAllowed`` (no permission), ``OutOfScope`` (not the actor's
    unit), ``Conflict`` (the object is not in a source state, e.g. another
    user moved it first) or ``Refused`` (a guard's reason). ``on_apply(obj,
    data)`` makes the domain's own writes on the locked row before it is
    saved. ``data["on"]`` (a date) backdates the clock effects; default today.
    """
    t = workflow.get(name)
    data = _clean_data(t, data)
    today = _today(data)
    with transaction.atomic():
        obj = lock_row(obj)
        policy.require(actor, t.permission, unit=workflow.unit(obj))
        state = getattr(obj, workflow.state_field)
        if state not in t.sources:
            raise Conflict(
                _("This action is not possible now: the record is %(state)s.")
                % {"state": workflow.state_label(state)}
            )
        reason = _refusal(obj, t, GuardContext(actor=actor, today=today, data=data))
        if reason:
            raise Refused(reason)
        before = snapshot(obj)
        setattr(obj, workflow.state_field, t.target)
        if on_apply is not None:
            on_apply(obj, data)
        obj.full_clean()
        obj.save()
        moved = [
            _clock_apply(
                obj, effect, on=today, unit=workflow.unit(obj), reason=_pause_reason(t, data)
            )
            for effect in t.clocks
        ]
        after = snapshot(obj)
        after["transition"] = {
            "name": t.name,
            "clocks": [_clock_summary(c) for c in moved],
            "data": {k: v for k, v in data.items() if k != "on"},
        }
        audit_record(
            actor=actor,
            verb=f"{obj._meta.app_label}.{obj._meta.model_name}.{t.name}",
            obj=obj,
            before=before,
            after=after,
            unit=workflow.unit(obj),
        )
        for hook in t.after_commit:
            fresh = obj
            transaction.on_commit(lambda hook=hook, fresh=fresh: hook(fresh))  # type: ignore[misc]
    return obj


def _pause_reason(t: Transition, data: Mapping[str, Any]) -> str:
    reason = data.get("pause_reason") or data.get("reason") or t.label
    return str(reason)


def available_actions(obj: Model, *, actor: Actor, workflow: Workflow) -> list[Action]:
    """List the transitions from the object's state, each allowed or with why not."""
    unit = workflow.unit(obj)
    if not policy.unit_in_scope(actor, unit):
        return []
    state = getattr(obj, workflow.state_field)
    ctx = GuardContext(actor=actor, today=timezone.localdate(), data={})
    actions = []
    for t in workflow.transitions:
        if state not in t.sources:
            continue
        try:
            policy.require(actor, t.permission, unit=unit)
        except NotAllowed as exc:
            actions.append(Action(t.name, str(t.label), False, str(exc.message)))
            continue
        reason = _refusal(obj, t, ctx)
        actions.append(Action(t.name, str(t.label), reason is None, reason))
    return actions


# -- statutory clocks on objects ----------------------------------------------------


def _closed_pauses(clock: ObjectClock) -> list[tuple[datetime.date, datetime.date, str]]:
    """Return the pauses that cover at least one day, for the engine."""
    result = []
    for pause in clock.pauses:
        if pause["to"] is None:
            continue
        start = datetime.date.fromisoformat(pause["from"])
        end = datetime.date.fromisoformat(pause["to"])
        if end >= start:
            result.append((start, end, pause["reason"]))
    return result


def _recompute(clock: ObjectClock) -> None:
    result = deadline_compute(
        start=clock.started_on, rule=clock.rule, pauses=_closed_pauses(clock)
    )
    clock.due_on = result.due
    clock.derivation = result.as_dict()


def _clock_apply(
    obj: Model, effect: ClockEffect, *, on: datetime.date, unit: OrgUnit | None, reason: str
) -> ObjectClock:
    """Start, pause, resume or stop one clock of ``obj`` (no audit: the caller's)."""
    content_type = ContentType.objects.get_for_model(obj)
    clock = (
        ObjectClock.objects.select_for_update()
        .filter(content_type=content_type, object_id=obj.pk, rule_code=effect.rule, key=effect.key)
        .first()
    )
    if effect.action == "start":
        if clock is not None and clock.state != ClockState.STOPPED:
            raise Conflict(
                _("The time limit %(rule)s is already running.") % {"rule": effect.rule}
            )
        # The version in force on the start day, as deadline_compute_for_rule picks it.
        rule = clock_rule_get(effect.rule, on=on, province=unit.province() if unit else "")
        result = deadline_compute(start=on, rule=rule)
        if clock is None:
            clock = ObjectClock(
                content_type=content_type, object_id=obj.pk, rule_code=effect.rule, key=effect.key
            )
        clock.rule = rule
        clock.unit = unit
        clock.state = ClockState.RUNNING
        clock.started_on = on
        clock.pauses = []
        clock.stopped_on = None
        clock.due_on = result.due
        clock.derivation = result.as_dict()
    elif clock is None:
        raise Conflict(_("The time limit %(rule)s has not started.") % {"rule": effect.rule})
    elif effect.action == "pause":
        if clock.state != ClockState.RUNNING:
            raise Conflict(_("Only a running time limit can be paused."))
        if not clock.rule.pausable:
            raise Conflict(
                _("The rule %(rule)s does not allow the time limit to pause.")
                % {"rule": effect.rule}
            )
        clock.pauses = [*clock.pauses, {"from": on.isoformat(), "to": None, "reason": reason}]
        clock.state = ClockState.PAUSED
    elif effect.action == "resume":
        if clock.state != ClockState.PAUSED:
            raise Conflict(_("Only a paused time limit can resume."))
        last = dict(clock.pauses[-1])
        last["to"] = (on - _ONE_DAY).isoformat()
        clock.pauses = [*clock.pauses[:-1], last]
        clock.state = ClockState.RUNNING
        _recompute(clock)
    else:  # stop
        if clock.state == ClockState.STOPPED:
            raise Conflict(
                _("The time limit %(rule)s has already stopped.") % {"rule": effect.rule}
            )
        if clock.state == ClockState.PAUSED:
            last = dict(clock.pauses[-1])
            last["to"] = (on - _ONE_DAY).isoformat()
            clock.pauses = [*clock.pauses[:-1], last]
            _recompute(clock)
        clock.state = ClockState.STOPPED
        clock.stopped_on = on
    clock.full_clean()
    clock.save()
    return clock


def clock_start_missing(
    obj: Model,
    rule: str,
    *,
    on: datetime.date,
    unit: OrgUnit | None,
    key: str = "",
) -> tuple[ObjectClock, bool]:
    """Start clock ``rule`` (``key``) on ``obj`` from ``on`` unless it exists already.

    For a clock a step outside a workflow starts (e.g. a 文书 made on demand).
    Return the clock and whether it was started now; an existing clock, running
    or stopped, is returned untouched. Call it inside the caller's transaction:
    the caller checks the permission and records the audit event.
    """
    content_type = ContentType.objects.get_for_model(obj)
    existing = (
        ObjectClock.objects.select_for_update()
        .filter(content_type=content_type, object_id=obj.pk, rule_code=rule, key=key)
        .first()
    )
    if existing is not None:
        return existing, False
    effect = ClockEffect(rule=rule, action="start", key=key)
    return _clock_apply(obj, effect, on=on, unit=unit, reason=""), True


def clock_stop(obj: Model, rule: str, *, on: datetime.date, key: str = "") -> ObjectClock:
    """Stop clock ``rule`` (``key``) of ``obj`` on ``on`` (a paused one closes its pause).

    Raise ``Conflict`` when it has not started or has stopped already. The
    caller checks the permission and records the audit event.
    """
    effect = ClockEffect(rule=rule, action="stop", key=key)
    return _clock_apply(obj, effect, on=on, unit=None, reason="")


def clock_summary(clock: ObjectClock) -> dict[str, Any]:
    """The clock as an audit event records it."""
    return _clock_summary(clock)


def _clock_summary(clock: ObjectClock) -> dict[str, Any]:
    return {
        "rule": clock.rule_code,
        "key": clock.key,
        "state": clock.state,
        "due_on": clock.due_on.isoformat(),
    }


def clocks_for(obj: Model) -> QuerySet[ObjectClock]:
    """Return the statutory clocks of one object (the caller has scoped ``obj``)."""
    content_type = ContentType.objects.get_for_model(obj)
    return ObjectClock.objects.filter(content_type=content_type, object_id=obj.pk).select_related(
        "rule"
    )


def clocks_due(*, actor: Actor, before: datetime.date) -> QuerySet[ObjectClock]:
    """Return the running clocks in the actor's scope due before ``before``."""
    return (
        ObjectClock.objects.filter(
            policy.scope_q(actor), state=ClockState.RUNNING, due_on__lt=before
        )
        .select_related("rule", "unit", "content_type")
        .order_by("due_on", "pk")
    )
