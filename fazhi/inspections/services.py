"""Writes of the inspections app: each a service with ``actor``, audited.

Permission and scope are decided by ``fazhi.core.policy`` (first line of each
service, or inside ``transition``); state changes go through the workflows in
``workflow.py``; the draw itself is the pure ``draw.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
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
from fazhi.inspections import workflow
from fazhi.inspections.capacity import CapacityInput, CapacityResult, DemandGroup, capacity_compute
from fazhi.inspections.choices import (
    InspectionRuleCode,
    InspectionSource,
    ItemKind,
    PlanState,
    TaskState,
)
from fazhi.inspections.common import user_of
from fazhi.inspections.inspection_records import FINDING_FIELDS as FINDING_FIELDS
from fazhi.inspections.inspection_records import PNG_MAGIC as PNG_MAGIC
from fazhi.inspections.inspection_records import RECORD_FIELDS as RECORD_FIELDS
from fazhi.inspections.inspection_records import evidence_add as evidence_add
from fazhi.inspections.inspection_records import finding_add as finding_add
from fazhi.inspections.inspection_records import finding_refer_to_case as finding_refer_to_case
from fazhi.inspections.inspection_records import finding_set_rectified as finding_set_rectified
from fazhi.inspections.inspection_records import inspection_record_save as inspection_record_save
from fazhi.inspections.inspection_records import signature_save as signature_save
from fazhi.inspections.models import (
    AnnualPlan,
    CheckItem,
    Inspection,
    InspectionCheck,
    InspectionTask,
    PlanGroup,
    TaskSelection,
)
from fazhi.inspections.rules import rule_row, rule_value
from fazhi.laws.models import Article
from fazhi.registry.models import Entity, Officer

_user = user_of


# -- check items ------------------------------------------------------------------


def _item_validate(item: CheckItem) -> None:
    if item.kind == ItemKind.GENERAL and item.ratio_ppm:
        cap = rule_row(
            InspectionRuleCode.GENERAL_ITEM_CAP, unit=item.unit, on=timezone.localdate()
        )
        if item.ratio_ppm > cap.value:
            raise DomainError(
                _("A general item's ratio may not exceed %(cap)s%% (%(source)s).")
                % {"cap": Decimal(cap.value) / 10_000, "source": cap.source},
                field="ratio_ppm",
            )


ITEM_FIELDS = ["code", "name", "kind", "basis_text", "object_scope", "method", "ratio_ppm"]


@policy.requires_any("inspections.add_checkitem", "inspections.change_checkitem")
@transaction.atomic
def check_item_save(
    *,
    actor: Actor,
    unit: OrgUnit,
    item: CheckItem | None = None,
    basis: Iterable[Article] = (),
    **fields: Any,
) -> CheckItem:
    """Create or change a line of the random-check item list (抽查事项清单)."""
    perm = "inspections.change_checkitem" if item else "inspections.add_checkitem"
    policy.require(actor, perm, unit=item.unit if item else unit)
    before = None
    if item is not None:
        item = lock_row(item)
        before = snapshot(item, ITEM_FIELDS)
    else:
        item = CheckItem(unit=unit)
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    _item_validate(item)
    item.save()
    articles = list(basis)
    if articles or before is None:
        item.basis.set(articles)
    after = snapshot(item, ITEM_FIELDS) | {"basis": [a.pk for a in articles]}
    audit_record(
        actor=actor, verb="inspections.checkitem.save", obj=item, before=before, after=after,
        unit=item.unit,
    )  # fmt: skip
    return item


# -- annual plans -------------------------------------------------------------------

PLAN_FIELDS = [
    "title",
    "year",
    "working_days",
    "officers",
    "other_enforcement_days",
    "non_enforcement_days",
    "yearly_cap",
    "notes",
]
GROUP_FIELDS = [
    "name",
    "kind",
    "entities",
    "ratio",
    "frequency",
    "days_per_inspection",
    "officers_per_team",
    "industry",
    "county",
]


@policy.requires("inspections.add_annualplan")
@transaction.atomic
def plan_create(*, actor: Actor, unit: OrgUnit, **fields: Any) -> AnnualPlan:
    """Start a draft annual plan (年度监督检查计划) for an agency."""
    policy.require(actor, "inspections.add_annualplan", unit=unit)
    if "yearly_cap" not in fields:
        year = int(fields.get("year", timezone.localdate().year))
        fields["yearly_cap"] = rule_value(
            InspectionRuleCode.YEARLY_CAP, unit=unit, on=datetime.date(year, 1, 1)
        )
    plan = AnnualPlan(unit=unit, created_by=_user(actor), **fields)
    plan.full_clean()
    plan.save()
    audit_record(
        actor=actor, verb="inspections.annualplan.create", obj=plan,
        after=snapshot(plan, PLAN_FIELDS), unit=unit,
    )  # fmt: skip
    return plan


def _plan_editable(plan: AnnualPlan) -> None:
    if plan.state != PlanState.DRAFT:
        raise Conflict(_("Only a draft plan can be changed."))


@policy.requires("inspections.change_annualplan")
@transaction.atomic
def plan_update(*, actor: Actor, plan: AnnualPlan, **fields: Any) -> AnnualPlan:
    policy.require(actor, "inspections.change_annualplan", unit=plan.unit)
    plan = lock_row(plan)
    _plan_editable(plan)
    before = snapshot(plan, PLAN_FIELDS)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    audit_record(
        actor=actor, verb="inspections.annualplan.update", obj=plan, before=before,
        after=snapshot(plan, PLAN_FIELDS), unit=plan.unit,
    )  # fmt: skip
    return plan


@policy.requires("inspections.change_annualplan")
@transaction.atomic
def plan_group_add(*, actor: Actor, plan: AnnualPlan, **fields: Any) -> PlanGroup:
    policy.require(actor, "inspections.change_annualplan", unit=plan.unit)
    plan = lock_row(plan)
    _plan_editable(plan)
    group = PlanGroup(plan=plan, sort_order=plan.groups.count() + 1, **fields)
    group.full_clean()
    group.save()
    audit_record(
        actor=actor, verb="inspections.plangroup.add", obj=group,
        after=snapshot(group, GROUP_FIELDS), unit=plan.unit,
    )  # fmt: skip
    return group


@policy.requires("inspections.change_annualplan")
@transaction.atomic
def plan_group_remove(*, actor: Actor, group: PlanGroup) -> None:
    plan = group.plan
    policy.require(actor, "inspections.change_annualplan", unit=plan.unit)
    plan = lock_row(plan)
    _plan_editable(plan)
    audit_record(
        actor=actor, verb="inspections.plangroup.remove", obj=group,
        before=snapshot(group, GROUP_FIELDS), unit=plan.unit,
    )  # fmt: skip
    group.delete()


def plan_capacity(plan: AnnualPlan) -> CapacityResult:
    """The capacity check of a plan, with its arithmetic."""
    return capacity_compute(
        CapacityInput(
            working_days=plan.working_days,
            officers=plan.officers,
            other_enforcement_days=plan.other_enforcement_days,
            non_enforcement_days=plan.non_enforcement_days,
            yearly_cap=plan.yearly_cap,
            groups=[
                DemandGroup(
                    name=g.name,
                    kind=g.kind,
                    entities=g.entities,
                    frequency=g.frequency,
                    days_per_inspection=g.days_per_inspection,
                    officers_per_team=g.officers_per_team,
                    ratio=g.ratio,
                    industry=g.industry,
                    county=g.county,
                )
                for g in plan.groups.all()
            ],
        )
    )


@policy.requires_any(*workflow.PLAN.permissions)
def plan_transition(*, actor: Actor, plan: AnnualPlan, name: str, **data: Any) -> AnnualPlan:
    """Move a plan along its procedure (review opinions are kept on the plan)."""

    def apply(obj: AnnualPlan, values: Mapping[str, Any]) -> None:
        if values.get("opinion"):
            obj.review_opinion = values["opinion"]
        if name == "publish":
            obj.published_on = values.get("on") or timezone.localdate()

    return transition(plan, name, actor=actor, workflow=workflow.PLAN, on_apply=apply, **data)


# -- random-check tasks: task_services.py ---------------------------------------------

from fazhi.inspections.task_services import (  # noqa: E402
    TASK_FIELDS,
    task_commit,
    task_create,
    task_draw,
    task_replace,
    task_seed,
)

__all__ = ["TASK_FIELDS", "task_commit", "task_create", "task_draw", "task_replace", "task_seed"]


@policy.requires("inspections.add_inspection")
@transaction.atomic
def task_inspections_create(*, actor: Actor, task: InspectionTask) -> int:
    """Create the planned inspections of a drawn task (one per selected entity)."""
    policy.require(actor, "inspections.add_inspection", unit=task.unit)
    task = lock_row(task)
    if task.state != TaskState.DRAWN:
        raise Conflict(_("Draw the task first."))
    items = list(task.items.all())
    todo = list(
        task.selections.filter(status="selected", inspection__isnull=True).select_related("entity")
    )
    for selection in todo:
        _inspection_build(
            actor=actor,
            unit=task.unit,
            entity=selection.entity,
            source=InspectionSource.DRAW,
            planned_on=task.reference_date,
            officers=selection.team,
            items=items,
            task=task,
            selection=selection,
        )
    audit_record(
        actor=actor, verb="inspections.inspectiontask.plan_inspections", obj=task,
        after={"created": len(todo)}, unit=task.unit,
    )  # fmt: skip
    return len(todo)


# -- inspections ---------------------------------------------------------------------


def _inspection_build(
    *,
    actor: Actor,
    unit: OrgUnit,
    entity: Entity,
    source: str,
    planned_on: datetime.date,
    officers: Iterable[Officer | int],
    items: Iterable[CheckItem],
    task: InspectionTask | None = None,
    selection: TaskSelection | None = None,
    plan: AnnualPlan | None = None,
    source_note: str = "",
) -> Inspection:
    inspection = Inspection(
        unit=unit,
        entity=entity,
        source=source,
        source_note=source_note,
        task=task,
        selection=selection,
        plan=plan,
        planned_on=planned_on,
        created_by=_user(actor),
    )
    inspection.full_clean()
    inspection.save()
    inspection.officers.set(list(officers))
    InspectionCheck.objects.bulk_create(
        [InspectionCheck(inspection=inspection, item=item) for item in items]
    )
    return inspection


@policy.requires("inspections.add_inspection")
@transaction.atomic
def inspection_create(
    *,
    actor: Actor,
    unit: OrgUnit,
    entity: Entity,
    source: str,
    planned_on: datetime.date,
    officers: Iterable[Officer],
    items: Iterable[CheckItem],
    source_note: str = "",
    plan: AnnualPlan | None = None,
) -> Inspection:
    """Plan an inspection outside a draw (key-unit plan or a trigger)."""
    policy.require(actor, "inspections.add_inspection", unit=unit)
    policy.require_in_scope(actor, entity.supervising_agency)
    if source == InspectionSource.DRAW:
        raise DomainError(_("Inspections from a draw are created by the task."), field="source")
    inspection = _inspection_build(
        actor=actor,
        unit=unit,
        entity=entity,
        source=source,
        planned_on=planned_on,
        officers=officers,
        items=items,
        source_note=source_note,
        plan=plan,
    )
    audit_record(
        actor=actor, verb="inspections.inspection.create", obj=inspection,
        after=snapshot(inspection), unit=unit,
    )  # fmt: skip
    return inspection


@policy.requires_any(*workflow.INSPECTION.permissions)
def inspection_transition(
    *, actor: Actor, inspection: Inspection, name: str, **data: Any
) -> Inspection:
    """Move an inspection along its procedure; 文书 follow the steps that need them."""
    on = data.get("on") or timezone.localdate()

    def apply(obj: Inspection, values: Mapping[str, Any]) -> None:
        if name == "start":
            obj.started_at = timezone.now()
        if name in workflow.FINISHING:
            workflow.inspection_ended(obj, {"on": on})
        if name == "order_rectification":
            obj.rectify_by = values["rectify_by"]
            if obj.rectify_by < on:
                raise DomainError(_("The deadline is in the past."), field="rectify_by")
        if name == "close_rectified" or name == "escalate":
            obj.reinspected_on = on
            obj.reinspection_note = values.get("note", obj.reinspection_note)
        obj.version += 1

    with transaction.atomic():
        moved = transition(
            inspection, name, actor=actor, workflow=workflow.INSPECTION, on_apply=apply, **data
        )
        _documents_after(actor=actor, inspection=moved, name=name)
    return moved


def _documents_after(*, actor: Actor, inspection: Inspection, name: str) -> None:
    from fazhi.inspections import documents

    if name in workflow.FINISHING:
        documents.record_render(actor=actor, inspection=inspection)
    elif name == "order_rectification":
        documents.order_render(actor=actor, inspection=inspection)


@policy.requires_any(*workflow.PUBLICATION.permissions)
def inspection_publish_results(
    *, actor: Actor, inspection: Inspection, on: datetime.date | None = None
) -> Inspection:
    """Record that the results were published (stops the 20-working-day clock)."""
    day = on or timezone.localdate()

    def apply(obj: Inspection, data: Mapping[str, Any]) -> None:
        obj.results_published_on = day

    return transition(
        inspection,
        "publish_results",
        actor=actor,
        workflow=workflow.PUBLICATION,
        on_apply=apply,
        on=day,
    )
