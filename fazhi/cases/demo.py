"""Demo cases for the demo bureau, one in each state of both procedures.

Idempotent (the cases carry a 演示 source reference) and deterministic. Each
case walks its procedure through the same services a user would call, with
dates set in the past (``on=``) so that the clocks, 文书 and the deadline
board show a realistic history: one case from an inspection finding through
a hearing and legal review to a served and paid decision, a 简易程序 fine, a
首违不罚 decision with its education record, a referral to the judicial
organs, and open cases near and past their time limits.
"""

from __future__ import annotations

import datetime
import io
import math
import struct
import wave
import zlib
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fazhi.cases import permissions as p
from fazhi.cases import services
from fazhi.cases.archive import archive_build
from fazhi.cases.choices import (
    CaseFlag,
    CaseSource,
    CoercionKind,
    PartyKind,
    PenaltyKind,
    Procedure,
    ReleaseGround,
    TestKind,
)
from fazhi.cases.coercion_workflow import COERCION
from fazhi.cases.documents import record_make
from fazhi.cases.evidence import evidence_add
from fazhi.cases.models import Case, Coercion
from fazhi.cases.preservation import preservation_decide
from fazhi.cases.records import CaseArchive, EvidenceKind
from fazhi.cases.referral_workflow import REFERRAL
from fazhi.cases.services_procedures import (
    coercion_create,
    coercion_transition,
    referral_create,
    referral_transition,
)
from fazhi.cases.workflow import workflow_of
from fazhi.core.demo_context import DemoContext
from fazhi.core.models import OrgUnit
from fazhi.registry.models import Entity, Officer

MARK = "演示案件"
# The demo logins who act, by permission (filled by ``load``): 文书 are stored
# under a user, and each step is done by the role that does it in a bureau.
PEOPLE: dict[str, Any] = {}
# 安全生产法 Art. 99's items share one statutory range (and its discretion
# tiers), so the demo's proposed fines mean the same whichever item a case has.
ITEMS = (
    (
        "AQ099-01",
        "（一）",
        "未在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志",
        "执法人员现场检查发现，该单位液氨储罐区、危化品仓库入口未设置明显的安全警示标志。",
    ),
    (
        "AQ099-03",
        "（三）",
        "未对安全设备进行经常性维护、保养和定期检测",
        "执法人员现场检查发现，该单位有毒气体检测报警仪已超过检定有效期，近一年无维护保养记录。",
    ),
    (
        "AQ099-05",
        "（五）",
        "未为从业人员提供符合国家标准或者行业标准的劳动防护用品",
        "执法人员现场检查发现，该单位打磨岗位从业人员未配备防尘口罩，现场使用的口罩不符合国家标准。",
    ),
    (
        "AQ099-08",
        "（八）",
        "餐饮等行业的生产经营单位使用燃气未安装可燃气体报警装置",
        "执法人员现场检查发现，该单位后厨使用管道天然气，未安装可燃气体报警装置。",
    ),
    (
        "AQ099-02",
        "（二）",
        "安全设备的安装、使用、检测、改造和报废不符合国家标准或者行业标准",
        "执法人员现场检查发现，该单位粉尘除尘系统泄爆装置的安装不符合国家标准。",
    ),
)
BASIS = "《中华人民共和国安全生产法》第九十九条第{item}项"


def _team(unit: OrgUnit, today: datetime.date) -> list[Officer]:
    """Two certified officers of ``unit``'s agency, the unit's login first."""
    agency = unit.agency()
    officers = list(
        Officer.objects.filter(
            unit__path__startswith=agency.path,
            certificates__valid_from__lte=today - datetime.timedelta(days=120),
            certificates__valid_to__gte=today,
            conflicts__isnull=True,
        )
        .distinct()
        .order_by("-user_id", "pk")[:2]
    )
    return officers


