"""The annual plan as 文书 (DOCX, GB/T 9704, through the kit) and as a workbook (XLSX)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fazhi.core import policy
from fazhi.core.actors import Actor
from fazhi.core.documents import document_render
from fazhi.core.models import Document
from fazhi.core.xlsx import workbook
from fazhi.inspections.capacity import CapacityResult
from fazhi.inspections.models import AnnualPlan

TEMPLATE = "annual_inspection_plan"


def _capacity(plan: AnnualPlan) -> CapacityResult:
    from fazhi.inspections.services import plan_capacity

    return plan_capacity(plan)


def _group_line(i: int, group: Any) -> str:
    where = "，".join(x for x in (group.industry, group.county) if x)
    return (
        f"{i}. {group.name}（{group.get_kind_display()}{('，' + where) if where else ''}）："
        f"{group.entities}家，抽查比例{group.ratio}，每年{group.frequency}次，"
        f"每次{group.days_per_inspection}天、{group.officers_per_team}人。"
    )


@policy.requires("inspections.view_annualplan")
def plan_docx(*, actor: Actor, plan: AnnualPlan) -> Document:
    """Render the plan as a 文书 of the kit (stored by hash, audited)."""
    policy.require(actor, "inspections.view_annualplan", unit=plan.unit)
    result = _capacity(plan)
    groups = [_group_line(i, g) for i, g in enumerate(plan.groups.all(), 1)]
    context = {
        "title": plan.title,
        "agency": plan.unit.agency().name,
        "year": plan.year,
        "capacity_steps": "\n".join(result.steps),
        "groups": "\n".join(groups) or "—",
        "key_demand": result.key_demand,
        "random_demand": result.random_demand,
        "demand": result.demand,
        "supply": result.supply,
        "inspections": result.inspections,
        "yearly_cap": plan.yearly_cap,
        "warnings": "\n".join(result.warnings),
        "notes": plan.notes,
        "issued_on": plan.published_on or timezone.localdate(),
    }
    return document_render(
        actor=actor,
        template_code=TEMPLATE,
        obj=plan,
        unit=plan.unit.agency(),
        context=context,
        title=plan.title,
    )


def plan_xlsx(plan: AnnualPlan) -> bytes:
    """The plan's figures as a workbook: the groups, the arithmetic, the counts."""
    result = _capacity(plan)
    out = io.BytesIO()
    book = workbook(out, in_memory=True)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(str(_("Plan")))
    sheet.write_string(0, 0, plan.title, bold)
    rows = [
        (_("Year"), plan.year),
        (_("Agency"), plan.unit.agency().name),
        (_("State"), plan.get_state_display()),
        (_("Statutory working days"), plan.working_days),
        (_("Officers"), plan.officers),
        (_("Other enforcement days"), plan.other_enforcement_days),
        (_("Non-enforcement days"), plan.non_enforcement_days),
        (_("Person-days available"), result.supply),
        (_("Person-days needed"), result.demand),
        (_("of which key units"), result.key_demand),
        (_("of which random checks"), result.random_demand),
        (_("Inspections planned"), result.inspections),
        (_("Cap per entity per year"), plan.yearly_cap),
    ]
    for r, (label, value) in enumerate(rows, 2):
        sheet.write_string(r, 0, str(label))
        _cell(sheet, r, 1, value)
    groups = book.add_worksheet(str(_("Groups")))
    header = [
        _("Group"), _("Kind"), _("Industry"), _("County"), _("Entities"), _("Ratio"),
        _("Times a year"), _("Days per inspection"), _("Officers per team"),
    ]  # fmt: skip
    for c, text in enumerate(header):
        groups.write_string(0, c, str(text), bold)
    for r, g in enumerate(plan.groups.all(), 1):
        values = [g.name, g.get_kind_display(), g.industry, g.county, g.entities, g.ratio,
                  g.frequency, g.days_per_inspection, g.officers_per_team]  # fmt: skip
        for c, value in enumerate(values):
            _cell(groups, r, c, value)
    steps = book.add_worksheet(str(_("Arithmetic")))
    for r, line in enumerate([*result.steps, *result.warnings]):
        steps.write_string(r, 0, line)
    book.close()
    return out.getvalue()


def _cell(sheet: Any, row: int, col: int, value: Any) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
    elif value is not None and type(value).__name__ == "Decimal":
        sheet.write_number(row, col, float(value))
    else:
        sheet.write_string(row, col, str(value if value is not None else ""))
