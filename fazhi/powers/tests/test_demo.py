"""The demo: city catalogs 2025/2026 with a 5-item diff, four adopting counties."""

from __future__ import annotations

import pytest

from fazhi.core import demo as core_demo
from fazhi.powers import demo
from fazhi.powers.models import CatalogTemplate, PowerCatalog, PowerItem
from fazhi.powers.selectors import catalog_diff, catalog_local_changes


@pytest.mark.django_db
def test_demo_builds_catalogs_and_is_idempotent(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    ctx, _logins = core_demo.load(2026)
    demo.load(ctx)
    city_2025 = PowerCatalog.objects.get(agency=ctx.city, year=2025)
    city_2026 = PowerCatalog.objects.get(agency=ctx.city, year=2026)
    assert 38 <= city_2025.items.count() <= 45
    diff = catalog_diff(old=city_2025, new=city_2026)
    assert (len(diff.added), len(diff.removed), len(diff.changed)) == (2, 1, 2)
    assert all(change.reason for change in diff.changes)
    assert not PowerItem.objects.filter(basis_articles__isnull=True).exists()
    template = CatalogTemplate.objects.get(source_catalog=city_2026)
    counties = PowerCatalog.objects.filter(template=template, status="published")
    assert counties.count() == 4
    totals = []
    for county in counties:
        changes = catalog_local_changes(catalog=county)
        assert changes is not None
        totals.append(changes.total)
    totals.sort()
    assert totals == [0, 0, 1, 2]

    counts = (
        PowerCatalog.objects.count(),
        PowerItem.objects.count(),
    )
    demo.load(ctx)
    assert counts == (
        PowerCatalog.objects.count(),
        PowerItem.objects.count(),
    )