def _case(
    ctx: DemoContext, n: int, unit: OrgUnit, today: datetime.date, *, days_ago: int, **kw: Any
) -> Case:
    entity = (
        Entity.objects.filter(supervising_agency=unit.agency(), status="active")
        .order_by("pk")[n : n + 1]
        .first()
    )
    code, item, violation, facts = ITEMS[n % len(ITEMS)]
    fields: dict[str, Any] = {
        "procedure": Procedure.ORDINARY,
        "title": violation,
        "source": CaseSource.INSPECTION,
        "source_ref": f"{MARK}{n:02d}",
        "party_kind": PartyKind.ORGANISATION,
        "party_name": entity.name if entity else "济宁市演示化工有限公司",
        "facts": facts,
        "act_ended_on": today - datetime.timedelta(days=days_ago + 2),
        "discovered_on": today - datetime.timedelta(days=days_ago + 1),
    }
    fields.update(kw)
    case = services.case_create(
        actor=PEOPLE[p.ADD], unit=unit, entity=entity, officers=_team(unit, today), **fields
    )
    services.case_violation_add(
        actor=PEOPLE[p.CHANGE],
        case=case,
        description=violation,
        basis=BASIS.format(item=item),
        discretion_code=code,
        law_in_force_from=datetime.date(2021, 9, 1),
    )
    return case


def _people(ctx: DemoContext) -> dict[str, Any]:
    """Who acts for each permission: the demo logins, as in the bureau."""
    return {
        p.FILE: ctx.users["leader"],
        p.DECIDE: ctx.users["leader"],
        p.REVIEW: ctx.users["reviewer"],
        p.CHANGE: ctx.users["officer"],
        p.ADD: ctx.users["officer"],
    }


def _walk(case: Case, today: datetime.date, steps: list[tuple[str, int, dict[str, Any]]]) -> Case:
    for name, days_ago, data in steps:
        permission = workflow_of(case).get(name).permission
        case = services.case_transition(
            actor=PEOPLE[permission],
            case=case,
            name=name,
            on=today - datetime.timedelta(days=days_ago),
            **data,
        )
    return case


def _steps(obj: Any, today: datetime.date, steps: list[tuple[str, int, dict[str, Any]]]) -> Any:
    """Walk a seizure or a referral through its steps, each by the role that does it."""
    is_coercion = isinstance(obj, Coercion)
    flow = COERCION if is_coercion else REFERRAL
    for name, days_ago, data in steps:
        actor = PEOPLE[flow.get(name).permission]
        on = today - datetime.timedelta(days=days_ago)
        if is_coercion:
            obj = coercion_transition(actor=actor, coercion=obj, name=name, on=on, **data)
        else:
            obj = referral_transition(actor=actor, referral=obj, name=name, on=on, **data)
    return obj


# -- evidence files: small, generated, deterministic -------------------------------------


def _png(seed: int, width: int = 48, height: int = 32) -> bytes:
    """A small PNG "photo" (a colour gradient varying by ``seed``), written by hand."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows += bytes(((seed * 37 + x * 5) % 256, (seed * 11 + y * 7) % 256, 160))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def _wav(seconds: float = 1.0, tone: int = 440) -> bytes:
    """A short mono WAV "recording" (a quiet tone)."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * tone * n / rate)))
        for n in range(int(rate * seconds))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(frames)
    return out.getvalue()


def _evidence(case: Case, today: datetime.date, days_ago: int) -> None:
    """Attach a scene photo, an inquiry recording and a written record to ``case``."""
    on = today - datetime.timedelta(days=days_ago)
    files = [
        (f"现场照片-{case.pk}.png", _png(case.pk), EvidenceKind.PHOTO,
         "现场照片：储罐区未设置安全警示标志"),
        (f"询问录音-{case.pk}.wav", _wav(), EvidenceKind.AUDIO,
         "询问当事人安全员的录音（执法记录仪）"),
        (f"现场检查记录-{case.pk}.txt",
         f"现场检查记录\n检查对象：{case.party_name}\n检查发现：{case.title}。\n".encode(),
         EvidenceKind.DOCUMENT, "现场检查记录（当事人签字确认）"),
    ]  # fmt: skip
    for name, content, kind, description in files:
        evidence_add(
            actor=PEOPLE[p.CHANGE],
            case=case,
            upload=io.BytesIO(content),
            name=name,
            kind=kind,
            description=description,
            recorded_on=on,
        )


def _preserve(case: Case, today: datetime.date, days_ago: int, decide_after: int | None) -> None:
    """先行登记保存 on ``days_ago``; decided ``decide_after`` days later unless None."""
    on = today - datetime.timedelta(days=days_ago)
    notice = record_make(
        actor=PEOPLE[p.CHANGE],
        case=case,
        code="evidence_preservation_notice",
        text="出入库台账1册；液氨钢瓶充装记录12页",
        on=on,
    )
    if decide_after is not None:
        preservation_decide(
            actor=PEOPLE[p.CHANGE],
            case=case,
            notice_id=notice.pk,
            outcome="release",
            reason="已复制台账和充装记录作为证据，原件退还当事人。",
            on=on + datetime.timedelta(days=decide_after),
        )


