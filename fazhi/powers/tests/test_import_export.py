"""Excel import (check every row first) and export in the published layout."""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fazhi.core.errors import DomainError
from fazhi.core.tests.factories import SYSTEM, user
from fazhi.powers import services
from fazhi.powers.excel import (
    COLUMNS,
    cell_text,
    parse_responsibilities,
    read_sheet,
    write_catalog,
)
from fazhi.powers.importing import catalog_import_check
from fazhi.powers.models import PowerItem
from fazhi.powers.tests import factories as f

pytestmark = pytest.mark.usefixtures("laws")

HEAD = [
    "序号",
    "事项编码",
    "事项名称",
    "上级事项编码",
    "事项类型",
    "实施依据",
    "承办机构",
    "责任事项",
    "市县同权",
]
AQ = "《中华人民共和国安全生产法》"


def workbook(
    rows: list[list[Any]], head: list[str] | None = None, title: str | None = "权责清单"
) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    start = 0
    if title:
        sheet.write(0, 0, title)
        start = 1
    for col, text in enumerate(head or HEAD):
        sheet.write(start, col, text)
    for offset, row in enumerate(rows, start=start + 1):
        for col, value in enumerate(row):
            sheet.write(offset, col, value)
    book.close()
    return output.getvalue()


GOOD = [
    1,
    "CF-001",
    "对未设置安全警示标志的行政处罚",
    "",
    "行政处罚",
    f"{AQ}第九十九条 生产经营单位有下列行为之一的……",
    "政策法规科",
    "1.受理责任：受理线索。2.审查责任：调查取证。3.决定责任：作出决定。",
    "是",
]
BAD_ROWS = [
    GOOD,
    [
        2,
        "CF-002",
        "引用未收录的规章",
        "",
        "行政处罚",
        "《安全生产违法行为行政处罚办法》第四十五条",
        "政策法规科",
        "",
        "是",
    ],
    [3, "CF-003", "缺少依据", "", "行政处罚", "", "政策法规科", "", "否"],
    [4, "CF-001", "编码重复", "", "行政处罚", f"{AQ}第一百零二条", "政策法规科", "", "否"],
    [5, "CF-005", "类型错误", "", "行政审批", f"{AQ}第一百零二条", "政策法规科", "", "否"],
    [6, "CF-006", "承办机构不存在", "", "行政检查", f"{AQ}第六十五条", "信息科", "", "否"],
    [
        7,
        "CF-007",
        "两个承办机构",
        "",
        "行政检查",
        f"{AQ}第六十五条",
        "政策法规科、应急管理综合行政执法支队",
        "",
        "否",
    ],
    [8, "CF-008", "条文不存在", "", "行政处罚", f"{AQ}第三百条", "政策法规科", "", "否"],
    [
        9,
        "CF-009",
        "子项",
        "CF-003",
        "行政处罚",
        f"{AQ}第九十九条第（二）项",
        "政策法规科",
        "",
        "是",
    ],
    [
        10,
        "CF-010",
        "合格的第二行",
        "",
        "行政检查",
        f"{AQ}第六十五条、《危险化学品安全管理条例》第七条",
        "应急管理综合行政执法支队",
        "",
        "否",
    ],
]


