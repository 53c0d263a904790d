"""Two-factor login: required roles, enrolment, verification, recovery codes, reset."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from fazhi.core import two_factor
from fazhi.core.models import AuditEvent, RecoveryCode

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def password_login(user: Any) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user: Any) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.enrol_start(user=user)
    codes = two_factor.enrol_confirm(user=user, device=device, token=code_for(device))
    device.refresh_from_db()
    return device, codes


def verbs() -> list[str]:
    return list(
        AuditEvent.objects.filter(verb__regex=r"^core\.user\.(two_factor_|recovery_)")
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def test_required_roles(personas: Any, settings: Any) -> None:
    assert two_factor.required_for(personas.admin)
    assert two_factor.required_for(personas.supervisor)
    assert not two_factor.required_for(personas.county_a_officer)
    settings.TWO_FACTOR_REQUIRED_ROLES = ["officer"]
    assert two_factor.required_for(personas.county_a_officer)
    assert not two_factor.required_for(personas.supervisor)


def test_admin_must_enrol_before_any_page_and_the_session_api(personas: Any) -> None:
    client = password_login(personas.admin)
    response = client.get(reverse("core:user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_enrol"))
    assert client.get("/api/v1/me").status_code == 403
    page = client.get(reverse("two_factor_enrol"))
    assert page.status_code == 200
    assert page.context["qr"].startswith("data:image/svg+xml;base64,")
    device = TOTPDevice.objects.get(user=personas.admin, confirmed=False)
    assert page.context["manual_key"].replace(" ", "") in device.config_url
    wrong = client.post(reverse("two_factor_enrol"), {"token": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    device.throttle_reset()
    response = client.post(reverse("two_factor_enrol"), {"token": code_for(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    # Stored hashed: no row holds the code itself.
    stored = set(
        RecoveryCode.objects.filter(user=personas.admin).values_list("code_hash", flat=True)
    )
    assert codes[0].replace("-", "") not in stored
    assert RecoveryCode.hash_code(codes[0].replace("-", "")) in stored
    assert client.get(reverse("core:user_list")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert verbs() == ["core.user.two_factor_enrol"]


def test_officer_may_skip_or_opt_in(personas: Any) -> None:
    client = password_login(personas.county_a_officer)
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    enrolled(personas.county_a_officer)
    # Once enrolled, the next login asks for the code.
    client = password_login(personas.county_a_officer)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_verify_with_code_then_recovery_code_once(personas: Any) -> None:
    device, codes = enrolled(personas.admin)
    client = password_login(personas.admin)
    response = client.get(reverse("core:user_list"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get("/api/v1/me").status_code == 403
    bad = client.post(reverse("two_factor_verify"), {"token": "123456"})
    assert bad.status_code == 200
    assert bad.context["form"].errors
    assert "core.user.two_factor_failed" in verbs()
    # The same code as the one used at enrolment is refused (replay).
    device.refresh_from_db()
    device.throttle_reset()
    ok = client.post(
        reverse("two_factor_verify"),
        {"token": code_for(device, 30), "next": reverse("core:user_list")},
    )
    assert ok.status_code == 302
    assert ok["Location"] == reverse("core:user_list")
    assert client.get("/api/v1/me").status_code == 200

    other = password_login(personas.admin)
    response = other.post(reverse("two_factor_verify"), {"token": codes[0].upper()})
    assert response.status_code == 302
    assert "core.user.recovery_code_used" in verbs()
    third = password_login(personas.admin)
    again = third.post(reverse("two_factor_verify"), {"token": codes[0]})
    assert again.status_code == 200
    assert again.context["form"].errors
    assert two_factor.recovery_left(personas.admin) == 9


def test_wrong_codes_are_throttled(personas: Any) -> None:
    enrolled(personas.admin)
    client = password_login(personas.admin)
    client.post(reverse("two_factor_verify"), {"token": "111111"})
    response = client.post(reverse("two_factor_verify"), {"token": "222222"})
    assert "Wait" in str(response.context["form"].errors) or "等待" in str(
        response.context["form"].errors
    )


def test_regenerate_and_disable(personas: Any) -> None:
    _device, old = enrolled(personas.county_a_officer)
    client = Client()
    client.force_login(personas.county_a_officer)
    two_factor_session = client.session
    two_factor_session[two_factor.SESSION_KEY] = two_factor.VERIFIED
    two_factor_session.save()
    response = client.post(reverse("two_factor"), {"action": "regenerate"})
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    assert not RecoveryCode.objects.filter(
        code_hash=RecoveryCode.hash_code(old[0].replace("-", ""))
    ).exists()
    client.post(reverse("two_factor"), {"action": "disable"})
    assert not two_factor.is_enrolled(personas.county_a_officer)
    assert verbs() == [
        "core.user.two_factor_enrol",
        "core.user.recovery_regenerate",
        "core.user.two_factor_disable",
    ]


def test_required_role_cannot_switch_off(personas: Any) -> None:
    enrolled(personas.admin)
    from fazhi.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        two_factor.disable(user=personas.admin)


def test_enrolled_user_must_verify_before_replacing(personas: Any) -> None:
    enrolled(personas.admin)
    client = password_login(personas.admin)
    response = client.get(reverse("two_factor_enrol"))
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_admin_resets_a_lost_phone_by_page_and_api(personas: Any) -> None:
    enrolled(personas.county_a_officer)
    admin = Client()
    admin.force_login(personas.admin)
    from conftest import mark_two_factor_verified

    mark_two_factor_verified(admin)
    page = admin.get(reverse("core:user_detail", args=[personas.county_a_officer.pk]))
    assert b"two-factor-reset" in page.content
    admin.post(reverse("core:user_two_factor_reset", args=[personas.county_a_officer.pk]))
    assert not two_factor.is_enrolled(personas.county_a_officer)
    enrolled(personas.county_a_officer)
    response = admin.post(f"/api/v1/users/{personas.county_a_officer.pk}/two-factor/reset")
    assert response.status_code == 200
    assert not two_factor.is_enrolled(personas.county_a_officer)
    assert verbs().count("core.user.two_factor_reset") == 2
    # An officer may not reset anyone.
    officer = Client()
    officer.force_login(personas.county_b_officer)
    refused = officer.post(f"/api/v1/users/{personas.county_a_officer.pk}/two-factor/reset")
    assert refused.status_code in (403, 404)


def test_tokens_need_no_second_factor(personas: Any) -> None:
    from fazhi.core import services

    enrolled(personas.admin)
    _token, key = services.token_issue(actor=personas.admin, user=personas.admin, name="t")
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_next_must_stay_on_site(personas: Any) -> None:
    device, _codes = enrolled(personas.admin)
    device.throttle_reset()
    client = password_login(personas.admin)
    response = client.post(
        reverse("two_factor_verify"),
        {"token": code_for(device, 30), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
