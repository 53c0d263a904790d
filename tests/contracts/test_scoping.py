"""Scoping contract: a county persona never sees a row of another county.

Generated from the selectors and the models: every public selector of every
app that needs nothing but an ``actor`` is called as a county's officer and
as its legal section over the demo bureau (four counties, their entities,
officers, plans, inspections …); every row it returns that names an org unit
(a foreign key to ``OrgUnit``, or a recorded ``unit_path``) must lie in the
persona's county or above it (city and national rule data), never in a
sibling county.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from fazhi.core.models import OrgUnit, User

COUNTY = "任城区应急管理局"
PERSONAS = ["county_officer", "county_legal"]
SHOWN = 500  # rows read per selector: enough to meet every county of the demo


def _selectors() -> list[tuple[str, Any]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("fazhi."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.selectors")
        except ModuleNotFoundError:
            continue
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = inspect.signature(fn).parameters
            if "actor" not in params:
                continue
            needs = [
                p
                for n, p in params.items()
                if n != "actor"
                and p.default is inspect.Parameter.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            if not needs:
                found.append((f"{module.__name__}.{name}", fn))
    return found


SELECTORS = _selectors()


def _unit_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is OrgUnit
    ]


def _rows(result: Any) -> Iterable[models.Model]:
    if isinstance(result, models.QuerySet):
        return result[:SHOWN]
    if isinstance(result, list | tuple) and result and isinstance(result[0], models.Model):
        return result[:SHOWN]
    return []


def _foreign(rows: Iterable[models.Model], paths: dict[int, str], mine: str) -> list[str]:
    others = [p for p in paths.values() if p != mine and len(p) == len(mine)]
    wrong = []
    for row in rows:
        seen = [paths.get(getattr(row, name)) for name in _unit_fields(type(row))]
        seen.append(getattr(row, "unit_path", None))
        if isinstance(row, OrgUnit):
            seen.append(row.path)
        for path in filter(None, seen):
            if any(path.startswith(other) for other in others):
                wrong.append(f"{row._meta.label} #{row.pk} ({path})")
    return wrong


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    agencies = OrgUnit.objects.filter(kind="agency", level="county")
    return {unit.pk: unit.path for unit in agencies}


def test_the_contract_calls_the_list_selectors_of_every_app():
    called = {name.split(".")[1] for name, _fn in SELECTORS}
    assert {"core", "registry", "inspections", "discretion", "powers"} <= called
    assert len(SELECTORS) >= 15


def test_a_county_persona_never_sees_a_row_of_another_county(demo):
    mine = OrgUnit.objects.get(name=COUNTY).path
    assert len(demo) == 4
    problems: list[str] = []
    checked = 0
    for username in PERSONAS:
        actor = User.objects.get(username=username)
        for name, fn in SELECTORS:
            result = fn(actor=actor)
            rows = list(_rows(result))
            checked += bool(rows)
            problems += [f"{username} {name}: {row}" for row in _foreign(rows, demo, mine)]
    assert problems == []
    assert checked >= 10  # the demo gives most selectors rows to check


def test_the_check_catches_a_row_of_another_county(demo):
    other = OrgUnit.objects.filter(kind="agency", level="county").exclude(name=COUNTY).first()
    mine = OrgUnit.objects.get(name=COUNTY).path
    city = other.parent
    assert _foreign([city], demo, mine) == []  # above the county: visible
    leak = OrgUnit.objects.filter(parent=other).first()
    assert _foreign([leak], demo, mine) == [
        f"core.OrgUnit #{leak.pk} ({other.path})",
        f"core.OrgUnit #{leak.pk} ({leak.path})",
    ]
