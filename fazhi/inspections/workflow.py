"""The procedures of this app as data: plan, random-check task, inspection.

Read as tables (``PLAN.table()`` …): who may move a record from which state to
which, what must hold first, and which statutory clock starts or stops.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fazhi.core.forms import StyledMixin
from fazhi.core.workflow import ClockEffect, GuardContext, Transition, Workflow
from fazhi.inspections.choices import (
    CheckResult,
    InspectionState,
    PlanState,
    PublicationState,
    TaskState,
)
from fazhi.inspections.models import AnnualPlan, Inspection, InspectionTask

RESULT_CLOCK = "inspection_result_publish"
REINSPECT_CLOCK = "hazard_reinspect"


class OpinionForm(StyledMixin, forms.Form):
    opinion = forms.CharField(label=_("Opinion"), max_length=2000)


class RectifyForm(StyledMixin, forms.Form):
    rectify_by = forms.DateField(label=_("Rectify by"))


# -- guards -------------------------------------------------------------------


def plan_has_groups(plan: AnnualPlan, ctx: GuardContext) -> str | Promise | None:
    """计划至少包含一个检查分组."""
    if not plan.groups.exists():
        return _("Add at least one group of entities to the plan first.")
    return None


def inspection_has_team(inspection: Inspection, ctx: GuardContext) -> str | Promise | None:
    """检查组符合持证上岗、回避和人数要求."""
    from fazhi.core.errors import DomainError
    from fazhi.registry.services import team_assert_valid

    try:
        team_assert_valid(
            officers=list(inspection.officers.all()), on=ctx.today, entity=inspection.entity
        )
    except DomainError as exc:
        return str(exc.message)
    return None


def checklist_complete(inspection: Inspection, ctx: GuardContext) -> str | Promise | None:
    """检查表每一项均已填写结果."""
    if inspection.checks.filter(result=CheckResult.PENDING).exists():
        return _("Every checklist line needs a result.")
    return None


def signed(inspection: Inspection, ctx: GuardContext) -> str | Promise | None:
    """执法人员和被检查单位现场负责人均已签名."""
    if inspection.officer_signature_id is None or inspection.representative_signature_id is None:
        return _("The officers and the entity's representative must sign the record.")
    return None


def has_findings(inspection: Inspection, ctx: GuardContext) -> str | Promise | None:
    """至少记录一项隐患."""
    if not inspection.findings.exists():
        return _("Record at least one hazard.")
    return None


def no_findings(inspection: Inspection, ctx: GuardContext) -> str | Promise | None:
    """未记录隐患."""
    if inspection.findings.exists():
        return _("Hazards were recorded: finish with hazards found.")
    return None


def all_rectified(inspection: Inspection, ctx: GuardContext) -> str | Promise | None:
    """全部隐患已整改."""
    if inspection.findings.filter(rectified=False).exists():
        return _("Some hazards are not rectified: escalate instead.")
    return None


def some_unrectified(inspection: Inspection, ctx: GuardContext) -> str | Promise | None:
    """尚有隐患未整改."""
    if not inspection.findings.filter(rectified=False).exists():
        return _("Every hazard is rectified: close the inspection instead.")
    return None


def inspection_ended(inspection: Any, data: Any) -> None:
    """Record the day the inspection ended: its results are now due."""
    inspection.ended_on = data.get("on") or inspection.ended_on
    inspection.publication_state = PublicationState.PENDING


# -- the workflows --------------------------------------------------------------

PLAN = Workflow(
    name="inspections.plan",
    model=AnnualPlan,
    state_field="state",
    states=PlanState,
    transitions=(
        Transition(
            name="submit_review",
            label=_("Submit for legal review"),
            sources=(PlanState.DRAFT,),
            target=PlanState.LEGAL_REVIEW,
            permission="inspections.change_annualplan",
            guards=(plan_has_groups,),
        ),
        Transition(
            name="return_draft",
            label=_("Return for revision"),
            sources=(PlanState.LEGAL_REVIEW, PlanState.LEADER_APPROVAL),
            target=PlanState.DRAFT,
            permission="inspections.review_annualplan",
            form=OpinionForm,
        ),
        Transition(
            name="pass_review",
            label=_("Pass legal review"),
            sources=(PlanState.LEGAL_REVIEW,),
            target=PlanState.LEADER_APPROVAL,
            permission="inspections.review_annualplan",
            form=OpinionForm,
        ),
        Transition(
            name="approve",
            label=_("Approve and file with the level above"),
            sources=(PlanState.LEADER_APPROVAL,),
            target=PlanState.FILED,
            permission="inspections.approve_annualplan",
        ),
        Transition(
            name="publish",
            label=_("Publish"),
            sources=(PlanState.FILED,),
            target=PlanState.PUBLISHED,
            permission="inspections.publish_annualplan",
        ),
    ),
)

TASK = Workflow(
    name="inspections.task",
    model=InspectionTask,
    state_field="state",
    states=TaskState,
    transitions=(
        Transition(
            name="commit",
            label=_("Freeze and publish the commitment"),
            sources=(TaskState.DRAFT,),
            target=TaskState.COMMITTED,
            permission="inspections.commit_inspectiontask",
        ),
        Transition(
            name="seed",
            label=_("Fix the seed"),
            sources=(TaskState.COMMITTED,),
            target=TaskState.SEEDED,
            permission="inspections.draw_inspectiontask",
        ),
        Transition(
            name="draw",
            label=_("Draw"),
            sources=(TaskState.SEEDED,),
            target=TaskState.DRAWN,
            permission="inspections.draw_inspectiontask",
        ),
    ),
)

INSPECTION = Workflow(
    name="inspections.inspection",
    model=Inspection,
    state_field="state",
    states=InspectionState,
    transitions=(
        Transition(
            name="start",
            label=_("Start the inspection"),
            sources=(InspectionState.PLANNED,),
            target=InspectionState.IN_PROGRESS,
            permission="inspections.change_inspection",
            guards=(inspection_has_team,),
        ),
        Transition(
            name="finish_clean",
            label=_("Finish: no hazards"),
            sources=(InspectionState.IN_PROGRESS,),
            target=InspectionState.NO_HAZARDS,
            permission="inspections.change_inspection",
            guards=(checklist_complete, no_findings, signed),
            clocks=(ClockEffect(RESULT_CLOCK, "start"),),
        ),
        Transition(
            name="finish_hazards",
            label=_("Finish: hazards found"),
            sources=(InspectionState.IN_PROGRESS,),
            target=InspectionState.HAZARDS_FOUND,
            permission="inspections.change_inspection",
            guards=(checklist_complete, has_findings, signed),
            clocks=(ClockEffect(RESULT_CLOCK, "start"),),
        ),
        Transition(
            name="order_rectification",
            label=_("Order rectification"),
            sources=(InspectionState.HAZARDS_FOUND,),
            target=InspectionState.RECTIFYING,
            permission="inspections.change_inspection",
            form=RectifyForm,
        ),
        Transition(
            name="request_reinspection",
            label=_("Rectification reported: re-inspect"),
            sources=(InspectionState.RECTIFYING,),
            target=InspectionState.REINSPECTION,
            permission="inspections.change_inspection",
            clocks=(ClockEffect(REINSPECT_CLOCK, "start"),),
        ),
        Transition(
            name="close_rectified",
            label=_("Close: hazards rectified"),
            sources=(InspectionState.REINSPECTION,),
            target=InspectionState.CLOSED,
            permission="inspections.change_inspection",
            guards=(all_rectified,),
            clocks=(ClockEffect(REINSPECT_CLOCK, "stop"),),
        ),
        Transition(
            name="escalate",
            label=_("Escalate: not rectified"),
            sources=(InspectionState.REINSPECTION,),
            target=InspectionState.ESCALATED,
            permission="inspections.change_inspection",
            guards=(some_unrectified,),
            clocks=(ClockEffect(REINSPECT_CLOCK, "stop"),),
        ),
        Transition(
            name="close",
            label=_("Close"),
            sources=(InspectionState.NO_HAZARDS,),
            target=InspectionState.CLOSED,
            permission="inspections.change_inspection",
        ),
    ),
)

PUBLICATION = Workflow(
    name="inspections.publication",
    model=Inspection,
    state_field="publication_state",
    states=PublicationState,
    transitions=(
        Transition(
            name="publish_results",
            label=_("Publish the results"),
            sources=(PublicationState.PENDING,),
            target=PublicationState.PUBLISHED,
            permission="inspections.publish_inspection",
            clocks=(ClockEffect(RESULT_CLOCK, "stop"),),
        ),
    ),
)

FINISHING = {"finish_clean", "finish_hazards"}
