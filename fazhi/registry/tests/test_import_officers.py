"""Importing the officer list through the same pipeline."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fazhi.core.tests import factories as core_factories
from fazhi.registry.choices import ImportStatus
from fazhi.registry.imports import jobs, runner
from fazhi.registry.models import EnforcementCertificate, Officer
from fazhi.registry.tests import factories as f
from fazhi.registry.tests.test_import_entities import report_rows

pytestmark = pytest.mark.django_db


def row(n: int, **overrides: Any) -> dict[str, Any]:
    values = {
        "姓名": f"导入员{n}",
        "公民身份号码": f.make_ric(seq=500 + n),
        "所属单位": "任城区执法大队",
        "外部门": "",
        "职务": "执法队员",
        "联系电话": "13900000000",
        "执法领域": "危险化学品、非煤矿山",
        "法律职业资格": "否",
        "法律职业资格证书编号": "",
        "执法证号": f"3708115{n:05d}",
        "发证机关": "山东省人民政府",
        "有效期起": "2024-01-01",
        "有效期止": "2028年12月31日",
    }
    values.update(overrides)
    return values


def run(personas: Any, path: Any, **kwargs: Any) -> Any:
    # A county's legal section may import officers (the import's permissions), in its county.
    county = kwargs.pop("as_county", False)
    job = jobs.import_job_create(
        actor=core_factories.user("a_reviewer", personas.county_a, "legal_reviewer")
        if county
        else personas.city_reviewer,
        kind="officer",
        unit=personas.county_a,
        filename=path.name,
        path=str(path),
        run=False,
        **kwargs,
    )
    job = runner.job_validate(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_bad_officer_rows_are_reported_and_valid_ones_imported(personas, tmp_path, fmt):
    rows = [
        row(1),
        row(2, **{"公民身份号码": "370811198503070001"}),
        row(3, **{"公民身份号码": row(1)["公民身份号码"]}),
        row(4, **{"有效期止": ""}),
        row(5, **{"所属单位": "不存在的队"}),
        row(6, **{"执法领域": "天文"}),
        row(7, **{"所属单位": "", "外部门": "示范市市场监督管理局"}),
    ]
    f.external_agency(personas.city)
    path = tmp_path / f"officers.{fmt}"
    (f.write_xlsx if fmt == "xlsx" else f.write_csv)(path, f.OFFICER_HEADERS, rows)
    job = run(personas, path, valid_only=True)
    assert job.status == ImportStatus.DONE
    found = {(r, c) for r, c, _v, _reason in report_rows(job)}
    assert found == {
        (3, "公民身份号码"),
        (4, "公民身份号码"),
        (5, "有效期止"),
        (6, "所属单位"),
        (7, "执法领域"),
    }
    assert job.created_count == 2
    imported = Officer.objects.get(full_name="导入员1")
    assert imported.unit == personas.county_a_brigade
    assert imported.domain_list == [
        "hazardous_chemicals",
        "mining",
    ]
    cert = imported.certificates.get()
    assert (cert.valid_from, cert.valid_to) == (
        datetime.date(2024, 1, 1),
        datetime.date(2028, 12, 31),
    )
    external = Officer.objects.get(full_name="导入员7")
    assert external.is_external
    assert str(external.external_agency) == "示范市市场监督管理局"


def test_reimporting_officers_changes_nothing_and_a_change_updates(personas, tmp_path):
    path = f.write_csv(tmp_path / "o.csv", f.OFFICER_HEADERS, [row(1), row(2)])
    run(personas, path, valid_only=True)
    again = run(personas, path, valid_only=True)
    assert (again.unchanged_rows, again.created_count, again.updated_count) == (2, 0, 0)
    assert EnforcementCertificate.objects.count() == 2
    changed = f.write_csv(
        tmp_path / "o2.csv",
        f.OFFICER_HEADERS,
        [row(1, **{"职务": "大队长", "有效期止": "2029-06-30"}), row(2)],
    )
    job = run(personas, changed, valid_only=True)
    assert (job.changed_rows, job.updated_count) == (1, 1)
    officer = Officer.objects.get(full_name="导入员1")
    assert officer.position == "大队长"
    assert officer.certificates.get().valid_to == datetime.date(2029, 6, 30)


def test_officer_import_by_a_county_stays_in_its_scope(personas, tmp_path):
    theirs = f.officer(personas.county_b_brigade)
    rows = [
        row(1, **{"所属单位": "微山县执法大队"}),
        row(2, **{"公民身份号码": theirs.citizen_id}),
    ]
    job = run(personas, f.write_csv(tmp_path / "o.csv", f.OFFICER_HEADERS, rows), as_county=True)
    assert job.valid_rows == 0
    assert [(r, c) for r, c, _v, _reason in report_rows(job)] == [
        (2, "所属单位"),
        (3, "公民身份号码"),
    ]
    reason = report_rows(job)[1][3]
    assert reason == "Already registered by another unit; ask the city to transfer it."
