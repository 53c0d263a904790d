"""Accounts: password history, validators on every path, token expiry and revocation."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from fazhi.core import services
from fazhi.core.models import ApiToken, User

NEW = ["N3w-Secure-Pass!1", "N3w-Secure-Pass!2", "N3w-Secure-Pass!3"]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_changing_to_the_same_password_is_refused(personas):
    user = personas.county_a_officer
    with pytest.raises(ValidationError) as excinfo:
        services.user_set_password(actor=user, user=user, password=PASSWORD)
    assert "password_reused" in [e.code for e in excinfo.value.error_list]


def test_recent_passwords_cannot_be_reused_but_older_ones_can(personas, settings):
    settings.PASSWORD_HISTORY = 3
    user = personas.county_a_officer
    for password in NEW:
        services.user_set_password(actor=user, user=user, password=password)
    # History: NEW[2] (current), NEW[1], NEW[0]; PASSWORD is four changes back.
    for reused in NEW:
        with pytest.raises(ValidationError):
            services.user_set_password(actor=user, user=user, password=reused)
    services.user_set_password(actor=user, user=user, password=PASSWORD)


def test_password_change_page_refuses_the_current_password(personas):
    client = Client()
    client.post(reverse("login"), {"username": "a_officer", "password": PASSWORD})
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


@pytest.mark.django_db
def test_createsuperuser_with_a_weak_environment_password_is_refused(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command(
            "createsuperuser",
            "--noinput",
            username="root",
            email="root@example.gov.cn",
            stdout=StringIO(),
        )
    assert not User.objects.filter(username="root").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Str0ng-Enough-Pass!")
    call_command(
        "createsuperuser",
        "--noinput",
        username="root",
        email="root@example.gov.cn",
        stdout=StringIO(),
    )
    assert User.objects.get(username="root").check_password("Str0ng-Enough-Pass!")


def test_tokens_expire_by_default(personas, settings):
    settings.API_TOKEN_DAYS = 30
    token, key = services.token_issue(
        actor=personas.county_a_officer, user=personas.county_a_officer, name="ci"
    )
    assert token.expires_at is not None
    remaining = token.expires_at - timezone.now()
    assert datetime.timedelta(days=29) < remaining <= datetime.timedelta(days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert Client().get("/api/v1/me", headers=_bearer(key)).status_code == 401


def test_password_change_revokes_tokens_unless_kept(personas):
    user = personas.county_a_officer
    _t1, first = services.token_issue(actor=user, user=user, name="one")
    services.user_set_password(actor=user, user=user, password=NEW[0])
    assert Client().get("/api/v1/me", headers=_bearer(first)).status_code == 401
    _t2, second = services.token_issue(actor=user, user=user, name="two")
    services.user_set_password(actor=user, user=user, password=NEW[1], keep_tokens=True)
    assert Client().get("/api/v1/me", headers=_bearer(second)).status_code == 200


def test_password_change_page_offers_to_keep_tokens(personas):
    user = personas.county_a_officer
    _token, key = services.token_issue(actor=user, user=user, name="one")
    client = Client()
    client.post(reverse("login"), {"username": "a_officer", "password": PASSWORD})
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW[0],
            "new_password2": NEW[0],
            "keep_tokens": "on",
        },
    )
    assert response.status_code == 302
    assert Client().get("/api/v1/me", headers=_bearer(key)).status_code == 200


def test_expired_password_refuses_the_api_by_token(personas, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = personas.county_a_officer
    _token, key = services.token_issue(actor=user, user=user, name="ci")
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    response = Client().get("/api/v1/me", headers={**_bearer(key), "Accept-Language": "en"})
    assert response.status_code == 403
    assert "expired" in response.json()["detail"]
