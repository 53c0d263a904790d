"""The audit trail's verbs: one grammar ``<app>.<model>.<verb>``, each with a label.

Every app lists the verbs its services write as a ``models.TextChoices`` named
``Verb`` in its ``verbs`` module, with an English label translated into
Chinese; the audit viewer shows the label, never the stored code. Verbs that
a procedure writes (``fazhi.core.workflow``: ``<app>.<model>.<transition>``)
take their transition's label, from every app's ``workflow.py`` / ``*_workflow.py``.

The trail is hash-chained, so the events written before this grammar keep
their stored spelling (``entity.create``, ``powers.item_create``,
``registry_rule.save``). Each app's ``LEGACY`` maps those spellings to the
verbs of today, and the viewer and its filter read through that map.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext as _

GENERIC = {"create", "update", "delete", "save"}
StrOrPromise = str | Promise


@dataclass(frozen=True)
class VerbTable:
    labels: dict[str, StrOrPromise]  # verb → lazy label
    legacy: dict[str, str]  # stored old spelling → verb
    apps: dict[str, str]  # verb → app label


def _workflows() -> list[Any]:
    """Every procedure of every app (``workflow.py`` and ``*_workflow.py`` modules)."""
    from fazhi.core import workflow

    for config in apps.get_app_configs():
        if not config.name.startswith("fazhi."):
            continue
        for found in pkgutil.iter_modules([config.path]):
            if found.name == "workflow" or found.name.endswith("_workflow"):
                importlib.import_module(f"{config.name}.{found.name}")
    return [w for w in workflow.WORKFLOWS if hasattr(w.model, "_meta")]


def _verb_modules() -> Iterable[tuple[str, ModuleType]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("fazhi."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.verbs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.verbs":
                raise
            continue
        yield config.label, module


@functools.cache
def table() -> VerbTable:
    """Collect every app's ``Verb`` choices, procedure steps and old spellings."""
    labels: dict[str, StrOrPromise] = {}
    legacy: dict[str, str] = {}
    owners: dict[str, str] = {}
    for app_label, module in _verb_modules():
        choices = getattr(module, "Verb", None)
        if choices is not None:
            for value, label in zip(choices.values, choices.labels, strict=True):
                labels[value] = label
                owners[value] = app_label
        legacy.update(getattr(module, "LEGACY", {}))
    for workflow in _workflows():
        meta = workflow.model._meta
        for t in workflow.transitions:
            verb = f"{meta.app_label}.{meta.model_name}.{t.name}"
            labels.setdefault(verb, t.label)
            owners.setdefault(verb, meta.app_label)
    return VerbTable(labels=labels, legacy=legacy, apps=owners)


def known(verb: str) -> bool:
    """Say whether ``verb`` is a verb of today's grammar listed by some app."""
    return verb in table().labels


def current(stored: str) -> str:
    """Return today's spelling of a stored verb (itself when it is already current)."""
    verbs = table()
    if stored in verbs.legacy:
        return verbs.legacy[stored]
    parts = stored.split(".")
    if len(parts) == 2 and parts[1] in GENERIC:
        # The admin's first events: "<model>.<create|update|delete>".
        for model in apps.get_models():
            if model._meta.model_name == parts[0] and model._meta.app_label in _app_labels():
                return f"{model._meta.app_label}.{stored}"
    return stored


def _app_labels() -> set[str]:
    return {c.label for c in apps.get_app_configs() if c.name.startswith("fazhi.")}


def label(stored: str) -> str:
    """The words shown for a stored verb, in the user's language."""
    verb = current(stored)
    found = table().labels.get(verb)
    if found is not None:
        return str(found)
    parts = verb.split(".")
    if len(parts) == 3 and parts[2] in GENERIC:
        try:
            model = apps.get_model(parts[0], parts[1])
        except LookupError:
            model = None
        if model is not None:
            return _generic(parts[2]) % {"model": model._meta.verbose_name}
    return _("Other action")


def _generic(verb: str) -> str:
    return {
        "create": _("Created: %(model)s"),
        "update": _("Changed: %(model)s"),
        "delete": _("Deleted: %(model)s"),
        "save": _("Saved: %(model)s"),
    }[verb]


def spellings(verb: str) -> list[str]:
    """Every stored spelling of ``verb``: itself and the old ones mapped to it."""
    return [verb, *sorted(old for old, new in table().legacy.items() if new == verb)]


def legacy_spellings(prefix: str) -> list[str]:
    """The old spellings of every verb that starts with ``prefix`` (for filters)."""
    return sorted(old for old, new in table().legacy.items() if new.startswith(prefix))


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The verb picker's groups: one per app, its verbs by label."""
    verbs = table()
    groups: dict[str, list[tuple[str, str]]] = {}
    for verb, text in verbs.labels.items():
        groups.setdefault(verbs.apps[verb], []).append((verb, str(text)))
    return [
        (str(apps.get_app_config(app).verbose_name), sorted(rows, key=lambda row: row[1]))
        for app, rows in sorted(groups.items())
    ]
