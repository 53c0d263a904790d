"""Random-check task services: create, commit, seed, draw, replace (docs §3–§8).

Each checks permission through ``fazhi.core.policy`` (or the workflow's
transition), writes one audit event, and leaves the draw itself to the pure
``draw.py``. ``services`` re-exports them. ``on_progress`` lets a background
run (``jobs.py``) show how far a big commitment or draw has come.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.audit import audit_record, snapshot
from fazhi.core.errors import Conflict, DomainError
from fazhi.core.locks import lock_row
from fazhi.core.models import OrgUnit
from fazhi.core.workflow import transition
from fazhi.inspections import draw, drawing, workflow
from fazhi.inspections.choices import InspectionRuleCode, InspectionState, ItemKind, TaskState
from fazhi.inspections.common import Progress, clean_text, user_of
from fazhi.inspections.models import (
    AnnualPlan,
    CheckItem,
    DrawReplacement,
    InspectionTask,
)
from fazhi.inspections.pool import OWN_GROUP, snapshot_save
from fazhi.inspections.rules import rule_row
from fazhi.registry.models import ExternalAgency

# -- random-check tasks --------------------------------------------------------------

TASK_FIELDS = [
    "number",
    "title",
    "reference_date",
    "scope",
    "team_size",
    "joint_officers",
    "control_ppm",
    "ratio_scale_pct",
    "seed_rule",
    "nonce_count",
]


def _task_number(unit: OrgUnit, on: datetime.date) -> str:
    from fazhi.core.numbering import number_next

    return number_next(agency=unit.agency(), kind="inspection_task", on=on)


@policy.requires("inspections.add_inspectiontask")
@transaction.atomic
def task_create(
    *,
    actor: Actor,
    unit: OrgUnit,
    title: str,
    reference_date: datetime.date,
    seed_rule: str,
    items: Iterable[CheckItem] = (),
    joint_agencies: Iterable[ExternalAgency] = (),
    plan: AnnualPlan | None = None,
    **fields: Any,
) -> InspectionTask:
    """Create a draft random-check task (双随机抽查任务)."""
    policy.require(actor, "inspections.add_inspectiontask", unit=unit)
    task = InspectionTask(
        unit=unit,
        title=title,
        reference_date=reference_date,
        seed_rule=clean_text(seed_rule, "seed_rule"),
        plan=plan,
        created_by=user_of(actor),
        **fields,
    )
    minimum = drawing.minimum_team(task)
    if task.team_size < minimum:
        raise DomainError(
            _("A team needs at least %(n)d officers (%(source)s).")
            % {"n": minimum, "source": drawing.team_min_officers(reference_date).source},
            field="team_size",
        )
    task.number = _task_number(unit, reference_date)
    task.full_clean()
    task.save()
    task.items.set(list(items))
    task.joint_agencies.set(list(joint_agencies))
    audit_record(
        actor=actor, verb="inspections.inspectiontask.create", obj=task,
        after=snapshot(task, TASK_FIELDS), unit=unit,
    )  # fmt: skip
    return task


def _general_only_cap(task: InspectionTask, frozen: Any) -> None:
    """一般检查事项 have a ratio cap: a task of general items only may not exceed it."""
    kinds = set(task.items.values_list("kind", flat=True))
    if not kinds or kinds != {ItemKind.GENERAL}:
        return
    cap = rule_row(InspectionRuleCode.GENERAL_ITEM_CAP, unit=task.unit, on=task.reference_date)
    eligible = int(frozen.pool.eligible.sum())
    expected = sum(
        int(((frozen.pool.strata == s) & frozen.pool.eligible).sum()) * frozen.params.ratio(s)
        for s in range(len(draw.STRATA))
    )
    if eligible and expected > cap.value * eligible:
        raise DomainError(
            _(
                "This task checks general items only; their ratio is capped at %(cap)s%% "
                "(%(source)s), but the matrix would draw %(ratio).2f%%. Lower the ratio scale."
            )
            % {
                "cap": Decimal(cap.value) / 10_000,
                "source": cap.source,
                "ratio": expected / eligible / 10_000,
            },
            field="ratio_scale_pct",
        )


def _draw_error(exc: draw.DrawInputError) -> DomainError:
    detail = exc.detail
    if exc.code == "empty_pool":
        return DomainError(
            _("No entity in the task's scope can be drawn: change the scope filters."),
            field="scope",
        )
    if exc.code == "too_few_officers":
        return DomainError(
            _(
                "Too few certified officers to form teams: the group “%(group)s” needs "
                "%(needed)s per team and has %(found)s."
            )
            % detail,
            field="team_size",
        )
    if exc.code == "team_impossible":
        return DomainError(
            _(
                "No team can be formed for entity %(entity)s: too many officers must recuse "
                "(group “%(group)s” needs %(needed)s, %(found)s may go)."
            )
            % detail,
        )
    if exc.code == "bad_text":
        return DomainError(_("Tabs and line breaks are not allowed here."), field=detail["field"])
    return DomainError(_("The draw's inputs are not valid: %(code)s") % {"code": exc.code})


@policy.requires("inspections.commit_inspectiontask")
def task_commit(
    *, actor: Actor, task: InspectionTask, on_progress: Progress | None = None
) -> InspectionTask:
    """Freeze the pools and parameters and publish the commitment (§3)."""

    def apply(obj: InspectionTask, data: Mapping[str, Any]) -> None:
        try:
            frozen = drawing.task_freeze(obj, on_progress=on_progress)
        except draw.DrawInputError as exc:
            raise _draw_error(exc) from None
        if not frozen.pool.eligible.any():
            raise _draw_error(draw.DrawInputError("empty_pool"))
        for group, count in frozen.params.team:
            found = len(frozen.officers.of_group(group))
            if found < count:
                raise _draw_error(
                    draw.DrawInputError(
                        "too_few_officers", group=_group_label(group), needed=count, found=found
                    )
                )
        _general_only_cap(obj, frozen)
        obj.progress_total = obj.eligible_size
        snapshot_save(obj, frozen)

    return transition(task, "commit", actor=actor, workflow=workflow.TASK, on_apply=apply)


def _group_label(group: str) -> str:
    if group == OWN_GROUP:
        return _("own officers")
    agency = ExternalAgency.objects.filter(pk=int(group.removeprefix("ext-"))).first()
    return agency.name if agency else group


@policy.requires("inspections.draw_inspectiontask")
def task_seed(
    *, actor: Actor, task: InspectionTask, announced: str, nonces: Sequence[str]
) -> InspectionTask:
    """Fix the seed from the announced value and the nonces (§4), after the commitment."""
    if task.state == TaskState.DRAFT:
        raise Conflict(_("The seed can only be entered after the commitment has been published."))
    if task.state != TaskState.COMMITTED:
        raise Conflict(_("The seed of this task is already fixed."))
    announced = clean_text(announced, "announced")
    values = [clean_text(n, "nonces") for n in nonces]
    if not announced:
        raise DomainError(_("Enter the announced value."), field="announced")
    if len(values) != task.nonce_count or not all(values):
        raise DomainError(
            _("Enter exactly %(n)d non-empty nonces, as the commitment announced.")
            % {"n": task.nonce_count},
            field="nonces",
        )

    def apply(obj: InspectionTask, data: Mapping[str, Any]) -> None:
        obj.announced = announced
        obj.nonces = values
        obj.seed = draw.seed_compute(commitment=obj.commitment, announced=announced, nonces=values)
        obj.seeded_at = timezone.now()

    return transition(task, "seed", actor=actor, workflow=workflow.TASK, on_apply=apply)


@policy.requires("inspections.draw_inspectiontask")
def task_draw(
    *, actor: Actor, task: InspectionTask, on_progress: Progress | None = None
) -> InspectionTask:
    """Draw: selection, control sample and teams, written as selections (§6–§7)."""
    if task.state == TaskState.DRAWN:
        raise Conflict(_("This task has already been drawn; a draw happens once."))
    if task.state != TaskState.SEEDED:
        raise Conflict(_("Fix the seed before drawing."))

    def apply(obj: InspectionTask, data: Mapping[str, Any]) -> None:
        try:
            drawing.task_draw_write(obj, on_progress=on_progress)
        except draw.DrawInputError as exc:
            raise _draw_error(exc) from None

    return transition(task, "draw", actor=actor, workflow=workflow.TASK, on_apply=apply)


@policy.requires("inspections.draw_inspectiontask")
@transaction.atomic
def task_replace(
    *, actor: Actor, task: InspectionTask, event: Mapping[str, Any]
) -> DrawReplacement:
    """Record a replacement after the draw (skip-to-next rules, §8)."""
    policy.require(actor, "inspections.draw_inspectiontask", unit=task.unit)
    task = lock_row(task)
    if task.state != TaskState.DRAWN:
        raise Conflict(_("Replacements are recorded after the draw."))
    target = int(event.get("entity") or event.get("out") or 0)
    if task.inspections.filter(
        entity_id=target,
        state__in=[s for s in InspectionState.values if s != InspectionState.PLANNED],
    ).exists():
        raise Conflict(_("This entity's inspection has started; it can no longer be replaced."))
    try:
        record, outcome = drawing.replacement_write(task, dict(event), user=user_of(actor))
    except draw.DrawInputError as exc:
        raise DomainError(_replacement_message(exc)) from None
    audit_record(
        actor=actor, verb="inspections.inspectiontask.replace", obj=task, after=outcome,
        unit=task.unit,
    )  # fmt: skip
    return record


def _replacement_message(exc: draw.DrawInputError) -> str:
    messages = {
        "replacement_without_reason": _("Give the reason for the replacement."),
        "replacement_not_inspected": _("That entity is not among those drawn."),
        "replacement_not_in_team": _("That officer is not on this entity's team."),
        "replacement_skip_out_of_order": _(
            "Skipped entities must be the next ones in the replacement order."
        ),
        "team_impossible": _("No other officer of that group may join this team."),
    }
    return str(messages.get(exc.code, _("The replacement is not valid.")))
