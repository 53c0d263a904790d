"""Browser journeys: the discretion calculator, and a catalog from item to publication."""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest
from playwright.sync_api import expect

from fazhi.core.tests.factories import SYSTEM
from fazhi.discretion.seed import discretion_seed, ensure_laws
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FAZHI_SHOTS", "")
AQ = "《中华人民共和国安全生产法》"


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_officer_calculates_a_fine_and_follows_the_trace(
    browser_page, live_server, personas
) -> None:
    from fazhi.discretion.models import Baseline, DiscretionEntry
    from fazhi.discretion.services import baseline_adopt

    ensure_laws(actor=SYSTEM)
    discretion_seed(actor=SYSTEM, codes={"AQ099-01"})
    national = Baseline.objects.get(document_number="应急〔2024〕90号")
    baseline_adopt(
        actor=SYSTEM,
        agency=personas.county_a,
        baseline=national,
        adopted_on=datetime.date(2024, 11, 1),
    )
    example = DiscretionEntry.objects.exclude(baseline=national).get(code="AQ099-01")
    adopted = DiscretionEntry.objects.get(baseline=national, code="AQ099-01")
    page = browser_page
    login(page, live_server.url, personas.county_a_officer)
    page.goto(f"{live_server.url}/discretion/")
    page.fill("input[name=q]", "警示标志")
    page.click("main form button[type=submit]")
    # The click returns before the results page has loaded: wait for it.
    page.wait_for_url("**/discretion/?q=*")
    expect(page.locator("[data-testid=entry-table] a", has_text="AQ099-01")).to_have_count(2)
    # Another province's table is shown as an example, its tiers unverified.
    page.goto(f"{live_server.url}/discretion/{example.pk}/")
    assert page.locator("[data-testid=unverified]").count() == 3
    _shot(page, "discretion-detail")
    # The calculator works under the baseline the county adopted, and names it.
    page.goto(f"{live_server.url}/discretion/{adopted.pk}/")
    page.click("[data-testid=open-calculator]")
    page.click("[data-testid=calculate]")
    page.locator("[data-testid=decision-class]").wait_for()
    assert "应急〔2024〕90号" in page.locator("[data-testid=trace]").inner_text()
    _shot(page, "calculator")
    page.locator("[data-testid=trace] a").first.click()
    page.wait_for_url("**/laws/**")
    assert "第九十九条" in page.content()


def test_reviewer_edits_a_draft_catalog_and_publishes_it(
    browser_page, live_server, personas
) -> None:
    from fazhi.powers.tests import factories

    ensure_laws(actor=SYSTEM, names=["安全生产法(2021-06-10).md"])
    catalog = factories.catalog(personas.city, 2026, personas.city_legal)
    page = browser_page
    login(page, live_server.url, personas.city_reviewer)
    page.goto(f"{live_server.url}/powers/catalogs/{catalog.pk}/items/new/")
    page.fill("input[name=code]", "CF-001")
    page.fill("input[name=name]", "对生产经营单位未按规定设置安全警示标志的行政处罚")
    page.select_option("select[name=power_type]", "penalty")
    page.select_option("select[name=lead_unit]", str(personas.city_legal.pk))
    page.fill("textarea[name=basis_text]", f"{AQ}第三十五条、第九十九条第（一）项")
    page.fill("textarea[name=responsibilities]", "1.受理责任：受理线索。2.决定责任：依法决定。")
    page.check("input[name=shared_with_counties]")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=basis-articles]")
    assert page.locator("[data-testid=basis-articles] a").count() == 2
    assert page.locator("[data-testid=usages]").inner_text().strip() != ""
    _shot(page, "item-detail")
    page.goto(f"{live_server.url}/powers/catalogs/{catalog.pk}/")
    page.click("[data-testid=publish]")
    expect(page.locator("[data-testid=publish]")).to_have_count(0)
    expect(page.locator("[data-testid=item-table] tbody tr")).to_have_count(1)
    _shot(page, "catalog-detail")
