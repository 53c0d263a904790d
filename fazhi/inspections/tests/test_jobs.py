"""Big pools are committed and drawn in the background, with progress, never in the request."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fazhi.core.errors import Conflict
from fazhi.inspections import jobs, services
from fazhi.inspections.choices import RunState
from fazhi.inspections.models import InspectionTask, TaskRun
from fazhi.registry.tests import factories as rf

DAY = datetime.date(2026, 12, 8)


@pytest.fixture
def county(personas: Any) -> dict[str, Any]:
    a = personas.county_a
    for c, r in (("A", "low"), ("B", "high"), ("C", "major"), ("D", "moderate")) * 3:
        rf.entity(a, credit_class=c, risk_level=r)
    officers = [rf.officer(personas.county_a_brigade) for _ in range(3)]
    return {"unit": a, "officers": officers}


def _task(personas: Any, **fields: Any) -> InspectionTask:
    return services.task_create(
        actor=personas.county_a_officer,
        unit=personas.county_a,
        title="后台抽查",
        reference_date=DAY,
        seed_rule="福彩3D",
        nonce_count=1,
        ratio_scale_pct=500,
        **fields,
    )


def test_a_small_pool_is_done_in_the_request(personas: Any, county: Any) -> None:
    task = _task(personas)
    task = jobs.task_step_start(actor=personas.county_a_officer, task=task, step="commit")
    assert task.state == "committed"
    assert not TaskRun.objects.exists()


def test_a_big_pool_runs_in_the_background_through_the_api(
    personas: Any, county: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FAZHI_DRAW_INLINE_MAX = 5  # the county's 12 entities count as big
    client = personas.client(personas.county_a_officer)
    task = _task(personas)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = client.post(f"/api/v1/inspections/tasks/{task.pk}/commit")
    assert queued.status_code == 202, queued.content
    assert queued.json()["state"] == "draft"  # nothing committed in the request
    assert queued.json()["run"]["state"] == "queued"
    again = client.post(f"/api/v1/inspections/tasks/{task.pk}/commit")
    assert again.status_code == 409  # one run at a time
    for callback in callbacks:
        callback()  # the worker (immediate backend in tests)
    run = TaskRun.objects.get(task=task)
    assert (run.state, run.percent, run.job_id != "") == (RunState.DONE, 100, True)
    body = client.get(f"/api/v1/inspections/tasks/{task.pk}").json()
    assert body["state"] == "committed"
    assert body["commitment"]
    client.post(
        f"/api/v1/inspections/tasks/{task.pk}/seed", {"announced": "4 0 7", "nonces": ["9"]},
        content_type="application/json",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        drawn = client.post(f"/api/v1/inspections/tasks/{task.pk}/draw")
    assert drawn.status_code == 202
    task.refresh_from_db()
    assert task.state == "drawn"
    assert task.selections.exists()
    runs = list(TaskRun.objects.filter(task=task).order_by("pk"))
    assert [(r.step, r.state) for r in runs] == [("commit", "done"), ("draw", "done")]


def test_the_page_shows_the_progress_and_reloads_when_done(
    personas: Any, county: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FAZHI_DRAW_INLINE_MAX = 5
    client = personas.client(personas.county_a_officer)
    task = _task(personas)
    url = f"/inspections/tasks/{task.pk}/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url, {"step": "commit"})
    page = client.get(url).content.decode()
    assert 'data-testid="task-run"' in page
    assert 'data-testid="run-progress"' in page
    assert 'id="commit-btn"' not in page  # no second run while one is queued
    poll = client.get(f"{url}progress/")
    assert poll.status_code == 200
    assert "HX-Refresh" not in poll
    for callback in callbacks:
        callback()
    done = client.get(f"{url}progress/")
    assert done["HX-Refresh"] == "true"
    task.refresh_from_db()
    assert task.state == "committed"


def test_a_failed_run_says_why_and_changes_nothing(
    personas: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FAZHI_DRAW_INLINE_MAX = 0
    rf.entity(personas.county_a, credit_class="A", risk_level="low")  # no officers at all
    task = _task(personas)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.task_step_start(actor=personas.county_a_officer, task=task, step="commit")
    run = TaskRun.objects.get(task=task)
    assert run.state == RunState.FAILED
    assert "officers" in run.error
    task.refresh_from_db()
    assert task.state == "draft"
    assert not task.commitment


def test_queueing_checks_permission_scope_and_state(personas: Any, county: Any) -> None:
    task = _task(personas)
    with pytest.raises(Conflict):
        jobs.task_step_queue(actor=personas.county_a_officer, task=task, step="draw")
    other = personas.client(personas.county_b_officer)
    assert other.post(f"/api/v1/inspections/tasks/{task.pk}/commit").status_code in (403, 404)
    assert not TaskRun.objects.exists()
