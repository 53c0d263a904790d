"""API of random-check tasks: create, commit, seed, draw, replace, receipts.

A commitment or draw of a big pool is queued (202, ``run`` tells how far it
has come; GET the task to follow it); a small one is done at once (200).
"""

import datetime
from typing import Any

from django.http import Http404, HttpRequest, StreamingHttpResponse
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from fazhi.core import policy
from fazhi.core.api_types import Id, Year
from fazhi.inspections import drawing, jobs, selectors, services
from fazhi.inspections.api_common import _actor, _unit, router
from fazhi.inspections.choices import RunState
from fazhi.inspections.models import CheckItem
from fazhi.registry.models import ExternalAgency


class TaskIn(Schema):
    unit_id: Id | None = None
    title: str
    reference_date: datetime.date
    seed_rule: str
    nonce_count: int = Field(2, ge=0, le=10)
    items: list[int] = []
    scope: dict[str, Any] = {}
    team_size: int = 2
    joint_agencies: list[int] = []
    joint_officers: int = 1
    control_ppm: int = Field(0, ge=0, le=1_000_000)
    ratio_scale_pct: int = Field(100, ge=1, le=1000)
    plan_id: Id | None = None


class TaskOut(Schema):
    id: int
    number: str
    title: str
    unit_id: int
    state: str
    reference_date: datetime.date
    seed_rule: str
    nonce_count: int
    commitment: str
    pool_size: int
    eligible_size: int
    officer_count: int
    committed_at: datetime.datetime | None
    announced: str
    nonces: list[str]
    seed: str
    drawn_at: datetime.datetime | None
    strata: list[dict[str, Any]]
    receipt_url: str | None
    run: "RunOut | None"


class RunOut(Schema):
    """The latest background run of the task (a commitment or draw of a big pool)."""

    id: int
    step: str
    state: str
    stage: str
    percent: int
    error: str
    queued_at: datetime.datetime
    finished_at: datetime.datetime | None


TaskOut.model_rebuild()


def _task_out(task: Any) -> dict[str, Any]:
    data = {f: getattr(task, f) for f in TaskOut.model_fields if hasattr(task, f)}
    data["receipt_url"] = (
        f"/api/v1/inspections/tasks/{task.pk}/receipt" if task.state == "drawn" else None
    )
    run = jobs.latest_run(task)
    data["run"] = (
        {f: getattr(run, f) for f in RunOut.model_fields if hasattr(run, f)} if run else None
    )
    return data


def _step(request: HttpRequest, pk: int, step: str) -> Any:
    task = selectors.task_get(actor=_actor(request), pk=pk)
    task = jobs.task_step_start(actor=_actor(request), task=task, step=step)
    out = _task_out(task)
    queued = out["run"] and out["run"]["state"] in (RunState.QUEUED, RunState.RUNNING)
    return Status(202, out) if queued else out


class SeedIn(Schema):
    announced: str
    nonces: list[str]


class ReplacementIn(Schema):
    type: str
    reason: str
    out: int
    entity: int | None = None
    skipped: list[tuple[int, str]] = []


class SelectionOut(Schema):
    rank: int
    entity_id: int
    entity: str
    uscc: str
    stratum: str
    sample: str
    status: str
    team: list[int]


# --- tasks ---------------------------------------------------------------------------


@router.get("/inspections/tasks", response=list[TaskOut])
@paginate
def task_list(request: HttpRequest, q: str = "", state: str = "", year: Year | None = None) -> Any:
    policy.require(request.user, "inspections.view_inspectiontask")
    filters = selectors.TaskFilters(q=q, state=state, year=year)
    return [_task_out(t) for t in selectors.task_list(actor=_actor(request), filters=filters)]


