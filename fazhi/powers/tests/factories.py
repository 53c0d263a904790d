"""Builders for power catalogs, through the services (so audit rows exist too)."""

from __future__ import annotations

import itertools
from typing import Any

from fazhi.core.models import OrgUnit
from fazhi.core.tests.factories import SYSTEM
from fazhi.powers import services
from fazhi.powers.choices import PowerType
from fazhi.powers.models import PowerCatalog, PowerItem

AQ = "《中华人民共和国安全生产法》"
_codes = itertools.count(1)


def item(catalog: PowerCatalog, lead_unit: OrgUnit, **fields: Any) -> PowerItem:
    """Add an item to a draft catalog; defaults cite 安全生产法 第九十九条."""
    defaults: dict[str, Any] = {
        "code": f"CF-{next(_codes):04d}",
        "name": "对生产经营单位未按规定设置安全警示标志的行政处罚",
        "power_type": PowerType.PENALTY,
        "lead_unit": lead_unit,
        "basis_text": f"{AQ}第三十五条、第九十九条第（一）项",
        "shared_with_counties": True,
    }
    defaults.update(fields)
    return services.poweritem_create(actor=SYSTEM, catalog=catalog, **defaults)


def catalog(
    agency: OrgUnit, year: int, lead_unit: OrgUnit, count: int = 0, publish: bool = False
) -> PowerCatalog:
    """A catalog with ``count`` penalty items led by ``lead_unit``."""
    made = services.catalog_create(actor=SYSTEM, agency=agency, year=year, copy_previous=False)
    for index in range(count):
        item(made, lead_unit, code=f"CF-{year}-{index:03d}", name=f"行政处罚事项{index}")
    if publish:
        made = services.catalog_publish(actor=SYSTEM, catalog=made)
    return made
