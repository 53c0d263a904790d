"""Builders for case tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from fazhi.cases.choices import CaseSource, OfficerRole, PartyKind
from fazhi.cases.models import Case, CaseOfficer, CaseViolation
from fazhi.core.models import OrgUnit, User
from fazhi.registry.models import Officer
from fazhi.registry.tests import factories as registry_factories

D = datetime.date


def case(unit: OrgUnit, *, officers: int = 2, **fields: Any) -> Case:
    """A case in 案源登记 with ``officers`` certified officers and one violation."""
    agency = unit.agency()
    if not agency.doc_abbr:  # numbers (案号, 文书号) need the agency's 机关代字
        OrgUnit.objects.filter(pk=agency.pk).update(doc_abbr=agency.name[:2])
    entity = fields.pop("entity", None) or registry_factories.entity(unit.agency())
    values: dict[str, Any] = {
        "unit": unit,
        "title": "未在有较大危险因素的场所设置明显的安全警示标志",
        "source": CaseSource.INSPECTION,
        "entity": entity,
        "party_kind": PartyKind.ORGANISATION,
        "party_name": entity.name,
        "party_code": entity.uscc,
        "facts": "现场检查发现液氨储罐区未设置安全警示标志。",
        "act_ended_on": D(2026, 11, 2),
        "discovered_on": D(2026, 11, 3),
    }
    values.update(fields)
    created = Case(**values)
    created.full_clean()
    created.save()
    for n in range(officers):
        add_officer(created, registry_factories.officer(unit.agency()), lead=n == 0)
    CaseViolation.objects.create(
        case=created,
        description="未设置明显的安全警示标志",
        basis="《安全生产法》第九十九条第（一）项",
        law_in_force_from=D(2021, 9, 1),
    )
    return created


def add_officer(target: Case, officer: Officer, *, lead: bool = False) -> CaseOfficer:
    return CaseOfficer.objects.create(
        case=target, officer=officer, role=OfficerRole.LEAD if lead else OfficerRole.ASSIST
    )


def superuser(unit: OrgUnit) -> User:
    """A user who may do everything (the kit stores 文书 under a user, not a SystemActor)."""
    from fazhi.core.tests.factories import user

    existing = User.objects.filter(username="cases_root").first()
    if existing is not None:
        return existing
    return user("cases_root", unit, "system_admin", is_superuser=True, full_name="办案系统测试员")


def money(value: int | str) -> Decimal:
    return Decimal(str(value))
