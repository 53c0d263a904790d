"""Evaluate case rule rows (hearing right, 法制审核目录, 集体讨论, 简易程序 limits).

The evaluation is pure: it takes a ``PenaltyPlan`` (what the case proposes
or decides) and the ``RuleRow`` values in force, and returns the rows that
the plan meets. ``rule_rows_for`` reads the rows for a case's agency.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from fazhi.cases.choices import PartyKind, RuleCondition, RulePurpose
from fazhi.core.models import OrgUnit


@dataclass(frozen=True)
class RuleRow:
    """One case rule, detached from the database."""

    code: str
    purpose: str
    condition: str
    source: str
    party_kind: str = ""
    amount: Decimal | None = None
    inclusive: bool = True
    penalty_kind: str = ""
    flag: str = ""
    verified: bool = True
    owner_depth: int = -1  # -1: default row; deeper owners replace shallower ones

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.purpose, self.condition, self.party_kind, self.penalty_kind, self.flag)

    def label(self) -> str:
        """Describe the row for a refusal message, e.g. "罚款数额达到 30000 元"."""
        from fazhi.cases.choices import CaseFlag, PenaltyKind

        condition = str(RuleCondition(self.condition).label)
        if self.condition == RuleCondition.PENALTY_KIND:
            return f"{condition}：{PenaltyKind(self.penalty_kind).label}"
        if self.condition == RuleCondition.CASE_FLAG:
            return f"{condition}：{CaseFlag(self.flag).label}"
        who = f"{PartyKind(self.party_kind).label} " if self.party_kind else ""
        return f"{who}{condition} {self.amount}（{self.source}）"


@dataclass(frozen=True)
class PenaltyPlan:
    """The penalty a case proposes or decides, as the rules see it."""

    party_kind: str
    kinds: frozenset[str] = frozenset()
    fine: Decimal | None = None
    confiscation: Decimal | None = None
    flags: frozenset[str] = field(default_factory=frozenset)


def _at_least(value: Decimal | None, row: RuleRow) -> bool:
    if value is None or row.amount is None:
        return False
    return value >= row.amount if row.inclusive else value > row.amount


def _party_matches(plan: PenaltyPlan, row: RuleRow) -> bool:
    return not row.party_kind or row.party_kind == plan.party_kind


def rule_met(plan: PenaltyPlan, row: RuleRow) -> bool:
    """Return whether ``plan`` meets the (at-least / kind / flag) condition of ``row``."""
    if not _party_matches(plan, row):
        return False
    if row.condition == RuleCondition.FINE_AT_LEAST:
        return _at_least(plan.fine, row)
    if row.condition == RuleCondition.CONFISCATION_AT_LEAST:
        return _at_least(plan.confiscation, row)
    if row.condition == RuleCondition.PENALTY_KIND:
        return row.penalty_kind in plan.kinds
    if row.condition == RuleCondition.CASE_FLAG:
        return row.flag in plan.flags
    return False


def most_specific(rows: Iterable[RuleRow]) -> list[RuleRow]:
    """Keep, for each rule key, only the rows of the most specific owner."""
    best: dict[tuple[str, ...], int] = {}
    rows = list(rows)
    for row in rows:
        best[row.key] = max(best.get(row.key, -1), row.owner_depth)
    return [row for row in rows if row.owner_depth == best[row.key]]


def rules_met(plan: PenaltyPlan, rows: Sequence[RuleRow], purpose: str) -> list[RuleRow]:
    """Return the rows of ``purpose`` that ``plan`` meets (the duty applies if any)."""
    return [
        row
        for row in most_specific(r for r in rows if r.purpose == purpose)
        if rule_met(plan, row)
    ]


def summary_problems(plan: PenaltyPlan, rows: Sequence[RuleRow]) -> list[str]:
    """Return why ``plan`` is outside the 简易程序 limits (Art. 51); empty if within."""
    from django.utils.translation import gettext as _

    from fazhi.cases.choices import PenaltyKind

    limits = most_specific(r for r in rows if r.purpose == RulePurpose.SUMMARY_LIMIT)
    allowed = {r.penalty_kind for r in limits if r.condition == RuleCondition.PENALTY_KIND}
    problems: list[str] = []
    if not limits:
        return [_("No summary-procedure limit is in force; an administrator must enter it.")]
    if not plan.kinds:
        problems.append(_("Choose the penalty: a warning or a fine."))
    for kind in sorted(plan.kinds - allowed):
        problems.append(
            _("The summary procedure does not allow the penalty “%(kind)s”.")
            % {"kind": PenaltyKind(kind).label}
        )
    if PenaltyKind.FINE in plan.kinds:
        caps = [
            r
            for r in limits
            if r.condition == RuleCondition.FINE_AT_MOST and _party_matches(plan, r)
        ]
        if not caps:
            problems.append(_("No summary-procedure fine limit is in force for this party."))
        for cap in caps:
            assert cap.amount is not None
            fine = plan.fine if plan.fine is not None else Decimal(0)
            over = fine > cap.amount if cap.inclusive else fine >= cap.amount
            if over:
                problems.append(
                    _(
                        "A fine of %(fine)s yuan exceeds the summary-procedure limit of "
                        "%(limit)s yuan for this party (%(source)s)."
                    )
                    % {"fine": fine, "limit": cap.amount, "source": cap.source}
                )
    return problems


def rule_rows_for(unit: OrgUnit, on: datetime.date) -> list[RuleRow]:
    """Read the rule rows in force on ``on`` for cases of ``unit``'s agency."""
    from fazhi.cases.models import CaseRule

    ancestors = {u.pk: u.depth for u in unit.ancestors()}
    ancestors[unit.pk] = unit.depth
    rows = CaseRule.objects.filter(
        Q(unit__isnull=True) | Q(unit__in=list(ancestors)),
        effective_from__lte=on,
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    return [
        RuleRow(
            code=r.code,
            purpose=r.purpose,
            condition=r.condition,
            source=r.source,
            party_kind=r.party_kind,
            amount=r.amount,
            inclusive=r.inclusive,
            penalty_kind=r.penalty_kind,
            flag=r.flag,
            verified=r.verified,
            owner_depth=ancestors[r.unit_id] if r.unit_id else -1,
        )
        for r in rows
    ]
