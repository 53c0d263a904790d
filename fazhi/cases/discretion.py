"""The one door from cases to the discretion calculator (裁量基准).

The calculator is moving from ``fazhi.powers`` to its own app; the import line
below is the only line that changes when it does.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from fazhi.cases.choices import PartyKind
from fazhi.cases.models import Case
from fazhi.core.actors import Actor
from fazhi.core.errors import DomainError
from fazhi.discretion import engine  # the calculator's home
from fazhi.discretion import selectors as source
from fazhi.discretion import services as calculator


@dataclass(frozen=True)
class Advice:
    """What the calculator recommends for one violation, with its trace."""

    entry_code: str
    violation: str
    decision_label: str
    range_label: str
    lower: Decimal | None
    upper: Decimal | None
    lower_inclusive: bool = True
    upper_inclusive: bool = True
    unverified: bool = False
    trace: list[dict[str, Any]] = field(default_factory=list)

    def contains(self, amount: Decimal) -> bool:
        """Say whether ``amount`` lies in the recommended range."""
        if self.lower is None or self.upper is None:
            return True
        return engine.within_bounds(
            amount, self.lower, self.lower_inclusive, self.upper, self.upper_inclusive
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry_code": self.entry_code,
            "violation": self.violation,
            "decision": self.decision_label,
            "range": self.range_label,
            "lower": str(self.lower) if self.lower is not None else None,
            "upper": str(self.upper) if self.upper is not None else None,
            "unverified": self.unverified,
            "trace": self.trace,
        }


def amount_advice(
    *,
    actor: Actor,
    case: Case,
    values: Mapping[str, Decimal] | None = None,
    on: datetime.date | None = None,
) -> list[Advice]:
    """Run the calculator for each violation of ``case`` that names a benchmark entry."""
    target = (
        engine.FineTarget.UNIT
        if case.party_kind == PartyKind.ORGANISATION
        else engine.FineTarget.PRINCIPAL
    )
    facts = engine.Facts(
        target=target,
        values=dict(values or {}),
        violation_ended_on=case.act_ended_on,
        discovered_on=case.discovered_on,
        life_or_finance_harm=case.life_health_harm,
    )
    advice = []
    for violation in case.violations.exclude(discretion_code=""):
        try:
            entry = source.discretion_entry_find(
                actor=actor, ref=violation.discretion_code, on=on or case.act_ended_on
            )
        except ObjectDoesNotExist:
            continue
        try:
            result = calculator.discretion_calculate(
                actor=actor,
                agency=case.unit,
                entry=entry,
                facts=facts,
                on=on or case.act_ended_on or timezone.localdate(),
            )
        except DomainError:
            continue  # no adopted baseline covers it: the decision shows no advice
        rng = result.amount_range or result.range
        advice.append(
            Advice(
                entry_code=entry.code,
                violation=violation.description,
                decision_label=result.decision_label,
                range_label=rng.label() if rng else "—",
                lower=rng.lower if rng else None,
                upper=rng.upper if rng else None,
                lower_inclusive=rng.lower_inclusive if rng else True,
                upper_inclusive=rng.upper_inclusive if rng else True,
                unverified=result.unverified,
                trace=[
                    {
                        "rule": s.rule,
                        "article": s.article,
                        "detail": s.detail,
                        "verified": s.verified,
                    }
                    for s in result.trace
                ],
            )
        )
    return advice
