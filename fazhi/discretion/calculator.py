"""The discretion calculator as a service: adopted baselines, Art. 37, the trace.

``discretion_calculate`` is re-exported by ``fazhi.discretion.services``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fazhi.core import policy
from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.formats import cn_date
from fazhi.core.models import OrgUnit
from fazhi.core.selectors import unit_in_scope
from fazhi.discretion import selectors
from fazhi.discretion.engine import Calculation, Facts, RuleBook, TraceStep, calculate
from fazhi.discretion.grounds import ART_37
from fazhi.discretion.models import DiscretionEntry


@policy.requires(
    "discretion.view_discretionentry",
    message=gettext_lazy("You may not use the discretion calculator."),
)
def discretion_calculate(
    *,
    actor: Any,
    agency: OrgUnit,
    facts: Facts,
    on: datetime.date,
    entry_code: str = "",
    entry: DiscretionEntry | None = None,
) -> Calculation:
    """Return the decision class, range and trace under the agency's adopted baselines."""
    if not unit_in_scope(actor, agency):
        raise NotAllowed(_("This agency is outside your scope."), field="agency")
    agency = agency.agency()
    adopted = selectors.adopted_baselines(agency=agency, on=on)
    if not adopted:
        raise DomainError(
            _("%(agency)s has adopted no discretion baseline in force on %(day)s.")
            % {"agency": agency.name, "day": on.isoformat()},
            field="entry",
        )
    ids = [b.pk for b in adopted]
    if entry is not None:
        if entry.baseline_id not in ids or not entry.in_force_on(on):
            raise DomainError(
                _(
                    "Entry %(code)s is not part of a baseline %(agency)s has adopted "
                    "and in force on %(day)s."
                )
                % {"code": entry.code, "agency": agency.name, "day": on.isoformat()},
                field="entry",
            )
        chosen = entry
    else:
        candidates = {
            e.baseline_id: e
            for e in selectors.discretion_entry_list(actor=actor, on=on).filter(
                code=entry_code, baseline_id__in=ids
            )
        }
        found = [candidates[b.pk] for b in adopted if b.pk in candidates]
        if not found:
            raise DomainError(
                _("No baseline adopted by %(agency)s has the entry %(code)s on %(day)s.")
                % {"agency": agency.name, "code": entry_code, "day": on.isoformat()},
                field="entry",
            )
        chosen = found[-1]
    baseline = next(b for b in adopted if b.pk == chosen.baseline_id)
    rules = selectors.rulebook_load(on, baselines=ids)
    result = calculate(selectors.entry_data(chosen), facts, rules)
    if facts.act_on is not None and facts.act_on < chosen.effective_from:
        result = _old_or_lighter(chosen, facts, rules, ids, result)
    result = result.under(baseline.citation)
    result.entry_id = result.entry_id or chosen.pk
    return result


def _heavier(old: Calculation, new: Calculation) -> bool:
    """Whether the new rule punishes more heavily than the old one (Art. 37)."""
    a, b = old.statutory_range, new.statutory_range
    if a is None or b is None or a.measure != b.measure:
        return False
    return (b.upper, b.lower) > (a.upper, a.lower)


def _old_or_lighter(
    current: DiscretionEntry,
    facts: Facts,
    rules: RuleBook,
    baseline_ids: list[int],
    new: Calculation,
) -> Calculation:
    """行政处罚法第三十七条 从旧兼从轻: the version in force when the act was done,
    unless the version in force at the decision punishes more lightly."""
    assert facts.act_on is not None
    old_entry = (
        DiscretionEntry.objects.filter(code=current.code, baseline_id__in=baseline_ids)
        .filter(effective_from__lte=facts.act_on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=facts.act_on))
        .order_by("-effective_from")
        .first()
    )
    day = cn_date(facts.act_on)
    if old_entry is None:
        new.trace.append(
            TraceStep(
                _("Law at the time of the act (从旧兼从轻)"),
                ART_37,
                _("No version in force on %(day)s is stored; the current one is used.")
                % {"day": day},
                False,
            )
        )
        return new
    old_rules = selectors.rulebook_load(facts.act_on, baselines=baseline_ids)
    old = calculate(selectors.entry_data(old_entry), facts, old_rules)
    if _heavier(old, new) or old.statutory_range == new.statutory_range:
        old.trace.append(
            TraceStep(
                _("Law at the time of the act (从旧兼从轻)"),
                ART_37,
                _("The version in force on %(day)s applies (from %(start)s).")
                % {"day": day, "start": cn_date(old_entry.effective_from)},
            )
        )
        old.entry_id = old_entry.pk
        return old
    new.trace.append(
        TraceStep(
            _("The new provision is lighter (从旧兼从轻)"),
            ART_37,
            _("The act was done on %(day)s; the version in force from %(start)s is lighter.")
            % {"day": day, "start": cn_date(current.effective_from)},
        )
    )
    return new
