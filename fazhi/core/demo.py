"""The demo bureau: a city bureau, four counties, units, logins, officers.

Deterministic from a seed and idempotent: units and users are looked up by
name / user name before anything is created. Initial passwords are generated
once and kept in ``var/demo_logins.txt`` (mode 600) so a second run can print
them again; production installs never call this.
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

from django.conf import settings
from django.db import transaction

from fazhi.core import services
from fazhi.core.actors import SystemActor
from fazhi.core.codes import ric_check_char, uscc_check_char
from fazhi.core.demo_context import DemoContext
from fazhi.core.models import OrgUnit, Role, User

# The actor behind demo data: recorded in the audit trail as "demo".
INSTALLER = SystemActor("demo")

CITY = ("济宁市应急管理局", "370800", "济")
COUNTIES = [
    ("任城区应急管理局", "370811", "任"),
    ("微山县应急管理局", "370826", "微"),
    ("鱼台县应急管理局", "370827", "鱼"),
    ("金乡县应急管理局", "370828", "金"),
]
CITY_UNITS = [
    ("办公室", "section"),
    ("政策法规科", "section"),
    ("危险化学品安全监督管理科", "section"),
    ("安全生产基础科", "section"),
    ("应急指挥中心", "section"),
    ("市安全生产委员会办公室", "coordination_body"),
    ("应急管理综合行政执法支队", "detachment"),
]
DETACHMENT_BRIGADES = ["执法一大队", "执法二大队", "执法三大队"]
COUNTY_UNITS = [("法规股", "section"), ("综合行政执法大队", "brigade")]

# (user name, role, unit key, full name)
LOGINS = [
    ("admin", "system_admin", "city", "系统管理员"),
    ("leader", "leader", "city", "王建国"),
    ("reviewer", "legal_reviewer", "政策法规科", "李敏"),
    ("officer", "officer", "执法一大队", "张伟"),
    ("county_officer", "officer", "任城区应急管理局/综合行政执法大队", "刘洋"),
    # A county's legal section: reviews and keeps the county's own catalog.
    ("county_legal", "legal_reviewer", "任城区应急管理局/法规股", "周敏"),
    ("clerk", "licensing_clerk", "危险化学品安全监督管理科", "陈静"),
    ("supervisor", "supervisor", "政策法规科", "赵磊"),
    ("enterprise", "enterprise", "", "孙丽（企业）"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
    "蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段"
    "雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬"
    "建国建华志强海燕晓东文博宇航子涵浩然思远雨晨嘉怡梓萱俊杰欣怡"
)


def _logins_file() -> Path:
    return settings.VAR_DIR / "demo_logins.txt"


def _unit(name: str, kind: str, parent: OrgUnit | None, **extra: str) -> OrgUnit:
    existing = OrgUnit.objects.filter(name=name, parent=parent).first()
    if existing is not None:
        if extra.get("doc_abbr") and not existing.doc_abbr:  # a demo made before numbering
            services.orgunit_update(actor=INSTALLER, unit=existing, doc_abbr=extra["doc_abbr"])
        return existing
    return services.orgunit_create(actor=INSTALLER, name=name, kind=kind, parent=parent, **extra)


def totp_secrets() -> dict[str, str]:
    """Return the base32 secrets of the demo's authenticators, by user name."""
    path = _logins_file()
    stored = json.loads(path.read_text()) if path.exists() else {}
    return {
        key.removeprefix("totp:"): base64.b32encode(bytes.fromhex(value)).decode().rstrip("=")
        for key, value in stored.items()
        if key.startswith("totp:")
    }


def _demo_authenticator(user: User, stored: dict[str, str]) -> None:
    """Give a demo user whose role requires two-factor login an authenticator.

    Its key is kept beside the passwords (``totp:USER``), so every run prints the
    same base32 secret to type into an authenticator app; ``./dev manage
    demo_totp USER`` prints the current code instead.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from fazhi.core import two_factor

    if not two_factor.required_for(user):
        return
    entry = f"totp:{user.username}"
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or (entry in stored and device.key != stored[entry]):
        if device is not None:  # enrolled by hand since: keep it, print nothing
            stored.pop(entry, None)
            return
        device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    stored[entry] = device.key


def _agency_uscc(region: str, index: int) -> str:
    first17 = f"11{region}MB{index:07d}"[:17]
    return first17 + uscc_check_char(first17)


def citizen_id(rng: random.Random, region: str) -> str:
    year = rng.randint(1968, 1998)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    first17 = f"{region}{year:04d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
    return first17 + ric_check_char(first17)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


@transaction.atomic
def load(seed: int = 2026) -> tuple[DemoContext, dict[str, str]]:
    """Build (or find) the demo bureau; return the context and the logins."""
    rng = random.Random(seed)
    city = _unit(
        CITY[0],
        "agency",
        None,
        level="city",
        region_code=CITY[1],
        uscc=_agency_uscc(CITY[1], 1),
        doc_abbr=CITY[2],
    )
    units: dict[str, OrgUnit] = {"city": city}
    for name, kind in CITY_UNITS:
        units[name] = _unit(name, kind, city)
    for brigade in DETACHMENT_BRIGADES:
        units[brigade] = _unit(brigade, "brigade", units["应急管理综合行政执法支队"])
    counties = []
    for index, (name, region, abbr) in enumerate(COUNTIES, start=2):
        county = _unit(
            name,
            "agency",
            city,
            level="county",
            region_code=region,
            uscc=_agency_uscc(region, index),
            doc_abbr=abbr,
        )
        counties.append(county)
        units[name] = county
        for unit_name, kind in COUNTY_UNITS:
            units[f"{name}/{unit_name}"] = _unit(unit_name, kind, county)

    stored: dict[str, str] = {}
    path = _logins_file()
    if path.exists():
        stored = json.loads(path.read_text())
    logins: dict[str, str] = {}
    users: dict[str, User] = {}
    for username, role_code, unit_key, full_name in LOGINS:
        user = User.objects.filter(username=username).first()
        if user is None:
            extra = {}
            if role_code == "enterprise":
                first17 = "91370811MA3C0DE0"[:16] + "1"
                extra["enterprise_uscc"] = first17 + uscc_check_char(first17)
            user, password = services.user_create(
                actor=INSTALLER,
                username=username,
                unit=units[unit_key] if unit_key else None,
                role=Role.objects.get(code=role_code),
                full_name=full_name,
                is_staff=role_code == "system_admin",
                **extra,
            )
            stored[username] = password
        users[username] = user
        logins[username] = stored.get(username, "(set before; see var/demo_logins.txt)")
    for user in users.values():
        _demo_authenticator(user, stored)
    path.write_text(json.dumps(stored, ensure_ascii=False, indent=1))
    path.chmod(0o600)

    officer_units = [units[b] for b in DETACHMENT_BRIGADES] + [
        units[f"{c[0]}/综合行政执法大队"] for c in COUNTIES
    ]
    officers: list[tuple[str, str, str, OrgUnit]] = []
    for index in range(150):
        unit = officer_units[index % len(officer_units)]
        region = unit.agency().region_code
        officers.append(
            (person_name(rng), citizen_id(rng, region), f"{region}{index + 1:05d}", unit)
        )
    ctx = DemoContext(
        seed=seed,
        rng=rng,
        admin=users["admin"],
        city=city,
        counties=counties,
        units=units,
        users=users,
        officers=officers,
    )
    return ctx, logins