def test_every_bad_row_is_reported_with_row_column_and_reason(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    report = catalog_import_check(catalog=catalog, data=workbook(BAD_ROWS))
    by_row = {row.row: row for row in report.rows}
    assert [r.row for r in report.valid_rows] == [3, 12]  # Excel rows of GOOD and CF-010
    first = lambda n: by_row[n].errors[0]  # noqa: E731
    assert (first(4).column, first(4).heading) == ("F", "实施依据")
    assert "Unknown law citation" in first(4).reason
    assert "安全生产违法行为行政处罚办法" in first(4).reason
    assert (first(5).column, "legal basis is missing" in first(5).reason) == ("F", True)
    assert (first(6).column, first(6).value) == ("B", "CF-001")
    assert "Duplicate item code CF-001 (also in row 3)" in first(6).reason
    assert (first(7).column, first(7).value) == ("E", "行政审批")
    assert "Unknown power type" in first(7).reason
    assert (first(8).column, "Unknown unit" in first(8).reason) == ("G", True)
    assert "exactly one lead unit" in first(9).reason
    assert "has no 第三百条" in first(10).reason
    assert "parent item (row 5) has problems" in first(11).reason
    assert report.invalid_count == 8
    assert not report.ok


def test_nothing_is_written_unless_only_valid_rows_are_asked_for(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    report = catalog_import_check(catalog=catalog, data=workbook(BAD_ROWS))
    with pytest.raises(DomainError):
        services.catalog_import(actor=SYSTEM, catalog=catalog, report=report)
    assert not catalog.items.exists()
    created = services.catalog_import(
        actor=SYSTEM, catalog=catalog, report=report, valid_only=True
    )
    assert sorted(i.code for i in created) == ["CF-001", "CF-010"]
    item = catalog.items.get(code="CF-010")
    assert sorted(
        (a.law.short_title or a.law.title, a.number) for a in item.basis_articles.all()
    ) == [
        ("危险化学品安全管理条例", 7),
        ("安全生产法", 65),
    ]
    duties = catalog.items.get(code="CF-001").responsibilities
    assert [d["stage"] for d in duties] == ["acceptance", "review", "decision"]


def test_a_clean_file_imports_every_row_with_sub_items(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    rows = [
        GOOD,
        [
            2,
            "CF-001-01",
            "子项一",
            "CF-001",
            "行政处罚",
            f"{AQ}第九十九条第（一）项",
            "政策法规科",
            "",
            "是",
        ],
    ]
    report = catalog_import_check(catalog=catalog, data=workbook(rows))
    assert report.ok
    services.catalog_import(actor=SYSTEM, catalog=catalog, report=report)
    child = catalog.items.select_related("parent").get(code="CF-001-01")
    assert child.parent is not None
    assert child.parent.code == "CF-001"


def test_file_level_problems(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    not_excel = catalog_import_check(catalog=catalog, data=b"PK\x03\x04 not really")
    assert not_excel.file_errors
    assert not not_excel.rows
    missing = catalog_import_check(
        catalog=catalog, data=workbook([GOOD[:3]], head=["序号", "事项编码", "事项名称"])
    )
    assert {e.heading for e in missing.file_errors} == {"事项类型", "实施依据", "承办机构"}
    empty = catalog_import_check(catalog=catalog, data=workbook([]))
    assert empty.file_errors
    assert "no data rows" in empty.file_errors[0].reason


def test_codes_already_in_the_catalog_are_refused(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    f.item(catalog, personas.city_legal, code="CF-001")
    report = catalog_import_check(catalog=catalog, data=workbook([GOOD]))
    assert "already has an item with the code CF-001" in report.rows[0].errors[0].reason


def test_export_round_trips_through_import_with_two_heading_rows(personas) -> None:
    source = f.catalog(personas.city, 2025, personas.city_legal)
    parent = f.item(
        source,
        personas.city_legal,
        code="CF-1",
        exercise_levels=["city", "county"],
        first_responsible_level="county",
        responsibilities=[
            {"stage": "acceptance", "text": "受理"},
            {"stage": "decision", "text": "决定"},
        ],
        legal_subject="县级以上人民政府应急管理部门",
        remarks="备注",
        shared_with_counties=True,
    )
    f.item(
        source, personas.city_detachment, code="CF-1-1", parent=parent, shared_with_counties=False
    )
    data = write_catalog(
        str(source), source.items.select_related("lead_unit", "parent").order_by("code")
    )
    sheet = read_sheet(data)
    assert sheet.heading_row == 2
    assert len(sheet.rows) == 2
    assert sheet.letter("legal_subject") == "G"
    assert sheet.letter("exercise_levels") == "H"
    target = f.catalog(personas.city, 2026, personas.city_legal)
    report = catalog_import_check(catalog=target, data=data)
    assert report.ok, report.errors
    services.catalog_import(actor=SYSTEM, catalog=target, report=report)
    copy = target.items.get(code="CF-1")
    assert (copy.exercise_levels, copy.first_responsible_level, copy.remarks) == (
        ["city", "county"],
        "county",
        "备注",
    )
    assert copy.responsibilities == parent.responsibilities
    assert target.items.get(code="CF-1-1").lead_unit == personas.city_detachment
    assert not target.items.get(code="CF-1-1").shared_with_counties


def test_published_layout_without_codes_gets_stable_derived_codes(personas) -> None:
    head = ["序号", "事项名称", "权力类型", "实施依据", "责任科室", "备注"]
    rows = [[1, "安全生产行政检查", "行政检查", f"{AQ}第六十五条", "应急管理综合行政执法支队", ""]]
    first = catalog_import_check(
        catalog=f.catalog(personas.city, 2025, personas.city_legal), data=workbook(rows, head=head)
    )
    second = catalog_import_check(
        catalog=f.catalog(personas.city, 2026, personas.city_legal),
        data=workbook(rows, head=head, title=None),
    )
    assert first.ok
    assert second.ok
    assert first.rows[0].code == second.rows[0].code
    assert first.rows[0].code.startswith("JC-")
    assert first.rows[0].row == 3
    assert second.rows[0].row == 2


def test_responsibilities_text_is_split_by_stage() -> None:
    duties = parse_responsibilities(
        "1.受理责任：公示条件。\n2.审查责任：审查材料；3.决定责任：作出决定。4.事后监管责任：检查。"
    )
    assert [d["stage"] for d in duties] == ["acceptance", "review", "decision", "supervision"]
    assert duties[1]["text"] == "审查材料"
    assert parse_responsibilities("依法履行职责") == [{"stage": "other", "text": "依法履行职责"}]


def test_import_pages_check_then_import_and_offer_the_problem_report(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    client = personas.client(personas.city_reviewer)
    upload = SimpleUploadedFile("清单.xlsx", workbook(BAD_ROWS))
    response = client.post(reverse("powers:catalog_import", args=[catalog.pk]), {"file": upload})
    assert response.status_code == 302
    review = response["Location"]
    page = client.get(review)
    assert page.status_code == 200
    assert b'data-testid="import-errors"' in page.content
    assert b"Unknown law citation" in page.content
    report_url = reverse(
        "powers:catalog_import_report", args=[catalog.pk, int(review.rstrip("/").split("/")[-1])]
    )
    sheet = (
        CalamineWorkbook.from_filelike(io.BytesIO(client.get(report_url).content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert sheet[0][:2] == ["Row", "Column"]
    assert [cell_text(r[0]) for r in sheet[1:9]] == ["4", "5", "6", "7", "8", "9", "10", "11"]
    assert not catalog.items.exists()
    client.post(review)  # without "valid_only" the bad rows block everything
    assert not catalog.items.exists()
    done = client.post(review, {"valid_only": "1"})
    assert done.status_code == 302
    assert set(catalog.items.values_list("code", flat=True)) == {"CF-001", "CF-010"}
    assert PowerItem.objects.count() == 2


def test_import_needs_edit_rights_in_scope(personas) -> None:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    officer = personas.client(personas.city_officer)
    assert officer.get(reverse("powers:catalog_import", args=[catalog.pk])).status_code == 403
    # The role is checked before the object: county A's officer may not edit at all (403);
    # county A's legal reviewer may edit, but not county B's catalog (404).
    county = personas.client(personas.county_a_officer)
    assert county.get(reverse("powers:catalog_import", args=[catalog.pk])).status_code == 403
    county_b = f.catalog(personas.county_b, 2026, personas.county_b_brigade)
    reviewer = personas.client(user("a_reviewer", personas.county_a, "legal_reviewer"))
    assert reviewer.get(reverse("powers:catalog_import", args=[county_b.pk])).status_code == 404
    own = f.catalog(personas.county_a, 2026, personas.county_a_brigade)
    assert reviewer.get(reverse("powers:catalog_import", args=[own.pk])).status_code == 200


def test_export_has_the_documented_headings(personas) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal, count=2)
    response = personas.client(personas.city_officer).get(
        reverse("powers:catalog_export", args=[catalog.pk])
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        .get_sheet_by_index(0)
        .to_python(skip_empty_area=False)
    )
    top, sub = rows[1], rows[2]
    assert top[:3] == ["序号", "事项编码", "事项名称"]
    assert top[6] == "实施主体"
    assert sub[6:9] == ["法定实施主体", "行使层级", "第一责任层级"]
    assert len(top) == len(COLUMNS)
    assert len(rows) == 5
