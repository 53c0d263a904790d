"""The kit's small parts: actors, the policy, row locks, effective-dated rule rows."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from fazhi.core import policy
from fazhi.core.actors import Actor, SystemActor, actor_label
from fazhi.core.errors import NotAllowed, OutOfScope
from fazhi.core.locks import lock_row, lock_rows
from fazhi.core.models import AuditEvent, ClockRule, OrgUnit
from fazhi.core.rule_rows import rule_row_save, rule_rows_load
from fazhi.core.tests import factories

pytestmark = pytest.mark.django_db

# -- actors ---------------------------------------------------------------------------


def test_a_system_actor_may_do_everything_everywhere_and_is_named_by_its_label(personas):
    worker = SystemActor("import worker")
    assert isinstance(worker, Actor)
    assert isinstance(personas.county_a_officer, Actor)
    policy.require(worker, "core.change_orgunit", unit=personas.county_b)
    assert policy.scope_paths(worker) is None
    with translation.override("zh-hans"):
        assert actor_label(worker) == "系统：import worker"
    assert actor_label(personas.county_a_officer) == "a_officer"
    with pytest.raises(ValueError, match="label"):
        SystemActor(" ")


# -- policy ---------------------------------------------------------------------------


def test_require_refuses_a_missing_permission_with_403_before_looking_at_scope(personas):
    with pytest.raises(NotAllowed) as refused:
        policy.require(personas.county_a_officer, "core.change_orgunit", unit=personas.county_b)
    assert type(refused.value) is NotAllowed
    assert refused.value.status_code == 403


def test_require_refuses_a_unit_outside_the_scope_with_404(personas):
    officer = personas.county_a_officer
    policy.require(officer, "core.add_attachment", unit=personas.county_a_brigade)
    with pytest.raises(OutOfScope) as refused:
        policy.require(officer, "core.add_attachment", unit=personas.county_b_brigade)
    assert refused.value.status_code == 404
    assert policy.allowed(officer, "core.add_attachment", unit=personas.county_a)
    assert not policy.allowed(officer, "core.add_attachment", unit=personas.county_b)
    assert not policy.allowed(AnonymousUser(), "core.view_orgunit")


def _page(request):
    return HttpResponse("ok")


def _request(user):
    request = RequestFactory().get("/x/")
    request.user = user
    return request


def test_pages_redirect_anonymous_users_then_answer_403_for_role_and_404_for_scope(personas):
    guarded = policy.view_requires("core.view_orgunit")(_page)
    assert guarded(_request(AnonymousUser())).status_code == 302
    with pytest.raises(PermissionDenied):
        guarded(_request(personas.enterprise))
    assert guarded(_request(personas.county_a_officer)).status_code == 200

    def out_of_scope(request):
        raise OutOfScope("x")

    def not_allowed(request):
        raise NotAllowed("x")

    def missing(request):
        return OrgUnit.objects.get(pk=0)

    with pytest.raises(Http404):
        policy.view_requires()(out_of_scope)(_request(personas.county_a_officer))
    with pytest.raises(PermissionDenied):
        policy.view_requires()(not_allowed)(_request(personas.county_a_officer))
    with pytest.raises(Http404):
        policy.view_requires()(missing)(_request(personas.county_a_officer))


def test_the_api_answers_403_for_role_and_404_for_scope(personas):
    from config.api import domain_error

    request = RequestFactory().get("/api/v1/x")
    assert domain_error(request, NotAllowed("no")).status_code == 403
    response = domain_error(request, OutOfScope("secret name"))
    assert response.status_code == 404
    assert b"secret name" not in response.content


@pytest.fixture
def county_reviewer(personas):
    legal = factories.unit("任城区法制股", personas.county_a)
    return factories.user("a_reviewer", legal, "legal_reviewer")


def test_rule_data_belongs_to_the_level_that_issued_it(personas, county_reviewer):
    city_reviewer, admin = personas.city_reviewer, personas.admin
    province = factories.agency("山东省应急管理厅", "370000", "province")
    owner = policy.require_rule_owner
    # National and provincial rows: system administrators only.
    owner(admin, level_unit=None)
    owner(admin, level_unit=personas.county_b)
    for actor in (city_reviewer, county_reviewer):
        with pytest.raises(NotAllowed):
            owner(actor, level_unit=None)
        with pytest.raises(NotAllowed):
            owner(actor, level_unit=province)
    # The city's rows: the city's legal section, not a county, not an officer.
    owner(city_reviewer, level_unit=personas.city)
    owner(city_reviewer, level_unit=personas.city_legal)
    with pytest.raises(NotAllowed):
        owner(county_reviewer, level_unit=personas.city)
    with pytest.raises(NotAllowed):
        owner(personas.city_officer, level_unit=personas.city)
    # A county's own additions: that county.
    owner(county_reviewer, level_unit=personas.county_a)
    with pytest.raises(NotAllowed):
        owner(county_reviewer, level_unit=personas.county_b)
    with pytest.raises(NotAllowed):
        owner(city_reviewer, level_unit=personas.county_a)
    assert policy.may_own_rules(county_reviewer, personas.county_a)
    assert not policy.may_own_rules(county_reviewer, None)


# -- locks ------------------------------------------------------------------------------


def test_lock_rows_returns_rows_in_primary_key_order_whatever_the_order_asked(personas):
    units = [personas.county_b, personas.city, personas.county_a]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        rows = lock_rows(OrgUnit, [u.pk for u in units])
    assert [r.pk for r in rows] == sorted(u.pk for u in units)
    sql = queries.captured_queries[-1]["sql"].upper()
    assert "ORDER BY" in sql
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in sql


def test_lock_rows_names_missing_rows(personas):
    with transaction.atomic(), pytest.raises(OrgUnit.DoesNotExist, match="999999"):
        lock_rows(OrgUnit.objects.all(), [personas.city.pk, 999999])


def test_lock_row_returns_a_fresh_copy(personas):
    stale = OrgUnit.objects.get(pk=personas.city.pk)
    OrgUnit.objects.filter(pk=stale.pk).update(name="改名后")
    with transaction.atomic():
        assert lock_row(stale).name == "改名后"


# -- effective-dated rule rows ---------------------------------------------------------------


def test_in_force_picks_the_version_valid_on_a_day():
    day = datetime.date(2026, 3, 2)
    rules = ClockRule.objects.in_force(day).filter(code="penalty_payment")
    assert [r.in_force_on(day) for r in rules] == [True]
    bad = ClockRule(
        code="x",
        name="x",
        length=1,
        unit="workday",
        source="s",
        effective_from=day,
        effective_to=day - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "effective_to" in error.value.message_dict


def test_rule_row_save_checks_ownership_and_audits_before_and_after(personas):
    rule = ClockRule.objects.get(code="penalty_payment", effective_to__isnull=True)
    rule.notes = "changed"
    with pytest.raises(NotAllowed):
        rule_row_save(
            actor=personas.city_reviewer,
            instance=rule,
            fields=["notes"],
            verb="core.clockrule.update",
        )
    with pytest.raises(NotAllowed):
        rule_row_save(
            actor=personas.county_a_officer,
            instance=rule,
            fields=["notes"],
            verb="core.clockrule.update",
            permission="core.change_clockrule",
        )
    rule_row_save(
        actor=personas.admin, instance=rule, fields=["notes"], verb="core.clockrule.update"
    )
    event = AuditEvent.objects.get(verb="core.clockrule.update")
    assert (event.before, event.after) == ({"notes": ""}, {"notes": "changed"})


def test_rule_rows_load_creates_updates_and_leaves_equal_rows_alone(personas, tmp_path):
    data = tmp_path / "rules.tsv"
    header = "code\tname\tlength\tunit\tsource\tverified\teffective_from\teffective_to\n"
    data.write_text(
        header + "kit_a\t甲\t5\tworkday\t某法第1条\ttrue\t2026-01-01\t\n", encoding="utf-8"
    )
    keys = ["code", "effective_from"]
    assert rule_rows_load(data, ClockRule, keys).created == 1
    row = ClockRule.objects.get(code="kit_a")
    assert (row.length, row.verified, row.effective_to) == (5, True, None)
    assert rule_rows_load(data, ClockRule, keys).unchanged == 1
    data.write_text(
        header + "kit_a\t甲\t7\tworkday\t某法第1条\tfalse\t2026-01-01\t\n", encoding="utf-8"
    )
    result = rule_rows_load(
        data, ClockRule, keys, actor=personas.admin, verb="core.clockrule.load"
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert ClockRule.objects.get(code="kit_a").length == 7
    assert AuditEvent.objects.filter(verb="core.clockrule.load").count() == 1
    json_file = tmp_path / "rules.json"
    json_file.write_text(
        '[{"code": "kit_b", "name": "乙", "length": 3, "unit": "calendar", "source": "s",'
        ' "effective_from": "2026-01-01"}]',
        encoding="utf-8",
    )
    assert rule_rows_load(json_file, ClockRule, keys).created == 1
