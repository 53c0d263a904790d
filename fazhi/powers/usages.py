"""Where a power item is used: a registry other apps add to.

An app that refers to power items (inspections, cases, licences) registers
a provider from its ``AppConfig.ready()``::

    from fazhi.powers.usages import USAGE_PROVIDERS, Usage

    def inspection_usages(item):
        count = Inspection.objects.filter(power_item__code=item.code).count()
        return [Usage(kind=_("Inspections"), label=..., url=..., count=count)] if count else []

    USAGE_PROVIDERS.append(inspection_usages)

``power_item_usages(item=…)`` asks every provider and returns what they
report; the item page shows "not used yet" when the list is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Usage:
    """One place a power item is used (e.g. 12 inspections this year)."""

    kind: str
    label: str
    url: str = ""
    count: int | None = None


USAGE_PROVIDERS: list[Callable[[Any], Iterable[Usage]]] = []


def power_item_usages(*, item: Any) -> list[Usage]:
    """Return every usage of ``item`` reported by the registered providers."""
    usages: list[Usage] = []
    for provider in USAGE_PROVIDERS:
        usages.extend(provider(item))
    return usages
