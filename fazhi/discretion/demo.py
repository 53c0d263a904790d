"""Demo data: the discretion seed, and the 济宁 bureau's adoption of the national baseline.

The demo bureau (济宁市, 山东) and its counties adopt 《应急管理行政处罚裁量权基准》
(应急〔2024〕90号) only. No 山东 provincial refinement was found (see
shared/research/mem-discretion-facts.md §3.2), so none is seeded; the other
provinces' tables stay labelled examples that cannot be adopted.
"""

from __future__ import annotations

from django.db import transaction

from fazhi.core.demo_context import DemoContext
from fazhi.discretion import services
from fazhi.discretion.models import Baseline, BaselineAdoption
from fazhi.discretion.seed import NATIONAL, discretion_seed


@transaction.atomic
def load(ctx: DemoContext) -> list[str]:
    """Load the seed and the adoptions (idempotent); return summary lines."""
    lines = discretion_seed(actor=ctx.admin)
    national = Baseline.objects.get(document_number=NATIONAL)
    adopted = 0
    for agency in [ctx.city, *ctx.counties]:
        if not BaselineAdoption.objects.filter(agency=agency, baseline=national).exists():
            services.baseline_adopt(
                actor=ctx.admin,
                agency=agency,
                baseline=national,
                adopted_on=national.effective_from,
                notes="演示数据：采用全国基准。",
            )
            adopted += 1
    lines.append(f"{adopted} agencies adopted {national.citation}")
    return lines
