"""Demo inspections: a plan, a check-item list, a drawn task, inspections in every state.

Idempotent: nothing is added when the city's plan for this year exists.
Everything goes through the services, so the audit chain holds it all.
"""

from __future__ import annotations

import datetime
import io
import struct
import zlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fazhi.core.demo_context import DemoContext
from fazhi.inspections import services
from fazhi.inspections.choices import CheckResult, InspectionSource
from fazhi.inspections.models import AnnualPlan, CheckItem, Inspection
from fazhi.laws.models import Article
from fazhi.registry.models import Entity, Officer

# The demo's system administrator acts: evidence and 文书 are files, which
# are stored with the user who uploaded them.
ACTOR: Any = None

ITEMS = [
    (
        "AQ-01",
        "安全生产责任制和安全管理制度落实情况",
        "key",
        "《安全生产法》第二十一条",
        21,
        "on_site",
    ),
    ("AQ-02", "安全生产教育和培训情况", "general", "《安全生产法》第二十八条", 28, "documents"),
    ("AQ-03", "重大危险源登记建档和监控情况", "key", "《安全生产法》第四十条", 40, "on_site"),
    ("AQ-04", "生产安全事故隐患排查治理情况", "key", "《安全生产法》第四十一条", 41, "on_site"),
    ("AQ-05", "劳动防护用品配备和使用情况", "general", "《安全生产法》第四十五条", 45, "on_site"),
]


