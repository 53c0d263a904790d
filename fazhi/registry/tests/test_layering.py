"""The registry's modules import one another one way, and none is a god module.

Issue 9: imports/base and imports/entities imported each other, and
imports/officers → services → tasks → imports/base closed a second cycle.
Every import statement counts, at module level or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "fazhi" / "registry"
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_registry_has_no_import_cycle():
    assert _cycle(_graph()) is None


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_import_pipeline_points_one_way():
    graph = _graph()
    # The row checks and the job runner never reach the services that queue jobs.
    assert "fazhi.registry.imports.jobs" not in graph["fazhi.registry.services"]
    assert "fazhi.registry.imports.tasks" not in graph["fazhi.registry.services"]
    assert "fazhi.registry.imports.runner" not in graph["fazhi.registry.imports.spec"]


@pytest.mark.parametrize(
    "path",
    sorted([*APP.glob("imports/*.py"), APP / "eligibility.py", APP / "workflow.py"]),
    ids=lambda p: p.name,
)
def test_no_import_module_is_a_god_module(path: Path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_the_eligibility_guards_are_importable_from_services():
    from fazhi.registry import eligibility, services

    for name in ("officer_assert_certified", "team_assert_valid", "officer_conflicts"):
        assert getattr(services, name) is getattr(eligibility, name)
