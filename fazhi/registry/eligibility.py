"""Who may act on a given day: 持证上岗 (a valid enforcement certificate)
and 回避 (no conflict of interest with the entity), and the minimum team.

Inspections and cases call these guards before an enforcement act; they
read only, and refuse with a ``DomainError`` that names the reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fazhi.core.errors import DomainError
from fazhi.registry import selectors
from fazhi.registry.choices import CertificateStatus, OfficerStatus, RuleCode
from fazhi.registry.models import (
    ConflictOfInterest,
    EnforcementCertificate,
    Entity,
    Officer,
    RegistryRule,
)


def officer_conflicts(
    *, officer: Officer, entity: Entity, on: datetime.date
) -> list[ConflictOfInterest]:
    """Return the officer's conflicts with ``entity`` active on ``on``."""
    target = selectors.entity_resolve(entity)
    return [
        c
        for c in ConflictOfInterest.objects.filter(officer=officer, entity=target).order_by(
            "valid_from"
        )
        if c.active_on(on)
    ]


# --- 持证上岗: who may act on a given day ------------------------------------


def _day(on: datetime.date) -> str:
    return date_format(on, "Y-m-d")


def officer_certification_problem(*, officer: Officer, on: datetime.date) -> str | None:
    """Return why ``officer`` may not enforce on ``on`` (None if they may)."""
    status = (
        Officer.objects.filter(pk=officer.pk).values_list("status", flat=True).first()
        or officer.status
    )
    if status != OfficerStatus.ACTIVE:
        return _("%(name)s is not in service (%(status)s).") % {
            "name": officer.full_name,
            "status": OfficerStatus(status).label,
        }
    certificates = list(officer.certificates.all())
    if any(c.valid_on(on) for c in certificates):
        return None
    if not certificates:
        return _("%(name)s holds no enforcement certificate.") % {"name": officer.full_name}
    relevant = [c for c in certificates if c.valid_from <= on] or certificates
    latest = max(relevant, key=lambda c: (c.valid_from, c.pk))
    values = {"name": officer.full_name, "number": latest.number, "day": _day(on)}
    if latest.status == CertificateStatus.REVOKED:
        return _("%(name)s's certificate %(number)s was revoked.") % values
    if latest.status == CertificateStatus.SUSPENDED:
        return _("%(name)s's certificate %(number)s is suspended.") % values
    if latest.valid_from > on:
        return _("%(name)s's certificate %(number)s is valid only from %(start)s.") % {
            **values,
            "start": _day(latest.valid_from),
        }
    return _("%(name)s's certificate %(number)s expired on %(end)s.") % {
        **values,
        "end": _day(latest.valid_to),
    }


def officer_assert_certified(*, officer: Officer, on: datetime.date) -> EnforcementCertificate:
    """Refuse an enforcement act by an officer without a valid certificate that day.

    持证上岗 (行政处罚法 Art. 42: officers must hold 执法资格). Returns the
    certificate that makes the officer eligible.
    """
    problem = officer_certification_problem(officer=officer, on=on)
    if problem is not None:
        raise DomainError(
            _("No enforcement without a valid certificate: %(problem)s") % {"problem": problem},
            field="officers",
        )
    return max((c for c in officer.certificates.all() if c.valid_on(on)), key=lambda c: c.valid_to)


def team_min_officers(on: datetime.date) -> RegistryRule:
    rule = selectors.rule_in_force(RuleCode.TEAM_MIN_OFFICERS, on)
    if rule is None:
        raise DomainError(
            _("No rule for the minimum team size is in force on %(day)s; ask an administrator.")
            % {"day": _day(on)}
        )
    return rule


def team_assert_valid(
    *, officers: Iterable[Officer], on: datetime.date, entity: Entity | None = None
) -> RegistryRule:
    """Refuse a team that breaks 持证上岗 or 回避, or is too small.

    Every officer must be certified on ``on`` and free of any conflict with
    ``entity``; the team needs at least the number of officers the rule in
    force sets (行政处罚法 Art. 42: 不得少于两人). Returns that rule.
    """
    rule = team_min_officers(on)
    team = list({o.pk: o for o in officers}.values())
    problems: list[str] = []
    for officer in team:
        problem = officer_certification_problem(officer=officer, on=on)
        if problem is not None:
            problems.append(problem)
        if entity is not None:
            for conflict in officer_conflicts(officer=officer, entity=entity, on=on):
                problems.append(
                    _("%(name)s must recuse: %(kind)s (%(entity)s).")
                    % {
                        "name": officer.full_name,
                        "kind": conflict.get_kind_display(),
                        "entity": conflict.entity.name,
                    }
                )
    if len(team) < rule.value:
        problems.append(
            _("A team needs at least %(n)d certified officers (%(source)s); this one has %(k)d.")
            % {"n": rule.value, "source": rule.source, "k": len(team)}
        )
    if problems:
        raise DomainError(" ".join(problems), field="officers")
    return rule