def png(width: int = 240, height: int = 80) -> bytes:
    """A small black-on-white PNG (a stroke), made with the standard library."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            on = abs(y - (height // 2 + (x % 40) - 20)) < 2 and 20 < x < width - 20
            row += b"\x00\x00\x00" if on else b"\xff\xff\xff"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _article(number: int) -> Article | None:
    return (
        Article.objects.filter(law__title__contains="安全生产法", number=number, suffix=0)
        .order_by("-law__version_date")
        .first()
    )


def _items(ctx: DemoContext) -> list[CheckItem]:
    made = []
    for code, name, kind, basis, number, method in ITEMS:
        item = CheckItem.objects.filter(unit=ctx.city, code=code).first()
        if item is None:
            article = _article(number)
            item = services.check_item_save(
                actor=ACTOR,
                unit=ctx.city,
                basis=[article] if article else [],
                code=code,
                name=name,
                kind=kind,
                basis_text=basis,
                object_scope="辖区内危险化学品经营、工贸行业生产经营单位",
                method=method,
                ratio_ppm=30_000 if kind == "general" else 0,
            )
        made.append(item)
    return made


def _plan(ctx: DemoContext, year: int) -> AnnualPlan:
    plan = services.plan_create(
        actor=ACTOR,
        unit=ctx.city,
        year=year,
        title=f"济宁市应急管理局{year}年度安全生产监督检查计划",
        working_days=248,
        officers=36,
        other_enforcement_days=Decimal(2200),
        non_enforcement_days=Decimal(1800),
    )
    groups = [
        ("危险化学品重点单位", "key", 60, Decimal(1), 2, Decimal(1), 3, "危险化学品", "任城区"),
        ("工贸重点单位", "key", 45, Decimal(1), 1, Decimal("1.5"), 2, "工贸", "微山县"),
        ("双随机抽查", "random", 3200, Decimal("0.05"), 1, Decimal("0.5"), 2, "综合", "全市"),
    ]  # fmt: skip
    for name, kind, n, ratio, freq, days, team, industry, county in groups:
        services.plan_group_add(
            actor=ACTOR, plan=plan, name=name, kind=kind, entities=n, ratio=ratio,
            frequency=freq, days_per_inspection=days, officers_per_team=team,
            industry=industry, county=county,
        )  # fmt: skip
    for step, data in (
        ("submit_review", {}),
        ("pass_review", {"opinion": "经审核，计划编制依据充分，工作日测算合理，同意报批。"}),
        ("approve", {}),
        ("publish", {}),
    ):  # fmt: skip
        plan = services.plan_transition(actor=ACTOR, plan=plan, name=step, **data)
    return plan


def _task(ctx: DemoContext, items: list[CheckItem], plan: AnnualPlan, today: datetime.date) -> Any:
    task = services.task_create(
        actor=ACTOR,
        unit=ctx.city,
        title=f"{today.year}年第四季度危险化学品经营单位“双随机”抽查",
        reference_date=today,
        seed_rule="中国福利彩票3D 抽取日前一日开奖号码",
        nonce_count=2,
        items=items,
        plan=plan,
        ratio_scale_pct=300,
        control_ppm=10_000,
    )
    task = services.task_commit(actor=ACTOR, task=task)
    task = services.task_seed(
        actor=ACTOR, task=task, announced="4 0 7", nonces=["市纪委监督员 5821", "企业代表 1937"]
    )
    task = services.task_draw(actor=ACTOR, task=task)
    services.task_inspections_create(actor=ACTOR, task=task)
    return task


def _walk(inspection: Inspection, target: str, today: datetime.date, days_ago: int) -> None:
    """Take an inspection to ``target`` through the real steps, back-dated."""
    ended = today - datetime.timedelta(days=days_ago)
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="start", on=ended
    )
    if target == "in_progress":
        return
    hazards = target != "no_hazards"
    checks = {
        c.item_id: (CheckResult.HAZARD if hazards and i == 0 else CheckResult.COMPLIANT, "")
        for i, c in enumerate(inspection.checks.all())
    }
    inspection = services.inspection_record_save(
        actor=ACTOR,
        inspection=inspection,
        version=inspection.version,
        checks=checks,
        site="仓库及罐区",
        representative="安全部经理 周强",
        summary="检查了安全管理制度、重大危险源监控和现场作业情况。",
    )
    if hazards:
        article = _article(41)
        finding = services.finding_add(
            actor=ACTOR,
            inspection=inspection,
            description="危化品仓库未按规定设置可燃气体报警装置",
            severity="major" if target == "escalated" else "general",
            article=article,
            provision="" if article else "《安全生产法》第四十一条",
        )
        services.evidence_add(
            actor=ACTOR, inspection=inspection, upload=io.BytesIO(png()),
            name="隐患照片.png", description="仓库东侧", finding=finding,
        )  # fmt: skip
    for signer in ("officer", "representative"):
        inspection = services.signature_save(
            actor=ACTOR, inspection=inspection, signer=signer, png=png()
        )
    name = "finish_hazards" if hazards else "finish_clean"
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name=name, on=ended
    )
    if target in ("no_hazards", "hazards_found"):
        return
    deadline = ended + datetime.timedelta(days=15)
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="order_rectification", rectify_by=deadline,
        on=ended,
    )  # fmt: skip
    if target == "rectifying":
        return
    inspection = services.inspection_transition(
        actor=ACTOR, inspection=inspection, name="request_reinspection", on=deadline
    )
    if target == "closed":
        for finding in inspection.findings.all():
            services.finding_set_rectified(actor=ACTOR, finding=finding, rectified=True)
        inspection = services.inspection_transition(
            actor=ACTOR, inspection=inspection, name="close_rectified", on=deadline,
            note="经复查，隐患已整改完毕。",
        )  # fmt: skip
        services.inspection_publish_results(actor=ACTOR, inspection=inspection, on=deadline)
    elif target == "escalated":
        services.inspection_transition(
            actor=ACTOR, inspection=inspection, name="escalate", on=deadline,
            note="逾期未整改，移交立案查处。",
        )  # fmt: skip


def _triggered(ctx: DemoContext, items: list[CheckItem], today: datetime.date) -> list[str]:
    lines = []
    plan = [
        (ctx.city, "closed", 60, InspectionSource.KEY_PLAN),
        (ctx.counties[0], "rectifying", 30, InspectionSource.COMPLAINT),
        (ctx.counties[0], "hazards_found", 40, InspectionSource.KEY_PLAN),
        (ctx.counties[1], "no_hazards", 45, InspectionSource.ASSIGNMENT),
        (ctx.counties[1], "in_progress", 0, InspectionSource.ACCIDENT),
        (ctx.counties[1], "escalated", 50, InspectionSource.REFERRAL),
    ]
    for agency, target, days_ago, source in plan:
        entity = (
            Entity.objects.filter(
                supervising_agency__path__startswith=agency.path,
                merged_into__isnull=True,
                status="active",
                inspections__isnull=True,
            )
            .order_by("pk")
            .first()
        )
        officers = _team(agency, entity)
        if entity is None or len(officers) < 2:
            continue
        inspection = services.inspection_create(
            actor=ACTOR,
            unit=agency,
            entity=entity,
            source=source,
            source_note="群众举报仓库违规存放" if source == InspectionSource.COMPLAINT else "",
            planned_on=today - datetime.timedelta(days=days_ago),
            officers=officers,
            items=items[:3],
        )
        _walk(inspection, target, today, days_ago)
        lines.append(f"{agency.name}: {entity.name} → {target}")
    return lines


def _team(agency: Any, entity: Entity | None) -> list[Officer]:
    from fazhi.registry.services import officer_certification_problem, officer_conflicts

    today = timezone.localdate()
    chosen = []
    for officer in Officer.objects.filter(
        unit__path__startswith=agency.path, status="active"
    ).order_by("pk"):
        if officer_certification_problem(officer=officer, on=today - datetime.timedelta(days=60)):
            continue
        if entity is not None and officer_conflicts(officer=officer, entity=entity, on=today):
            continue
        chosen.append(officer)
        if len(chosen) == 2:
            break
    return chosen


def load(ctx: DemoContext) -> list[str]:
    global ACTOR
    ACTOR = ctx.admin
    today = timezone.localdate()
    if AnnualPlan.objects.filter(unit=ctx.city, year=today.year).exists():
        return ["already loaded"]
    with transaction.atomic():
        items = _items(ctx)
        plan = _plan(ctx, today.year)
        task = _task(ctx, items, plan, today)
        lines = [
            f"{len(items)} check items",
            f"plan {plan.title} ({plan.get_state_display()})",
            f"task {task.number}: {task.eligible_size} eligible, "
            f"{task.selections.count()} drawn, commitment {task.commitment[:12]}…",
        ]
        lines += _triggered(ctx, items, today)
    return lines
