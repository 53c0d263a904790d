"""Self-service on one's own account; another user's needs the user administrator's grant."""

from __future__ import annotations

import pytest

from fazhi.core import services
from fazhi.core.errors import NotAllowed
from fazhi.core.models import ApiToken, AuditEvent

PASSWORD = "N3w-Passw0rd!2026"


def test_a_user_sets_their_own_password_and_keeps_their_own_tokens(personas):
    me = personas.county_a_officer
    token, _key = services.token_issue(actor=me, user=me, name="laptop")
    services.user_set_password(actor=me, user=me, password=PASSWORD, keep_tokens=True)
    me.refresh_from_db()
    assert me.check_password(PASSWORD)
    services.token_revoke(actor=me, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked


def test_an_officer_cannot_set_a_colleagues_password_or_tokens_even_in_scope(personas):
    # The city officer's scope covers the county brigades; the role has no core.change_user.
    officer, colleague = personas.city_officer, personas.county_a_officer
    token, _key = services.token_issue(actor=colleague, user=colleague, name="phone")
    events = AuditEvent.objects.count()
    with pytest.raises(NotAllowed):
        services.user_set_password(actor=officer, user=colleague, password=PASSWORD)
    with pytest.raises(NotAllowed):
        services.token_issue(actor=officer, user=colleague, name="mine now")
    with pytest.raises(NotAllowed):
        services.token_revoke(actor=officer, token=token)
    colleague.refresh_from_db()
    assert not colleague.check_password(PASSWORD)
    assert not ApiToken.objects.get(pk=token.pk).revoked
    assert AuditEvent.objects.count() == events


def test_the_user_administrator_may(personas):
    colleague = personas.county_a_officer
    services.user_set_password(actor=personas.admin, user=colleague, password=PASSWORD)
    colleague.refresh_from_db()
    assert colleague.check_password(PASSWORD)
    event = AuditEvent.objects.filter(verb="core.user.set_password").latest("seq")
    assert event.actor == personas.admin
