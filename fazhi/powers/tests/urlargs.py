"""URL arguments for the central permission-matrix test.

Each function builds (through the services) an object the URL needs and
returns ``(kwargs, scoped)``; ``scoped`` objects belong to county B, so county
A's officer must get a 404. The city's published catalog and its general
catalog are visible to every county.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fazhi.core import services as core_services
from fazhi.core.choices import AttachmentRole
from fazhi.core.tests.factories import SYSTEM
from fazhi.powers import services
from fazhi.powers.demo import ensure_laws
from fazhi.powers.models import CatalogTemplate, PowerCatalog

LAWS = [
    "安全生产法(2021-06-10).md",
    "行政处罚法(2021-01-22).md",
    "烟花爆竹安全管理条例(2016-02-06).md",
]


# Pages that change a catalog open only for people who may edit it.
EDITORS = ("admin", "city_reviewer")
PUBLISHERS = ("admin", "city_reviewer", "leader")

# The builders reuse what an earlier call made, so several URLs can share one database.


def _county_b_catalog(personas: Any) -> Any:
    from fazhi.powers.tests import factories

    existing = PowerCatalog.objects.filter(agency=personas.county_b, year=2025).first()
    if existing is not None:
        return existing
    ensure_laws(actor=SYSTEM, names=LAWS)
    return factories.catalog(personas.county_b, 2025, personas.county_b_brigade, count=1)


def _city_catalog(personas: Any) -> Any:
    from fazhi.powers.tests import factories

    existing = PowerCatalog.objects.filter(agency=personas.city, year=2026).first()
    if existing is not None:
        return existing
    ensure_laws(actor=SYSTEM, names=LAWS)
    return factories.catalog(personas.city, 2026, personas.city_legal, count=1, publish=True)


def _template(personas: Any) -> Any:
    catalog = _city_catalog(personas)
    existing = CatalogTemplate.objects.filter(source_catalog=catalog).first()
    return existing or services.template_derive(actor=SYSTEM, catalog=catalog)


def _adopted_by_county_b(personas: Any) -> Any:
    template = _template(personas)
    existing = PowerCatalog.objects.filter(agency=personas.county_b, template=template).first()
    return existing or services.template_adopt(
        actor=SYSTEM,
        template=template,
        agency=personas.county_b,
        lead_unit=personas.county_b_brigade,
    )


def _upload(personas: Any) -> dict[str, int]:
    import io

    import xlsxwriter

    catalog = _county_b_catalog(personas)
    data = io.BytesIO()
    book = xlsxwriter.Workbook(data, {"in_memory": True})
    book.add_worksheet().write_row(0, 0, ["事项名称", "事项类型", "实施依据", "承办机构"])
    book.close()
    data.seek(0)
    attachment = core_services.attachment_store(
        actor=personas.admin,
        upload=data,
        name="清单.xlsx",
        unit=personas.county_b,
        role=AttachmentRole.IMPORT,
    )
    return {"pk": catalog.pk, "upload": attachment.pk}


URL_ARGS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "powers:catalog_detail": lambda p: ({"pk": _county_b_catalog(p).pk}, True),
    "powers:catalog_publish": lambda p: ({"pk": _county_b_catalog(p).pk}, True, PUBLISHERS),
    "powers:catalog_diff": lambda p: ({"pk": _county_b_catalog(p).pk}, True),
    "powers:catalog_export": lambda p: ({"pk": _county_b_catalog(p).pk}, True),
    "powers:catalog_import": lambda p: ({"pk": _county_b_catalog(p).pk}, True, EDITORS),
    "powers:catalog_import_review": lambda p: (_upload(p), True, EDITORS),
    "powers:catalog_import_report": lambda p: (_upload(p), True, EDITORS),
    "powers:catalog_local_changes": lambda p: ({"pk": _adopted_by_county_b(p).pk}, True),
    "powers:template_derive": lambda p: ({"pk": _city_catalog(p).pk}, False),
    "powers:item_create": lambda p: ({"catalog_pk": _county_b_catalog(p).pk}, True, EDITORS),
    "powers:item_detail": lambda p: ({"pk": _county_b_catalog(p).items.get().pk}, True),
    "powers:item_edit": lambda p: ({"pk": _county_b_catalog(p).items.get().pk}, True, EDITORS),
    "powers:item_remove": lambda p: ({"pk": _county_b_catalog(p).items.get().pk}, True, EDITORS),
    "powers:template_detail": lambda p: ({"pk": _template(p).pk}, False),
    "powers:template_adopt": lambda p: ({"pk": _template(p).pk}, False),
}

PUBLIC_URLS: set[str] = set()
