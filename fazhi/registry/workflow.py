"""The states of an import job (``ImportJob.status``) and how it moves.

One table says where a job may go from each state and who moves it: the
worker (checking and importing a file) or the user (confirming or
discarding a checked file). Every change of state goes through ``move``,
which changes the row only if it is still in one of the step's sources, so
two workers, or a worker and a user, can never both move the same job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from fazhi.registry.choices import ImportStatus as S


@dataclass(frozen=True)
class Step:
    name: str
    label: Any
    sources: tuple[str, ...]
    target: str
    by: Literal["worker", "user"]


STEPS = (
    Step("check", _("Check the file"), (S.PENDING,), S.VALIDATING, "worker"),
    Step("checked", _("Wait for the user's choice"), (S.VALIDATING,), S.VALIDATED, "worker"),
    Step("queue", _("Queue the import at once"), (S.VALIDATING,), S.QUEUED, "worker"),
    Step("load", _("Load straight into the registry"), (S.VALIDATING,), S.IMPORTING, "worker"),
    Step("refuse", _("Refuse a file with bad rows"), (S.VALIDATING,), S.DISCARDED, "worker"),
    Step("confirm", _("Import the valid rows"), (S.VALIDATED,), S.QUEUED, "user"),
    Step("discard", _("Discard the file"), (S.VALIDATED, S.FAILED), S.DISCARDED, "user"),
    Step("import", _("Import"), (S.QUEUED,), S.IMPORTING, "worker"),
    Step("done", _("Record the import"), (S.IMPORTING,), S.DONE, "worker"),
    Step(
        "fail",
        _("Fail (an error, or the worker stopped)"),
        (S.PENDING, S.VALIDATING, S.QUEUED, S.IMPORTING),
        S.FAILED,
        "worker",
    ),
)
BY_NAME = {step.name: step for step in STEPS}

# A worker holds a job in these states; if it dies there, the job is dead.
RUNNING = frozenset({S.VALIDATING, S.IMPORTING})
# Waiting for a worker to pick it up.
WAITING = frozenset({S.PENDING, S.QUEUED})
FINAL = frozenset({S.DONE, S.DISCARDED, S.FAILED})
# Staging rows are needed only while a job may still be imported.
KEEPS_STAGING = frozenset({S.VALIDATING, S.VALIDATED, S.QUEUED, S.IMPORTING})


def step(name: str) -> Step:
    return BY_NAME[name]


def allowed(job: Model, name: str) -> bool:
    return job.status in BY_NAME[name].sources  # type: ignore[attr-defined]


def move(job: Model, name: str, **fields: Any) -> bool:
    """Move ``job`` by step ``name`` if it is still in one of its sources.

    One conditional UPDATE: False (and nothing changed) when the job has
    moved on meanwhile. ``fields`` are saved with the new state.
    """
    found = BY_NAME[name]
    changed = (
        type(job)
        ._default_manager.filter(pk=job.pk, status__in=found.sources)
        .update(status=found.target, **fields)
    )
    if changed:
        job.status = found.target  # type: ignore[attr-defined]
        for key, value in fields.items():
            setattr(job, key, value)
    return bool(changed)


def table() -> list[tuple[str, str, str, str]]:
    """The steps as (step, from, to, by) rows, readable in docs and tests."""
    labels = dict(S.choices)
    return [
        (str(s.label), "、".join(str(labels[x]) for x in s.sources), str(labels[s.target]), s.by)
        for s in STEPS
    ]
