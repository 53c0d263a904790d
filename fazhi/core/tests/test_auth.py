"""Authentication: hashing, lockout, auditing, idle timeout, password expiry, tokens."""

from __future__ import annotations

import datetime
import time
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import config.settings as project_settings
from conftest import PASSWORD
from fazhi.core import services
from fazhi.core.auth import ComplexityValidator
from fazhi.core.middleware import LAST_SEEN_KEY
from fazhi.core.models import ApiToken, AuditEvent, Role, User
from fazhi.core.tests import factories


def _login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _verbs(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
    )


# --- Hashing ---


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2(personas):
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert personas.county_a_officer.password.startswith("argon2$")
    assert personas.county_a_officer.check_password(PASSWORD)


# --- Login, logout, failures, lockout ---


def test_login_and_logout_are_audited_with_client_address(personas):
    client = Client()
    response = _login(client, "a_officer", PASSWORD, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.8")
    events = AuditEvent.objects.filter(verb__in=["core.user.login", "core.user.logout"]).order_by(
        "seq"
    )
    assert [(e.verb, e.client_ip, e.actor_id) for e in events] == [
        ("core.user.login", "10.0.0.7", personas.county_a_officer.pk),
        ("core.user.logout", "10.0.0.8", personas.county_a_officer.pk),
    ]
    assert events[0].unit_id == personas.county_a_brigade.pk


def test_failed_login_is_audited_and_counted(personas):
    response = _login(Client(), "a_officer", "wrong", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    event = AuditEvent.objects.get(verb="core.user.login_failed")
    assert event.client_ip == "10.0.0.9"
    assert event.object_id == str(personas.county_a_officer.pk)
    assert event.after == {"failed_logins": 1}
    personas.county_a_officer.refresh_from_db()
    assert personas.county_a_officer.failed_logins == 1


@pytest.mark.django_db
def test_failed_login_for_unknown_user_is_audited():
    _login(Client(), "nobody", "wrong")
    event = AuditEvent.objects.get(verb="core.user.login_failed")
    assert event.object_repr == "nobody"
    assert event.actor_label == "nobody"
    assert event.object_id == ""


def _throttled(response: Any) -> bool:
    return any(e.code == "throttled" for e in response.context["form"].errors.as_data()["__all__"])


def test_failures_never_lock_the_account_out_of_its_usual_address(personas, settings):
    settings.LOGIN_MAX_FAILURES = 3
    # The owner has logged in from the office before.
    _login(Client(), "a_officer", PASSWORD, REMOTE_ADDR="10.1.1.1")
    for _ in range(12):
        _login(Client(), "a_officer", "wrong", REMOTE_ADDR="203.0.113.5")
    user = personas.county_a_officer
    user.refresh_from_db()
    assert not user.is_locked()
    assert not AuditEvent.objects.filter(verb="core.user.locked").exists()
    client = Client()
    assert _login(client, "a_officer", PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 302
    assert "_auth_user_id" in client.session


def test_attacker_address_waits_longer_after_each_failure(personas, settings):
    from fazhi.core.models import LoginFailure

    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_DELAY_SECONDS = 10
    attacker = {"REMOTE_ADDR": "203.0.113.5"}

    def ago(seconds: int) -> None:
        LoginFailure.objects.update(at=timezone.now() - datetime.timedelta(seconds=seconds))

    for _ in range(2):
        _login(Client(), "a_officer", "wrong", **attacker)
    # Now 10 s must pass; refused while waiting, the attempt is neither checked nor counted.
    assert _throttled(_login(Client(), "a_officer", PASSWORD, **attacker))
    assert AuditEvent.objects.filter(verb="core.user.login_failed").count() == 2
    ago(11)
    assert not _throttled(_login(Client(), "a_officer", "wrong", **attacker))
    # After the third failure the wait doubles to 20 s.
    ago(15)
    assert _throttled(_login(Client(), "a_officer", PASSWORD, **attacker))
    ago(21)
    assert _login(Client(), "a_officer", PASSWORD, **attacker).status_code == 302


def test_one_address_guessing_many_accounts_is_throttled(personas, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_DELAY_SECONDS = 300
    for name in ["u1", "u2", "u3", "u4"]:
        _login(Client(), name, "wrong", REMOTE_ADDR="198.51.100.4")
    response = _login(Client(), "u5", "wrong", REMOTE_ADDR="198.51.100.4")
    assert _throttled(response)
    # Another address is not affected.
    assert not _throttled(_login(Client(), "u5", "wrong", REMOTE_ADDR="198.51.100.5"))


def test_account_is_throttled_from_unknown_addresses_only(personas, settings):
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_DELAY_SECONDS = 300
    _login(Client(), "b_officer", PASSWORD, REMOTE_ADDR="10.2.2.2")
    for number in range(4):
        _login(Client(), "b_officer", "wrong", REMOTE_ADDR=f"192.0.2.{number + 10}")
    assert _throttled(_login(Client(), "b_officer", PASSWORD, REMOTE_ADDR="192.0.2.99"))
    assert _login(Client(), "b_officer", PASSWORD, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_successful_login_resets_the_account_count(personas, settings):
    settings.LOGIN_MAX_FAILURES = 3
    _login(Client(), "a_officer", "wrong")
    _login(Client(), "a_officer", "wrong")
    _login(Client(), "a_officer", PASSWORD)
    _login(Client(), "a_officer", "wrong")
    personas.county_a_officer.refresh_from_db()
    assert personas.county_a_officer.failed_logins == 1


def test_login_failures_never_disable_api_tokens(personas, settings):
    settings.LOGIN_MAX_FAILURES = 1
    _token, key = services.token_issue(
        actor=personas.county_b_officer, user=personas.county_b_officer, name="ci"
    )
    for number in range(10):
        _login(Client(), "b_officer", "wrong", REMOTE_ADDR=f"192.0.2.{number}")
    response = Client().get("/api/v1/me", headers=_bearer(key))
    assert response.status_code == 200


def test_admin_clears_the_failures_through_the_page_with_audit(personas, settings):
    user = personas.county_b_officer
    for _ in range(2):
        _login(Client(), "b_officer", "wrong")
    admin = personas.client(personas.admin)
    url = reverse("core:user_unlock", args=[user.pk])
    assert admin.get(url).status_code == 405
    response = admin.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:user_detail", args=[user.pk])
    user.refresh_from_db()
    assert user.failed_logins == 0
    from fazhi.core.models import LoginFailure

    assert not LoginFailure.objects.filter(username="b_officer").exists()
    event: Any = AuditEvent.objects.get(verb="core.user.unlock")
    assert event.actor_id == personas.admin.pk
    assert event.before["failed_logins"] == 2


def test_officer_cannot_unlock(personas, settings):
    client = personas.client(personas.city_officer)
    _login(Client(), "b_officer", "wrong")
    response = client.post(reverse("core:user_unlock", args=[personas.county_b_officer.pk]))
    assert response.status_code == 403
    personas.county_b_officer.refresh_from_db()
    assert personas.county_b_officer.failed_logins == 1


# --- Idle timeout ---


def _age_session(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - seconds
    session.save()


def test_idle_session_is_logged_out_and_audited(personas, settings):
    settings.SESSION_IDLE_MINUTES = 10
    client = Client()
    _login(client, "a_officer", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, 10 * 60 + 5)
    response = client.get(reverse("core:unit_list"), {"q": "任城", "kind": "agency"})
    assert response.status_code == 302
    # Back to the same filtered page after logging in again.
    login_path, _sep, query = response["Location"].partition("?")
    assert login_path == reverse("login")
    next_url = urlsplit(parse_qs(query)["next"][0])
    assert next_url.path == reverse("core:unit_list")
    assert parse_qs(next_url.query) == {"q": ["任城"], "kind": ["agency"]}
    event = AuditEvent.objects.get(verb="core.user.session_expired")
    assert event.actor_id == personas.county_a_officer.pk
    assert client.get(reverse("home")).status_code == 302  # the session is gone


def test_active_session_is_kept(personas, settings):
    settings.SESSION_IDLE_MINUTES = 10
    client = personas.client(personas.county_a_officer)
    client.get(reverse("home"))
    _age_session(client, 9 * 60)
    assert client.get(reverse("home")).status_code == 200
    assert not AuditEvent.objects.filter(verb="core.user.session_expired").exists()


# --- Password expiry and change ---


def test_expired_password_redirects_to_the_change_page(personas, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = personas.county_a_officer
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    client = personas.client(user)
    response = client.get(reverse("core:unit_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200
    # The API refuses too, with a message (it cannot redirect a machine client).
    response = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "expired" in response.json()["detail"]


def test_changing_the_password_resets_the_clock(personas, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = personas.county_a_officer
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    client = Client()
    _login(client, "a_officer", PASSWORD)
    new = "N3w-Secure-Pass!"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(new)
    assert timezone.now() - user.password_changed_at < datetime.timedelta(minutes=1)
    assert client.get(reverse("core:unit_list")).status_code == 200  # still logged in
    assert AuditEvent.objects.filter(
        verb="core.user.set_password", object_id=str(user.pk)
    ).exists()


def test_password_change_refuses_a_simple_password(personas):
    client = personas.client(personas.county_a_officer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "abcdefghijkl",
            "new_password2": "abcdefghijkl",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    personas.county_a_officer.refresh_from_db()
    assert personas.county_a_officer.check_password(PASSWORD)


def test_password_without_expiry_setting_is_not_redirected(personas, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    User.objects.filter(pk=personas.county_a_officer.pk).update(password_changed_at=None)
    client = personas.client(personas.county_a_officer)
    assert client.get(reverse("core:unit_list")).status_code == 200


# --- Complexity ---


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefghij", 1),
        ("abcdeFGHIJ", 2),
        ("abcdeFGHI1", 3),
        ("abcdeFGH1!", 4),
        ("1234567890", 1),
    ],
)
def test_complexity_validator_counts_character_classes(password, classes):
    for wanted in range(1, 5):
        validator = ComplexityValidator(min_classes=wanted)
        if classes >= wanted:
            validator.validate(password)
        else:
            with pytest.raises(ValidationError) as excinfo:
                validator.validate(password)
            assert excinfo.value.error_list[0].code == "password_too_simple"


def test_configured_complexity_follows_password_min_classes():
    configured = [
        v
        for v in password_validation.get_default_password_validators()
        if isinstance(v, ComplexityValidator)
    ]
    assert [v.min_classes for v in configured] == [project_settings.PASSWORD_MIN_CLASSES]
    with pytest.raises(ValidationError):
        password_validation.validate_password("onlylowercaseletters")
    password_validation.validate_password("Mixed-Case-1234")


@pytest.mark.django_db
def test_user_without_a_given_password_gets_a_generated_one():
    unit = factories.agency("示范市应急管理局", "370800", "city")
    role = Role.objects.get(code="officer")
    first, raw1 = services.user_create(actor=factories.SYSTEM, username="u1", unit=unit, role=role)
    second, raw2 = services.user_create(
        actor=factories.SYSTEM, username="u2", unit=unit, role=role
    )
    assert raw1 != raw2
    assert len(raw1) >= 14
    assert first.check_password(raw1)
    assert second.check_password(raw2)
    password_validation.validate_password(raw1, User(username="someone"))
    # The password never reaches the audit trail.
    event: Any = AuditEvent.objects.get(verb="core.user.create", object_id=str(first.pk))
    assert "password" not in event.after
    assert raw1 not in str(event.after)


# --- Personal tokens ---


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_bearer_token_authenticates_the_api(personas):
    user = personas.county_a_officer
    token, key = services.token_issue(actor=user, user=user, name="script")
    response = Client().get("/api/v1/me", headers=_bearer(key))
    assert response.status_code == 200
    assert response.json()["username"] == "a_officer"
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.key_hash == ApiToken.hash_key(key)  # only the hash is stored
    assert key not in token.key_hash
    assert AuditEvent.objects.filter(verb="core.apitoken.issue", object_id=str(token.pk)).exists()


def test_revoked_token_is_refused(personas):
    user = personas.county_a_officer
    token, key = services.token_issue(actor=user, user=user, name="script")
    services.token_revoke(actor=user, token=token)
    assert Client().get("/api/v1/me", headers=_bearer(key)).status_code == 401
    assert AuditEvent.objects.filter(verb="core.apitoken.revoke").exists()


@pytest.mark.django_db
def test_unknown_token_is_refused():
    assert Client().get("/api/v1/me", headers=_bearer("fz_not-a-real-token")).status_code == 401
    assert Client().get("/api/v1/me").status_code == 401


def test_expired_token_or_inactive_user_is_refused(personas):
    user = personas.county_a_officer
    token, key = services.token_issue(actor=user, user=user, name="script")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    assert Client().get("/api/v1/me", headers=_bearer(key)).status_code == 401
    _other, other_key = services.token_issue(actor=user, user=user, name="second")
    assert Client().get("/api/v1/me", headers=_bearer(other_key)).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert Client().get("/api/v1/me", headers=_bearer(other_key)).status_code == 401


def test_issue_token_command_prints_a_working_token(personas):
    out = StringIO()
    call_command("issue_token", "b_officer", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("fz_")
    response = Client().get("/api/v1/me", headers=_bearer(key))
    assert response.status_code == 200
    assert response.json()["username"] == "b_officer"
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody", stdout=StringIO())


def test_token_page_issues_shows_once_and_revokes(personas):
    user = personas.county_b_officer
    client = personas.client(user)
    response = client.post(reverse("token_list"), {"name": "nightly export"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key in response.content.decode()
    assert Client().get("/api/v1/me", headers=_bearer(key)).status_code == 200
    assert key not in client.get(reverse("token_list")).content.decode()
    token = ApiToken.objects.get(user=user, name="nightly export")
    response = client.post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert Client().get("/api/v1/me", headers=_bearer(key)).status_code == 401


def test_cannot_revoke_someone_elses_token(personas):
    owner = personas.county_b_officer
    token, _key = services.token_issue(actor=owner, user=owner, name="script")
    response = personas.client(personas.county_a_officer).post(
        reverse("token_revoke", args=[token.pk])
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert not token.revoked


def test_permissions_come_from_the_role_the_user_and_their_groups(personas):
    """One query answers all three sources; a superuser holds every permission."""
    from django.contrib.auth.models import Group, Permission

    from fazhi.core.auth import RoleBackend

    backend = RoleBackend()
    officer = User.objects.get(pk=personas.county_a_officer.pk)
    from_role = backend.get_all_permissions(officer)
    assert "registry.view_entity" in from_role
    assert "core.change_clockrule" not in from_role

    direct = Permission.objects.get(codename="change_clockrule")
    officer.user_permissions.add(direct)
    group = Group.objects.create(name="calendar keepers")
    group.permissions.add(Permission.objects.get(codename="change_calendarday"))
    officer.groups.add(group)
    officer = User.objects.get(pk=officer.pk)  # a fresh object: the set is cached per object
    granted = backend.get_all_permissions(officer)
    assert granted == from_role | {"core.change_clockrule", "core.change_calendarday"}

    officer.role = None
    officer.save(update_fields=["role"])
    officer = User.objects.get(pk=officer.pk)
    assert backend.get_all_permissions(officer) == {
        "core.change_clockrule",
        "core.change_calendarday",
    }
    officer.is_superuser = True
    officer.__dict__.pop("_perm_cache")  # the set is cached per object
    assert len(backend.get_all_permissions(officer)) == Permission.objects.count()
