"""The demo loader: idempotent, generated passwords, plausible officers."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from fazhi.core import demo
from fazhi.core.audit import audit_verify
from fazhi.core.choices import RoleCode
from fazhi.core.codes import validate_region, validate_ric, validate_uscc
from fazhi.core.models import OrgUnit, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _counts() -> tuple[int, int]:
    return OrgUnit.objects.count(), User.objects.count()


def test_demo_load_command_is_idempotent_and_prints_one_login_per_role(tmp_path):
    first = StringIO()
    call_command("demo_load", stdout=first)
    counts = _counts()
    assert counts[0] == 1 + 7 + 3 + 4 * 3  # city, its units, brigades, counties with 2 units each
    assert counts[1] == len(demo.LOGINS)
    second = StringIO()
    call_command("demo_load", stdout=second)
    assert _counts() == counts
    stored = json.loads((tmp_path / "demo_logins.txt").read_text())
    assert oct((tmp_path / "demo_logins.txt").stat().st_mode & 0o777) == "0o600"
    for output in (first.getvalue(), second.getvalue()):
        logins_part, two_factor_part = output.split("Logins (user name / password / role):")[
            1
        ].split("Two-factor login")
        lines = logins_part.strip().splitlines()
        assert len(lines) == len(demo.LOGINS)
        roles = [line.split()[2] for line in lines]
        assert set(roles) == set(RoleCode.values)  # every role has a login
        for username, _role, _unit, _name in demo.LOGINS:
            assert f"{username} " in output
            assert stored[username] in output  # the second run prints the same passwords
        # The administrator and the supervisor log in with a code: their secret is printed.
        assert set(demo.totp_secrets()) == {"admin", "supervisor"}
        for username, secret in demo.totp_secrets().items():
            assert f"{username}" in two_factor_part
            assert secret in two_factor_part
    assert audit_verify()[1] is None


def test_demo_totp_prints_a_code_the_login_accepts():
    from fazhi.core import two_factor

    demo.load()
    out = StringIO()
    call_command("demo_totp", "admin", stdout=out)
    code = out.getvalue().split()[0]
    assert two_factor.verify(user=User.objects.get(username="admin"), token=code) == "totp"


def test_demo_users_get_generated_passwords():
    _ctx, logins = demo.load()
    passwords = list(logins.values())
    assert len(set(passwords)) == len(passwords)
    for username, password in logins.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert not user.check_password("Passw0rd!2026")
        assert not user.check_password(username)
        assert len(password) >= 14


def test_demo_context_has_about_150_officers_with_valid_codes():
    ctx, _logins = demo.load()
    assert 140 <= len(ctx.officers) <= 160
    numbers = set()
    for name, ric, cert_no, unit in ctx.officers:
        assert 2 <= len(name) <= 4
        assert validate_ric(ric).valid, ric
        assert validate_region(ric[:6]).valid, ric
        assert unit.agency().region_code == ric[:6]
        assert cert_no.startswith(ric[:6])
        numbers.add(cert_no)
    assert len(numbers) == len(ctx.officers)
    assert {unit.agency() for *_rest, unit in ctx.officers} == {ctx.city, *ctx.counties}


def test_demo_is_deterministic_from_its_seed():
    first, _ = demo.load(seed=7)
    second, _ = demo.load(seed=7)
    assert first.officers == second.officers
    third, _ = demo.load(seed=8)
    assert third.officers != first.officers


def test_demo_agencies_have_valid_codes():
    ctx, _ = demo.load()
    for agency in (ctx.city, *ctx.counties):
        agency.full_clean()
        assert agency.uscc.startswith("11")
    enterprise = User.objects.get(username="enterprise")
    assert enterprise.unit is None
    assert validate_uscc(enterprise.enterprise_uscc).valid


def test_demo_has_a_county_legal_section_persona():
    demo.load()
    user = User.objects.get(username="county_legal")
    assert user.unit is not None
    assert user.unit.name == "法规股"
    assert user.unit.agency().name == "任城区应急管理局"
    assert user.has_perm("powers.view_powercatalog")