@router.post("/inspections/tasks", response={201: TaskOut})
def task_create(request: HttpRequest, data: TaskIn) -> Any:
    unit = _unit(request, data.unit_id)
    task = services.task_create(
        actor=_actor(request),
        unit=unit,
        title=data.title,
        reference_date=data.reference_date,
        seed_rule=data.seed_rule,
        nonce_count=data.nonce_count,
        items=list(CheckItem.objects.filter(pk__in=data.items)),
        joint_agencies=list(ExternalAgency.objects.filter(pk__in=data.joint_agencies)),
        scope=data.scope,
        team_size=data.team_size,
        joint_officers=data.joint_officers,
        control_ppm=data.control_ppm,
        ratio_scale_pct=data.ratio_scale_pct,
        plan=selectors.plan_get(actor=_actor(request), pk=data.plan_id) if data.plan_id else None,
    )
    return Status(201, _task_out(task))


@router.get("/inspections/tasks/{pk}", response=TaskOut)
def task_detail(request: HttpRequest, pk: Id) -> Any:
    policy.require(request.user, "inspections.view_inspectiontask")
    return _task_out(selectors.task_get(actor=_actor(request), pk=pk))


@router.post("/inspections/tasks/{pk}/commit", response={200: TaskOut, 202: TaskOut})
def task_commit(request: HttpRequest, pk: Id) -> Any:
    """Freeze the pool and publish the commitment (queued for a big pool: 202)."""
    return _step(request, pk, "commit")


@router.post("/inspections/tasks/{pk}/seed", response=TaskOut)
def task_seed(request: HttpRequest, pk: Id, data: SeedIn) -> Any:
    task = selectors.task_get(actor=_actor(request), pk=pk)
    task = services.task_seed(
        actor=_actor(request), task=task, announced=data.announced, nonces=data.nonces
    )
    return _task_out(task)


@router.post("/inspections/tasks/{pk}/draw", response={200: TaskOut, 202: TaskOut})
def task_draw(request: HttpRequest, pk: Id) -> Any:
    """Draw (queued for a big pool: 202; GET the task to follow ``run``)."""
    return _step(request, pk, "draw")


@router.post("/inspections/tasks/{pk}/replacements", response={201: dict[str, Any]})
def task_replace(request: HttpRequest, pk: Id, data: ReplacementIn) -> Any:
    task = selectors.task_get(actor=_actor(request), pk=pk)
    event: dict[str, Any] = {"type": data.type, "reason": data.reason, "out": data.out}
    if data.type == "officer":
        event["entity"] = data.entity
    else:
        event["skipped"] = [list(s) for s in data.skipped]
    record = services.task_replace(actor=_actor(request), task=task, event=event)
    return Status(201, record.event)


@router.post("/inspections/tasks/{pk}/inspections", response={201: dict[str, int]})
def task_inspections(request: HttpRequest, pk: Id) -> Any:
    task = selectors.task_get(actor=_actor(request), pk=pk)
    return Status(
        201, {"created": services.task_inspections_create(actor=_actor(request), task=task)}
    )


@router.get("/inspections/tasks/{pk}/selections", response=list[SelectionOut])
@paginate
def task_selections(request: HttpRequest, pk: Id, q: str = "", sample: str = "") -> Any:
    policy.require(request.user, "inspections.view_inspectiontask")
    task = selectors.task_get(actor=_actor(request), pk=pk)
    return [
        {
            "rank": s.rank,
            "entity_id": s.entity_id,
            "entity": s.entity.name,
            "uscc": s.entity.uscc,
            "stratum": s.stratum,
            "sample": s.sample,
            "status": s.status,
            "team": s.team,
        }
        for s in selectors.task_selections(task=task, q=q, sample=sample)
    ]


@router.get("/inspections/tasks/{pk}/receipt", response={200: None})
def task_receipt(request: HttpRequest, pk: Id) -> Any:
    policy.require(request.user, "inspections.view_inspectiontask")
    task = selectors.task_get(actor=_actor(request), pk=pk)
    if task.state != "drawn":
        raise Http404  # no receipt before the draw
    response = StreamingHttpResponse(
        drawing.receipt_chunks(task), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="receipt-{task.pk}.json"'
    return response
