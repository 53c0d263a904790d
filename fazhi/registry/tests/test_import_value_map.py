"""The import's value-mapping step: a bureau's own words, asked once, remembered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from fazhi.core.errors import NotAllowed
from fazhi.core.models import AuditEvent
from fazhi.registry.choices import ImportStatus
from fazhi.registry.imports import mapping, runner
from fazhi.registry.imports.jobs import import_job_create
from fazhi.registry.models import Entity, ImportJob, RegulatoryCategory
from fazhi.registry.tests import factories as f
from fazhi.registry.value_maps import ImportValueMap

pytestmark = pytest.mark.django_db

# A county's own spreadsheet: its words for the categories and the entity
# types, in the proportions a real list has (most rows are clean).
BUREAU_WORDS = [
    {"监管类别": "有限空间"},
    {"监管类别": "烟花爆竹经营"},
    {"监管类别": "粉尘涉爆、有限空间"},
    {"主体类型": "有限责任公司"},
    {"监管类别": "有限空间", "主体类型": "有限责任公司"},
]


def bureau_file(path: Path, offset: int = 0, region: str = "370811") -> Path:
    rows = []
    for n in range(1, 21):
        extra = BUREAU_WORDS[n % len(BUREAU_WORDS)] if n % 2 else {}
        rows.append(f.entity_row(offset + n, region, **extra))
    return f.write_xlsx(path, f.ENTITY_HEADERS, rows)


def check(actor: Any, unit: Any, path: Path) -> ImportJob:
    job = import_job_create(
        actor=actor, kind="entity", unit=unit, filename=path.name, path=str(path), run=False
    )
    return runner.job_validate(job.pk)


def code_of(name: str) -> str:
    return RegulatoryCategory.objects.get(name=name).code


def test_vocabulary_alone_loses_rows_and_each_unknown_word_is_listed_once(personas, tmp_path):
    job = check(personas.county_a_officer, personas.county_a, bureau_file(tmp_path / "a.xlsx"))
    assert job.status == ImportStatus.VALIDATED
    assert (job.total_rows, job.error_rows) == (20, 10)
    found = {(u.column, u.value): u.rows for u in mapping.unknown_values(job)}
    # 有限空间 stands alone on 4 rows and beside 粉尘涉爆 on 2: counted by row.
    assert found == {
        ("categories", "有限空间"): 6,
        ("categories", "烟花爆竹经营"): 2,
        ("kind", "有限责任公司"): 4,
    }


def test_mapping_rechecks_the_file_and_the_agency_s_next_file_needs_no_mapping(personas, tmp_path):
    actor = personas.county_a_officer
    job = check(actor, personas.county_a, bureau_file(tmp_path / "a.xlsx"))
    decisions = [
        ("categories", "有限空间", code_of("有限空间作业")),
        ("categories", "烟花爆竹经营", code_of("烟花爆竹")),
        ("kind", "有限责任公司", "enterprise"),
    ]
    again = mapping.import_values_map(actor=actor, job=job, decisions=decisions, run=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED
    assert again.pk != job.pk
    assert again.source_sha256 == job.source_sha256
    again = runner.job_validate(again.pk)
    assert (again.valid_rows, again.error_rows) == (20, 0)
    event = AuditEvent.objects.get(verb="registry.importjob.values_map")
    assert {m["value"] for m in (event.after or {})["mappings"]} == {
        "有限空间",
        "烟花爆竹经营",
        "有限责任公司",
    }
    assert ImportValueMap.objects.filter(agency=personas.county_a).count() == 3

    following = check(actor, personas.county_a, bureau_file(tmp_path / "b.xlsx", offset=100))
    assert (following.valid_rows, following.error_rows) == (20, 0)
    assert mapping.unknown_values(following) == []
    # The mapping is the agency's: another county still has to decide.
    other = check(
        personas.county_b_officer,
        personas.county_b,
        bureau_file(tmp_path / "c.xlsx", offset=200, region="370826"),
    )
    assert other.error_rows == 10
    assert Entity.objects.count() == 0


def test_a_refused_word_keeps_its_rows_out_and_is_not_asked_again(personas, tmp_path):
    actor = personas.county_a_officer
    job = check(actor, personas.county_a, bureau_file(tmp_path / "a.xlsx"))
    same = mapping.import_values_map(
        actor=actor, job=job, decisions=[("categories", "烟花爆竹经营", "")], run=False
    )
    assert same.pk == job.pk
    assert same.status == ImportStatus.VALIDATED
    assert ("categories", "烟花爆竹经营") not in {
        (u.column, u.value) for u in mapping.unknown_values(job)
    }
    following = check(actor, personas.county_a, bureau_file(tmp_path / "b.xlsx", offset=100))
    assert following.error_rows == 10


def test_mapping_refuses_unknown_targets_other_columns_and_users_without_import_rights(
    personas, tmp_path
):
    job = check(personas.county_a_officer, personas.county_a, bureau_file(tmp_path / "a.xlsx"))
    with pytest.raises(ValidationError):
        mapping.import_values_map(
            actor=personas.county_a_officer,
            job=job,
            decisions=[("categories", "有限空间", "no-such-category")],
        )
    with pytest.raises(ValidationError):
        mapping.import_values_map(
            actor=personas.county_a_officer, job=job, decisions=[("name", "x", "y")]
        )
    with pytest.raises(NotAllowed):
        mapping.import_values_map(
            actor=personas.leader,
            job=job,
            decisions=[("categories", "有限空间", code_of("有限空间作业"))],
        )
    with pytest.raises(NotAllowed):
        mapping.import_values_map(
            actor=personas.county_b_officer,
            job=job,
            decisions=[("categories", "有限空间", code_of("有限空间作业"))],
        )
    assert not ImportValueMap.objects.exists()


def test_the_import_page_asks_each_word_once_and_the_form_rechecks(personas, tmp_path):
    actor = personas.county_a_officer
    job = check(actor, personas.county_a, bureau_file(tmp_path / "a.xlsx"))
    client = personas.client(actor)
    page = client.get(f"/registry/imports/{job.pk}/").content.decode()
    assert page.count('data-testid="unknown-value"') == 3
    assert "有限空间作业" in page  # offered as a registry value
    # The leader may see the import but not map its values.
    leader_page = personas.client(personas.leader).get(f"/registry/imports/{job.pk}/")
    assert 'data-testid="unknown-value"' not in leader_page.content.decode()
    response = client.post(
        f"/registry/imports/{job.pk}/values/",
        {
            "count": "3",
            "column-0": "categories",
            "value-0": "有限空间",
            "target-0": code_of("有限空间作业"),
            "column-1": "categories",
            "value-1": "烟花爆竹经营",
            "target-1": "-",
            "column-2": "kind",
            "value-2": "有限责任公司",
            "target-2": "",
        },
    )
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{again.pk}/")
    assert dict(ImportValueMap.objects.values_list("value", "target")) == {
        "有限空间": code_of("有限空间作业"),
        "有限责任公司": "",
    }


def test_the_api_lists_unknown_words_and_maps_them(personas, tmp_path):
    actor = personas.county_a_officer
    job = check(actor, personas.county_a, bureau_file(tmp_path / "a.xlsx"))
    client = personas.client(actor)
    listed = client.get(f"/api/v1/imports/{job.pk}/unknown-values").json()
    assert [(u["column"], u["value"], u["rows"]) for u in listed] == [
        ("categories", "有限空间", 6),
        ("kind", "有限责任公司", 4),
        ("categories", "烟花爆竹经营", 2),
    ]
    assert ["enterprise", "企业"] in listed[1]["choices"]
    response = client.post(
        f"/api/v1/imports/{job.pk}/value-map",
        {"decisions": [{"column": "kind", "value": "有限责任公司", "target": "enterprise"}]},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert response.json()["id"] != job.pk
    refused = client.post(
        f"/api/v1/imports/{job.pk}/value-map",
        {"decisions": [{"column": "kind", "value": "x", "target": "enterprise"}]},
        content_type="application/json",
    )
    assert refused.status_code == 409  # the old job was discarded
