"""Builders for registry tests, through the services (so audit rows exist)."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter

from fazhi.core.codes import ric_check_char
from fazhi.core.models import OrgUnit
from fazhi.core.tests.factories import SYSTEM, make_uscc
from fazhi.registry import services
from fazhi.registry.imports.entities import COLUMNS as ENTITY_COLUMNS
from fazhi.registry.imports.officers import COLUMNS as OFFICER_COLUMNS
from fazhi.registry.models import EnforcementCertificate, Entity, ExternalAgency, Officer

_seq = itertools.count(1)
ENTITY_HEADERS = [c.header for c in ENTITY_COLUMNS]
OFFICER_HEADERS = [c.header for c in OFFICER_COLUMNS]


def make_ric(region: str = "370811", birth: str = "19850307", seq: int | None = None) -> str:
    """Return a valid citizen ID number."""
    number = seq if seq is not None else next(_seq) % 1000
    first17 = f"{region}{birth}{number:03d}"
    return first17 + ric_check_char(first17)


def entity(agency: OrgUnit, *, actor: Any = SYSTEM, **fields: Any) -> Entity:
    n = next(_seq)
    region = fields.pop("region_code", agency.region_code or "370811")
    values: dict[str, Any] = {
        "uscc": make_uscc(region),
        "name": f"济宁市测试化工有限公司{n}",
        "kind": "enterprise",
        "region_code": region,
        "address": f"任城区测试路{n}号",
        "supervising_agency": agency,
    }
    values.update(fields)
    return services.entity_create(actor=actor, **values)


def officer(
    unit: OrgUnit | None = None,
    *,
    actor: Any = SYSTEM,
    certified: bool = True,
    valid_from: datetime.date = datetime.date(2024, 1, 1),
    valid_to: datetime.date = datetime.date(2029, 12, 31),
    **fields: Any,
) -> Officer:
    n = next(_seq)
    values: dict[str, Any] = {"full_name": f"测试员{n}", "citizen_id": make_ric(seq=n % 1000)}
    if "external_agency" not in fields:
        values["unit"] = unit
    values.update(fields)
    created = services.officer_create(actor=actor, **values)
    if certified:
        certificate(created, valid_from=valid_from, valid_to=valid_to)
    return created


def certificate(
    officer: Officer,
    *,
    valid_from: datetime.date,
    valid_to: datetime.date,
    number: str | None = None,
) -> EnforcementCertificate:
    return services.certificate_issue(
        actor=SYSTEM,
        officer=officer,
        number=number or f"37080020{next(_seq):06d}",
        issuer="山东省人民政府",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def external_agency(unit: OrgUnit, name: str = "示范市市场监督管理局") -> ExternalAgency:
    return services.external_agency_create(
        actor=SYSTEM, name=name, kind="market_regulation", region_code="370800", unit=unit
    )


def entity_row(n: int, region: str = "370811", **overrides: Any) -> dict[str, Any]:
    """A valid import row as {header: value}."""
    row = {
        "统一社会信用代码": make_uscc(region, body=f"MA{n:07d}"),
        "单位名称": f"济宁市导入测试有限公司{n}",
        "主体类型": "企业",
        "法定代表人": "张三",
        "行政区划代码": region,
        "地址": f"任城区导入路{n}号",
        "行业门类": "C",
        "行业大类": "26",
        "企业规模": "小型",
        "监管类别": "危险化学品经营、粉尘涉爆",
        "重点监管": "否",
        "安全生产标准化等级": "三级",
        "风险等级": "一般风险",
        "信用等级": "A",
        "登记状态": "存续",
        "联系电话": "0537-1234567",
        "监管机构": "",
    }
    row.update(overrides)
    return row


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[dict[str, Any]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, header in enumerate(headers):
            value = row.get(header, "")
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    workbook.close()
    return path


def write_csv(
    path: Path, headers: Sequence[str], rows: Sequence[dict[str, Any]], encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