def _propose(case: Case, fine: int, *flags: str) -> Case:
    return services.case_update(
        actor=PEOPLE[p.CHANGE],
        case=case,
        penalty_kinds=[PenaltyKind.FINE],
        proposed_fine=Decimal(fine),
        flags=list(flags),
    )


def load(ctx: DemoContext) -> list[str]:
    if Case.objects.filter(source_ref__startswith=MARK).exists():
        return []
    today = timezone.localdate()
    PEOPLE.clear()
    PEOPLE.update(_people(ctx))
    city_unit = ctx.units.get("执法一大队") or ctx.city
    county_unit = ctx.units.get("任城区应急管理局/综合行政执法大队") or ctx.counties[0]
    made = []

    made.append(_case(ctx, 1, city_unit, today, days_ago=1, source=CaseSource.COMPLAINT))

    case = _case(ctx, 2, city_unit, today, days_ago=20)
    made.append(_walk(case, today, [("file", 18, {})]))

    # From an inspection finding through a hearing, legal review and collective
    # discussion to a served, paid and closed decision.
    case = _case(ctx, 3, city_unit, today, days_ago=70)
    case = _walk(case, today, [("file", 68, {})])
    _evidence(case, today, days_ago=66)
    _preserve(case, today, days_ago=65, decide_after=4)
    case = _walk(case, today, [("end_investigation", 50, {})])
    case = _propose(case, 50000, CaseFlag.SERIOUS)
    case = _walk(
        case,
        today,
        [
            ("give_notice_hearing", 45, {}),
            ("request_hearing", 43, {"requested_on": today - datetime.timedelta(days=43)}),
            (
                "hold_hearing",
                33,
                {
                    "held_on": today - datetime.timedelta(days=33),
                    "text": "当事人对违法事实无异议，请求从轻处罚；承办人员认为拟处罚款适当。",
                },
            ),
            (
                "send_review",
                32,
                {"amount_reason": "逾期未改正，且系重点监管单位，拟在推荐幅度以上处罚。"},
            ),
            ("pass_review", 30, {"text": "事实清楚，证据确凿，适用依据正确，程序合法，同意。"}),
            ("record_discussion", 29, {"text": "局长办公会集体讨论，同意罚款五万元。"}),
            (
                "decide",
                28,
                {
                    "penalty_kinds": [PenaltyKind.FINE],
                    "fine": Decimal(50000),
                    "fine_reason": "涉及两处场所，依裁量基准较重情形。",
                },
            ),
            (
                "serve",
                27,
                {"served_on": today - datetime.timedelta(days=27), "method": "直接送达"},
            ),
            ("record_payment", 15, {"paid_on": today - datetime.timedelta(days=15)}),
            ("close", 10, {}),
        ],
    )
    made.append(case)

    # Waiting for the legal review after a notice without hearing rights.
    case = _case(ctx, 4, city_unit, today, days_ago=40)
    case = _walk(case, today, [("file", 38, {})])
    _evidence(case, today, days_ago=35)
    case = _walk(case, today, [("end_investigation", 20, {})])
    case = _propose(case, 8000, CaseFlag.COMPLEX)
    made.append(
        _walk(
            case,
            today,
            [
                ("give_notice", 15, {}),
                ("close_statement", 10, {"text": "当事人书面陈述：已整改完毕。"}),
                (
                    "send_review",
                    3,
                    {"amount_reason": "主动消除危害后果并配合调查，拟在推荐幅度以下处罚。"},
                ),
            ],
        )
    )

    # 首违不罚: first violation, minor, corrected at once.
    case = _case(ctx, 5, city_unit, today, days_ago=30)
    case = _walk(case, today, [("file", 28, {})])
    _evidence(case, today, days_ago=27)
    case = _walk(case, today, [("end_investigation", 20, {})])
    made.append(
        _walk(
            case,
            today,
            [
                (
                    "decide_no_penalty",
                    18,
                    {
                        "reason": (
                            "初次违法且危害后果轻微并及时改正（《行政处罚法》第三十三条第一款）"
                        ),
                        "education": (
                            "向当事人宣讲安全警示标志设置要求，当事人当场承诺并完成整改。"
                        ),
                    },
                ),
                (
                    "serve_no_fine",
                    17,
                    {"served_on": today - datetime.timedelta(days=17), "method": "直接送达"},
                ),
                ("close", 15, {}),
            ],
        )
    )

    # Referred: suspected crime, through the referral's report, approval and transfer.
    case = _case(ctx, 6, city_unit, today, days_ago=25, flags=[CaseFlag.CRIME_SUSPECTED])
    case = _walk(case, today, [("file", 24, {})])
    _evidence(case, today, days_ago=20)
    referral = referral_create(
        actor=PEOPLE[p.CHANGE],
        case=case,
        crime="重大责任事故罪",
        report="违规储存液氨导致泄漏，造成一人死亡，涉嫌重大责任事故罪。",
        on=today - datetime.timedelta(days=12),
    )
    _steps(
        referral,
        today,
        [
            ("approve", 11, {}),
            ("refer", 11, {"receiver": "济宁市公安局任城分局"}),
            ("accept", 8, {"text": "公安机关书面通知：决定立案侦查。"}),
            ("hand_over", 6, {"text": "移交涉案物品清单、检验报告各一份。"}),
        ],
    )
    made.append(Case.objects.get(pk=case.pk))

    # A seizure: approved, paused while the things were tested, then released.
    case = _case(ctx, 10, city_unit, today, days_ago=40)
    case = _walk(case, today, [("file", 38, {})])
    _evidence(case, today, days_ago=37)
    coercion = coercion_create(
        actor=PEOPLE[p.CHANGE],
        case=case,
        kind=CoercionKind.SEIZE,
        items="工业气体钢瓶12只（无检验合格标志）",
        reason="涉嫌使用未经检验的特种设备，需先行扣押防止继续使用。",
        basis="《中华人民共和国安全生产法》第六十五条第一款第（四）项",
        on=today - datetime.timedelta(days=37),
    )
    _steps(
        coercion,
        today,
        [
            ("approve", 37, {}),
            (
                "start_test",
                33,
                {
                    "test_kind": TestKind.DETECTION,
                    "agency": "济宁市特种设备检验研究院",
                    "until": today - datetime.timedelta(days=24),
                },
            ),
            ("end_test", 25, {"text": "检测报告：12只钢瓶均在检验有效期内，可继续使用。"}),
            ("release", 23, {"ground": ReleaseGround.NO_VIOLATION, "text": "当场退还全部钢瓶。"}),
        ],
    )
    made.append(Case.objects.get(pk=case.pk))

    # 简易程序: a fine on the spot, paid.
    case = _case(ctx, 7, city_unit, today, days_ago=5, procedure=Procedure.SUMMARY)
    made.append(
        _walk(
            case,
            today,
            [
                (
                    "decide_on_spot",
                    4,
                    {
                        "penalty_kinds": [PenaltyKind.FINE],
                        "fine": Decimal(2000),
                        "party_informed": True,
                    },
                ),
                ("record_payment", 2, {"paid_on": today - datetime.timedelta(days=2)}),
            ],
        )
    )

    # A county case near its 90-day limit (yellow), and one in investigation.
    case = _case(ctx, 8, county_unit, today, days_ago=88)
    made.append(_walk(case, today, [("file", 87, {})]))
    case = _case(ctx, 9, county_unit, today, days_ago=12)
    case = _walk(case, today, [("file", 10, {})])
    _evidence(case, today, days_ago=9)
    # Preserved evidence still undecided: on the deadline board.
    _preserve(case, today, days_ago=8, decide_after=None)
    made.append(_walk(case, today, [("end_investigation", 2, {})]))
    # The closed case's electronic case file, exported once (``./dev manage case_verify``).
    closed = next(c for c in made if c.source_ref == f"{MARK}03")
    archive_build(CaseArchive.objects.create(case=closed, requested_by=PEOPLE[p.CHANGE]))
    # 执法公示: the closed decision is on the public page (/gongshi/penalties/).
    from fazhi.cases.publication_services import publication_publish

    publication_publish(
        actor=PEOPLE[p.DECIDE], case=closed, on=today - datetime.timedelta(days=26)
    )
    states = sorted({c.get_state_display() for c in made})
    return [f"{len(made)} demo cases ({'、'.join(str(s) for s in states)})"]
