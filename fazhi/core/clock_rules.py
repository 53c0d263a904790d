"""Time-limit rules (ClockRule) as data: which version of a rule is in force.

The clock engine (fazhi/core/clocks.py) applies the version this module finds;
pages, the API and the workflows list and look rules up here.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core.effective import in_force_q
from fazhi.core.errors import DomainError
from fazhi.core.models import ClockRule

RULE_STATUSES = ("in_force", "ended", "future")


def clock_rule_list(
    *,
    on: datetime.date | None = None,
    q: str = "",
    unit: str = "",
    verified: bool | None = None,
    code: str = "",
    status: str = "",
    today: datetime.date | None = None,
    province: str | None = None,
) -> QuerySet[ClockRule]:
    """Return rule versions, optionally only those in force on ``on``.

    ``status`` (``in_force``, ``ended``, ``future``) is relative to ``today``;
    ``province`` "" keeps the national versions, "37" Shandong's.
    """
    rules = ClockRule.objects.all()
    if province is not None:
        rules = rules.filter(province=province)
    if on is not None:
        rules = rules.filter(in_force_q(on))
    if status:
        today = today or timezone.localdate()
        if status == "in_force":
            rules = rules.filter(in_force_q(today))
        elif status == "ended":
            rules = rules.filter(effective_to__lt=today)
        elif status == "future":
            rules = rules.filter(effective_from__gt=today)
    if q:
        rules = rules.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(source__icontains=q))
    if unit:
        rules = rules.filter(unit=unit)
    if verified is not None:
        rules = rules.filter(verified=verified)
    if code:
        rules = rules.filter(code=code)
    return rules.order_by("code", "province", "-effective_from")


def clock_rule_get(code: str, *, on: datetime.date, province: str = "") -> ClockRule:
    """Return the version of rule ``code`` in force on ``on``.

    With ``province`` (two digits of a region code), that province's version
    in force wins over the national one. Raise ``DomainError`` (field
    ``rule``) when the code is unknown or no version is in force on that date.
    """
    if province:
        own = clock_rule_list(on=on, code=code, province=province).first()
        if own is not None:
            return own
    rule = clock_rule_list(on=on, code=code, province="").first()
    if rule is not None:
        return rule
    if ClockRule.objects.filter(code=code).exists():
        raise DomainError(
            _("No version of the rule %(code)s is in force on %(date)s.")
            % {"code": code, "date": on.isoformat()},
            field="rule",
        )
    raise DomainError(_("There is no time-limit rule %(code)s.") % {"code": code}, field="rule")
