"""URL arguments for the central permission-matrix test (discretion pages).

The discretion rule data is visible to every county: nothing here is scoped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fazhi.core.tests.factories import SYSTEM
from fazhi.discretion.seed import discretion_seed, ensure_laws

LAWS = ["安全生产法(2021-06-10).md", "行政处罚法(2021-01-22).md"]


def _entry(personas: Any) -> Any:
    from fazhi.discretion.models import DiscretionEntry

    ensure_laws(actor=SYSTEM, names=LAWS)
    discretion_seed(actor=SYSTEM, codes={"AQ099-01"})
    return DiscretionEntry.objects.get(code="AQ099-01", baseline__is_example=False)


def _no_penalty(personas: Any) -> Any:
    from fazhi.discretion.models import NoPenaltyItem

    _entry(personas)
    return NoPenaltyItem.objects.get(entry_code="AQ099-01")


def _rule(personas: Any) -> Any:
    from fazhi.discretion.models import DiscretionRule

    _entry(personas)
    return DiscretionRule.objects.get(code="lenient_band")


def _adoption(personas: Any) -> Any:
    from fazhi.discretion import services
    from fazhi.discretion.models import Baseline

    entry = _entry(personas)
    baseline = Baseline.objects.get(pk=entry.baseline_id)
    return services.baseline_adopt(
        actor=SYSTEM, agency=personas.city, baseline=baseline, adopted_on=baseline.effective_from
    )


URL_ARGS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "discretion:discretion_detail": lambda p: ({"pk": _entry(p).pk}, False),
    "discretion:discretion_edit": lambda p: ({"pk": _entry(p).pk}, False),
    "discretion:no_penalty_edit": lambda p: ({"pk": _no_penalty(p).pk}, False),
    "discretion:rule_edit": lambda p: ({"pk": _rule(p).pk}, False),
    "discretion:adoption_withdraw": lambda p: ({"pk": _adoption(p).pk}, False),
}

PUBLIC_URLS: set[str] = set()
