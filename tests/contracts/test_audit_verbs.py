"""Audit verbs: one grammar ``<app>.<model>.<verb>``, each a known, labelled choice.

The source is read for the verbs the services write (``audit_record(verb=…)``
and the helpers that pass one on), so that a new verb without its
``Verb`` choice (and so without its Chinese label in the audit viewer) fails.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

from fazhi.core import audit_verbs

ROOT = Path(__file__).resolve().parents[2]
GRAMMAR = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")
# Apps whose verbs are not listed yet (another change enrolls them).
PENDING_APPS: set[str] = set()
# Helpers that take a verb and write it (the verb is their third positional argument).
VERB_HELPERS = {"_audit": 2}
# Helpers that take a verb prefix and add ".create" or ".update".
PREFIX_HELPERS = {"_rule_row_save"}


# Verbs built at run time, each checked by a test of its own below.
FORMATTED = {
    "fazhi/core/workflow.py",  # <app>.<model>.<transition>: every app's procedures
    "fazhi/discretion/services.py",  # _rule_row_save's prefix + .create/.update
    "fazhi/registry/imports/runner.py",  # registry.<kind>.import
}
FORMATTED_SITES: set[str] = set()


def _literal_verbs() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "fazhi").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if {"tests", "migrations"} & set(rel.parts) or rel.parts[1] in PENDING_APPS:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            values = [kw.value for kw in node.keywords if kw.arg == "verb"]
            if name in VERB_HELPERS and len(node.args) > VERB_HELPERS[name]:
                values.append(node.args[VERB_HELPERS[name]])
            for value in values:
                if any(isinstance(part, ast.JoinedStr) for part in ast.walk(value)):
                    FORMATTED_SITES.add(str(rel))
                    continue
                for const in ast.walk(value):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str):
                        where = f"{rel}:{const.lineno}"
                        if name in PREFIX_HELPERS:
                            found += [(f"{const.value}.create", where)]
                            found += [(f"{const.value}.update", where)]
                        else:
                            found.append((const.value, where))
    return found


VERBS = _literal_verbs()


def test_the_scan_finds_the_services_verbs():
    written = {verb for verb, _where in VERBS}
    assert {"registry.entity.create", "core.user.login", "discretion.rule.update"} <= written
    assert len(written) > 80


@pytest.mark.parametrize(("verb", "where"), VERBS)
def test_every_verb_a_service_writes_is_a_known_choice(verb: str, where: str):
    assert GRAMMAR.match(verb), f"{where}: {verb} is not <app>.<model>.<verb>"
    assert audit_verbs.known(verb), f"{where}: {verb} is in no app's verbs.Verb"


def test_every_choice_follows_the_grammar_and_belongs_to_its_app():
    table = audit_verbs.table()
    for verb, app in table.apps.items():
        assert GRAMMAR.match(verb), verb
        assert verb.split(".", 1)[0] == apps.get_app_config(app).label, verb


def test_old_spellings_map_to_known_verbs_and_never_shadow_one():
    table = audit_verbs.table()
    assert table.legacy, "the old spellings are mapped"
    for old, new in table.legacy.items():
        assert audit_verbs.known(new), (old, new)
        assert not audit_verbs.known(old), old
        assert audit_verbs.label(old) == audit_verbs.label(new)


def test_every_verb_has_a_chinese_label():
    with translation.override("zh-hans"):
        labels = {verb: audit_verbs.label(verb) for verb in audit_verbs.table().labels}
    untranslated = {verb: text for verb, text in labels.items() if text.isascii()}
    assert untranslated == {}
    assert "其他操作" not in labels.values()


def test_a_verb_without_a_choice_is_caught():
    assert not audit_verbs.known("registry.entity.frobnicate")
    with translation.override("zh-hans"):
        assert audit_verbs.label("registry.entity.frobnicate") == "其他操作"


def test_the_verbs_built_at_run_time_are_the_known_ones():
    assert FORMATTED_SITES == FORMATTED


def test_the_import_and_procedure_verbs_are_known():
    from fazhi.cases.workflow import ORDINARY
    from fazhi.core.workflow import WORKFLOWS
    from fazhi.inspections.workflow import PLAN
    from fazhi.registry.choices import ImportKind

    for kind in ImportKind.values:
        assert audit_verbs.known(f"registry.{kind}.import")
    assert {PLAN, ORDINARY} <= set(audit_verbs._workflows())
    for workflow in WORKFLOWS:
        meta = workflow.model._meta
        for t in workflow.transitions:
            assert audit_verbs.known(f"{meta.app_label}.{meta.model_name}.{t.name}")


def test_an_admin_save_is_named_by_its_model():
    # The admin's events from before it went through services name the model and
    # what was done; a spelling a service writes today takes the service's label.
    with translation.override("zh-hans"):
        assert audit_verbs.label("core.role.delete") == "删除：角色"
        assert audit_verbs.label("role.delete") == "删除：角色"  # the admin's old spelling
        assert audit_verbs.label("role.update") == audit_verbs.label("core.role.update")
        assert audit_verbs.label("core.role.update") == "修改角色"  # role_update
