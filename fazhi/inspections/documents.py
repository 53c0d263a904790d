"""The 文书 of an inspection: 现场检查记录 and 责令限期整改指令书 (kit templates)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fazhi.core.actors import Actor
from fazhi.core.documents import document_render
from fazhi.core.models import Document
from fazhi.inspections.models import Inspection

RECORD = "inspection_record"
ORDER = "rectification_order"


def _officers(inspection: Inspection) -> str:
    on = inspection.ended_on or inspection.planned_on
    parts = []
    for officer in inspection.officers.all().prefetch_related("certificates"):
        numbers = [c.number for c in officer.certificates.all() if c.valid_on(on)]
        parts.append(f"{officer.full_name}（{numbers[0] if numbers else '—'}）")
    return "、".join(parts)


def _findings(inspection: Inspection) -> str:
    lines = []
    for i, finding in enumerate(inspection.findings.all(), 1):
        lines.append(
            f"{i}. {finding.description}（{finding.get_severity_display()}；"
            f"违反{finding.provision}）"
        )
    return "\n".join(lines) or "未发现问题和隐患。"


def _base(inspection: Inspection) -> dict[str, Any]:
    entity = inspection.entity
    agency = inspection.unit.agency()
    return {
        "agency": agency.name,
        "entity": entity.name,
        "uscc": entity.uscc,
        "address": entity.address,
        "legal_representative": entity.legal_representative or "—",
        "findings": _findings(inspection),
    }


def record_render(*, actor: Actor, inspection: Inspection) -> Document:
    """现场检查记录, numbered, when the inspection ends."""
    checklist = "\n".join(
        f"{c.item.code} {c.item.name}：{c.get_result_display()}{('，' + c.note) if c.note else ''}"
        for c in inspection.checks.select_related("item")
    )
    context = _base(inspection) | {
        "representative": inspection.representative or "—",
        "site": inspection.site or inspection.entity.address,
        "ended_on": inspection.ended_on or timezone.localdate(),
        "officers": _officers(inspection),
        "source": inspection.get_source_display(),
        "checklist": checklist or "—",
        "summary": inspection.summary or "",
    }
    return document_render(
        actor=actor,
        template_code=RECORD,
        obj=inspection,
        unit=inspection.unit.agency(),
        context=context,
        number_kind=RECORD,
        on=inspection.ended_on,
    )


def order_render(*, actor: Actor, inspection: Inspection) -> Document:
    """责令限期整改指令书 with its deadline."""
    agency = inspection.unit.agency()
    # 行政复议法（2023）第二十四条: a department's act goes to 本级人民政府.
    government = agency.name.removesuffix("应急管理局").removesuffix("应急局") + "人民政府"
    context = _base(inspection) | {
        "rectify_by": inspection.rectify_by,
        "issued_on": timezone.localdate(),
        "reconsideration_body": government,
    }
    return document_render(
        actor=actor,
        template_code=ORDER,
        obj=inspection,
        unit=agency,
        context=context,
        number_kind=ORDER,
    )
