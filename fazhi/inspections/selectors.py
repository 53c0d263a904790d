"""Reads of the inspections app, scoped to what the actor may see.

An object outside the actor's org scope is "not found" (404), never 403.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.models import ObjectClock
from fazhi.inspections.choices import (
    InspectionSource,
    InspectionState,
    PlanState,
    PublicationState,
    Severity,
)
from fazhi.inspections.models import (
    AnnualPlan,
    CheckItem,
    Inspection,
    InspectionTask,
    TaskSelection,
)
from fazhi.inspections.workflow import RESULT_CLOCK


def check_item_list(*, actor: Actor, q: str = "", kind: str = "") -> QuerySet[CheckItem]:
    items = CheckItem.objects.filter(policy.scope_q(actor)).select_related("unit")
    if q:
        items = items.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if kind:
        items = items.filter(kind=kind)
    return items.prefetch_related("basis__law").order_by("unit__path", "code")


def check_items_for(*, actor: Actor, unit: Any) -> QuerySet[CheckItem]:
    """Items an agency may use: its own and those of the levels above it."""
    agencies = [unit.pk, *unit.ancestors().values_list("pk", flat=True)]
    return CheckItem.objects.filter(unit_id__in=agencies, is_active=True).order_by("code")


def plan_list(*, actor: Actor, year: int | None = None, state: str = "") -> QuerySet[AnnualPlan]:
    plans = AnnualPlan.objects.filter(policy.scope_q(actor)).select_related("unit")
    if year:
        plans = plans.filter(year=year)
    if state:
        plans = plans.filter(state=state)
    return plans.annotate(group_count=Count("groups")).order_by("-year", "unit__path", "pk")


def plan_get(*, actor: Actor, pk: int) -> AnnualPlan:
    return AnnualPlan.objects.filter(policy.scope_q(actor)).select_related("unit").get(pk=pk)


@dataclass
class TaskFilters:
    q: str = ""
    state: str = ""
    year: int | None = None


def task_list(*, actor: Actor, filters: TaskFilters | None = None) -> QuerySet[InspectionTask]:
    f = filters or TaskFilters()
    tasks = InspectionTask.objects.filter(policy.scope_q(actor)).select_related("unit")
    if f.q:
        tasks = tasks.filter(Q(title__icontains=f.q) | Q(number__icontains=f.q))
    if f.state:
        tasks = tasks.filter(state=f.state)
    if f.year:
        tasks = tasks.filter(reference_date__year=f.year)
    return tasks.annotate(selected_count=Count("selections")).order_by("-created_at", "-pk")


def task_get(*, actor: Actor, pk: int) -> InspectionTask:
    return (
        InspectionTask.objects.filter(policy.scope_q(actor))
        .select_related("unit", "plan")
        .get(pk=pk)
    )


def task_selections(*, task: InspectionTask, q: str = "", sample: str = "") -> QuerySet[Any]:
    rows = TaskSelection.objects.filter(task=task).select_related("entity")
    if q:
        rows = rows.filter(Q(entity__name__icontains=q) | Q(entity__uscc__icontains=q))
    if sample:
        rows = rows.filter(sample=sample)
    return rows.order_by("rank")


@dataclass
class InspectionFilters:
    q: str = ""
    state: str = ""
    source: str = ""
    task: int | None = None
    overdue: bool = False
    year: int | None = None
    done: bool = False
    severity: str = ""


def inspection_list(
    *, actor: Actor, filters: InspectionFilters | None = None
) -> QuerySet[Inspection]:
    f = filters or InspectionFilters()
    rows = Inspection.objects.filter(policy.scope_q(actor)).select_related("unit", "entity")
    if f.q:
        rows = rows.filter(Q(entity__name__icontains=f.q) | Q(entity__uscc__icontains=f.q))
    if f.state:
        rows = rows.filter(state=f.state)
    if f.source:
        rows = rows.filter(source=f.source)
    if f.task:
        rows = rows.filter(task_id=f.task)
    if f.year:
        rows = rows.filter(planned_on__year=f.year)
    if f.done:
        rows = rows.exclude(state__in=[InspectionState.PLANNED, InspectionState.IN_PROGRESS])
    if f.severity:
        rows = rows.filter(findings__severity=f.severity).distinct()
    if f.overdue:
        rows = rows.filter(state=InspectionState.RECTIFYING, rectify_by__lt=timezone.localdate())
    return rows.order_by("-planned_on", "-pk")


def inspection_get(*, actor: Actor, pk: int) -> Inspection:
    return (
        Inspection.objects.filter(policy.scope_q(actor))
        .select_related(
            "unit", "entity", "task", "officer_signature__blob", "representative_signature__blob"
        )
        .prefetch_related("officers", "checks__item", "findings__article__law", "evidence__blob")
        .get(pk=pk)
    )


def publication_overdue(*, actor: Actor, today: datetime.date | None = None) -> list[Any]:
    """Results not published within the 20 working days: the overdue board."""
    day = today or timezone.localdate()
    clocks = ObjectClock.objects.filter(
        policy.scope_q(actor),
        rule_code=RESULT_CLOCK,
        state="running",
        due_on__lt=day,
    ).values_list("object_id", "due_on")
    due = dict(clocks)
    rows = list(
        Inspection.objects.filter(pk__in=list(due), publication_state=PublicationState.PENDING)
        .select_related("entity", "unit")
        .order_by("ended_on", "pk")
    )
    for row in rows:
        row.publication_due = due[row.pk]  # type: ignore[attr-defined]
        row.days_late = (day - due[row.pk]).days  # type: ignore[attr-defined]
    return rows


# -- indicators: computed, each with a link to its records --------------------------


@dataclass
class Indicator:
    label: str
    value: Decimal | int | None
    unit: str
    numerator: int
    denominator: int
    link: str
    note: str = ""
    links: dict[str, str] = field(default_factory=dict)


def _pct(n: int, d: int) -> Decimal | None:
    return (Decimal(n) * 100 / d).quantize(Decimal("0.1")) if d else None


def _per_1000(n: int, d: int) -> Decimal | None:
    return (Decimal(n) * 1000 / d).quantize(Decimal("0.1")) if d else None


def indicators(*, actor: Actor, year: int) -> list[Indicator]:
    """The year's figures for the actor's scope; each links to its records."""
    base = Inspection.objects.filter(policy.scope_q(actor), planned_on__year=year)
    ended = base.exclude(state__in=[InspectionState.PLANNED, InspectionState.IN_PROGRESS])
    total = base.count()
    done = ended.count()
    planned = base.filter(source__in=[InspectionSource.DRAW, InspectionSource.KEY_PLAN]).count()
    violations = ended.filter(findings__isnull=False).distinct().count()
    major = ended.filter(findings__severity=Severity.MAJOR).distinct().count()
    ordered = base.filter(
        state__in=[
            InspectionState.RECTIFYING,
            InspectionState.REINSPECTION,
            InspectionState.CLOSED,
            InspectionState.ESCALATED,
        ],
        rectify_by__isnull=False,
    )
    rectified = ordered.filter(state=InspectionState.CLOSED).count()
    published = ended.filter(publication_state=PublicationState.PUBLISHED)
    on_time = 0
    published_ids = list(published.values_list("pk", flat=True))
    if published_ids:
        dues = dict(
            ObjectClock.objects.filter(
                rule_code=RESULT_CLOCK, object_id__in=published_ids
            ).values_list("object_id", "due_on")
        )
        for pk, day in published.values_list("pk", "results_published_on"):
            if day is not None and pk in dues and day <= dues[pk]:
                on_time += 1
    plans = AnnualPlan.objects.filter(policy.scope_q(actor), year=year, state=PlanState.PUBLISHED)
    from fazhi.inspections.services import plan_capacity

    target = sum(plan_capacity(plan).inspections for plan in plans)
    key_units = _key_coverage(actor, year)
    link = reverse("inspections:inspection_list")
    return [
        Indicator(
            str(_("Plan completion")),
            _pct(done, target),
            "%",
            done,
            target,
            f"{link}?year={year}&done=1",
            str(_("inspections ended ÷ inspections in the published plans")),
        ),
        Indicator(
            str(_("Key-unit coverage (覆盖率)")),
            _pct(key_units[0], key_units[1]),
            "%",
            key_units[0],
            key_units[1],
            reverse("registry:entity_list") + "?key_supervision=1",
            str(_("key-supervision entities inspected this year ÷ all of them")),
        ),
        Indicator(
            str(_("Planned share")),
            _pct(planned, total),
            "%",
            planned,
            total,
            f"{link}?year={year}&source=draw",
            str(_("from a draw or the key-unit plan ÷ all inspections (rest: triggered)")),
        ),
        Indicator(
            str(_("Inspections with violations per 1,000")),
            _per_1000(violations, done),
            "‰",
            violations,
            done,
            f"{link}?year={year}&state=hazards_found",
        ),
        Indicator(
            str(_("Major hazards per 1,000 inspections")),
            _per_1000(major, done),
            "‰",
            major,
            done,
            f"{link}?year={year}&severity=major",
        ),
        Indicator(
            str(_("Rectification rate")),
            _pct(rectified, ordered.count()),
            "%",
            rectified,
            ordered.count(),
            f"{link}?year={year}&state=closed",
        ),
        Indicator(
            str(_("Results published on time (及时率)")),
            _pct(on_time, done),
            "%",
            on_time,
            done,
            reverse("inspections:publication_board"),
            str(_("published within the 20 working days ÷ inspections ended")),
        ),
    ]


def _key_coverage(actor: Actor, year: int) -> tuple[int, int]:
    from fazhi.registry.models import Entity

    key = Entity.objects.filter(
        policy.scope_q(actor, "supervising_agency__path"),
        key_supervision=True,
        merged_into__isnull=True,
        status="active",
    )
    inspected = (
        key.filter(inspections__planned_on__year=year)
        .exclude(inspections__state=InspectionState.PLANNED)
        .distinct()
        .count()
    )
    return inspected, key.count()
