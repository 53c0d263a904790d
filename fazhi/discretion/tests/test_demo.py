"""The demo bureau applies the national baseline only (issue 12)."""

from __future__ import annotations

import datetime

import pytest

from fazhi.core import demo as core_demo
from fazhi.discretion import demo
from fazhi.discretion.engine import Facts
from fazhi.discretion.models import BaselineAdoption
from fazhi.discretion.selectors import adopted_baselines
from fazhi.discretion.services import discretion_calculate


@pytest.mark.django_db
def test_demo_bureau_cites_only_the_national_baseline(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    ctx, _logins = core_demo.load(2026)
    demo.load(ctx)
    demo.load(ctx)
    assert "济宁" in ctx.city.name
    on = datetime.date(2026, 6, 1)
    adopted = adopted_baselines(agency=ctx.city, on=on)
    assert [b.document_number for b in adopted] == ["应急〔2024〕90号"]
    assert BaselineAdoption.objects.filter(baseline__is_example=True).count() == 0
    result = discretion_calculate(
        actor=ctx.admin, agency=ctx.counties[0], entry_code="AQ099-01", facts=Facts(), on=on
    )
    for step in result.trace:
        assert step.document == "《应急管理行政处罚裁量权基准》（应急〔2024〕90号）"
        assert "晋应急发" not in step.article + step.detail
        assert "川应急规" not in step.article + step.detail
        assert "江门" not in step.article + step.detail
