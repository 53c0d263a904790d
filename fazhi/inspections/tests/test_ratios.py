"""The sampling-ratio matrix as rule data: versions with effective dates, owners, audit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fazhi.core.errors import NotAllowed
from fazhi.core.models import AuditEvent
from fazhi.inspections import ratios
from fazhi.inspections.models import SamplingRatio
from fazhi.inspections.rules import ratio_matrix

DAY = datetime.date(2027, 1, 1)


def test_a_new_version_takes_effect_on_its_date_and_ends_the_previous(personas: Any) -> None:
    before = ratio_matrix(unit=personas.county_a, on=DAY)
    written = ratios.matrix_version_save(
        actor=personas.city_reviewer,
        owner=personas.city,
        effective_from=DAY,
        ratios={"A/low": 12_345, "D/major": 1_000_000},
        source="示范市应急管理局关于抽查比例的通知 第三条",
    )
    assert len(written) == 2
    on_day = ratio_matrix(unit=personas.county_a, on=DAY)
    assert on_day["A/low"] == 12_345
    assert on_day["D/major"] == 1_000_000
    assert on_day["B/high"] == before["B/high"]  # untouched cells keep the national ratio
    assert ratio_matrix(unit=personas.county_a, on=DAY - datetime.timedelta(days=1)) == before
    assert ratio_matrix(unit=personas.city, on=DAY)["A/low"] == 12_345
    events = AuditEvent.objects.filter(verb="inspections.samplingratio.save")
    assert events.count() == 2
    # A later version ends this one the day before it starts.
    later = DAY + datetime.timedelta(days=90)
    ratios.matrix_version_save(
        actor=personas.city_reviewer, owner=personas.city, effective_from=later,
        ratios={"A/low": 20_000}, source="第二版",
    )  # fmt: skip
    first = SamplingRatio.objects.get(owner=personas.city, credit_class="A", effective_from=DAY)
    assert first.effective_to == later - datetime.timedelta(days=1)
    assert ratio_matrix(unit=personas.county_a, on=later)["A/low"] == 20_000


def test_only_the_level_s_legal_section_may_change_it(personas: Any) -> None:
    with pytest.raises(NotAllowed):
        ratios.matrix_version_save(
            actor=personas.county_a_officer, owner=personas.county_a, effective_from=DAY,
            ratios={"A/low": 1}, source="x",
        )  # fmt: skip
    with pytest.raises(NotAllowed):
        ratios.matrix_version_save(
            actor=personas.city_reviewer, owner=None, effective_from=DAY,
            ratios={"A/low": 1}, source="x",
        )  # fmt: skip
    assert not SamplingRatio.objects.filter(owner__isnull=False).exists()


def test_the_page_shows_the_matrix_and_saves_a_version(personas: Any) -> None:
    client = personas.client(personas.city_reviewer)
    page = client.get("/inspections/ratios/").content.decode()
    assert 'id="ratio-matrix"' in page
    assert 'name="cell_A_low"' in page
    response = client.post(
        "/inspections/ratios/",
        {
            "level": str(personas.city.pk),
            "effective_from": DAY.isoformat(),
            "source": "市局通知 第三条",
            "verified": "on",
            "cell_A_low": "2.5",
            "cell_x_x": "",
        },
    )
    assert response.status_code == 302
    assert ratio_matrix(unit=personas.city, on=DAY)["A/low"] == 25_000
    officer = personas.client(personas.county_a_officer).get("/inspections/ratios/")
    assert officer.status_code == 200
    assert 'id="ratio-save"' not in officer.content.decode()  # may look, not change


def test_the_api_reads_and_writes_the_matrix(personas: Any) -> None:
    client = personas.client(personas.city_reviewer)
    body = client.get(f"/api/v1/inspections/ratios?on={DAY.isoformat()}").json()
    assert len(body["cells"]) == 25
    saved = client.post(
        "/api/v1/inspections/ratios",
        {
            "owner_id": personas.city.pk,
            "effective_from": DAY.isoformat(),
            "ratios": {"C/high": 300_000},
            "source": "市局通知",
        },
        content_type="application/json",
    )
    assert saved.status_code == 201, saved.content
    cells = {c["stratum"]: c for c in saved.json()["cells"]}
    assert cells["C/high"]["ratio_ppm"] == 300_000
    assert cells["C/high"]["owner_id"] == personas.city.pk
    refused = personas.client(personas.county_b_officer).post(
        "/api/v1/inspections/ratios",
        {"owner_id": personas.county_b.pk, "effective_from": DAY.isoformat(),
         "ratios": {"A/low": 1}, "source": "x"},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403
    bad = client.post(
        "/api/v1/inspections/ratios",
        {"effective_from": DAY.isoformat(), "ratios": {"E/low": 1}, "source": "x"},
        content_type="application/json",
    )
    assert bad.status_code in (400, 403, 422)
