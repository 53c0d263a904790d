"""The clock API and pages: due dates, derivations, rules, calendar, overrides."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from fazhi.core import services
from fazhi.core.calendar import PACKAGE_MAX_YEAR
from fazhi.core.clock_rules import clock_rule_get
from fazhi.core.models import AuditEvent, CalendarDay, CalendarYear, ClockRule

pytestmark = pytest.mark.django_db

D = datetime.date
UNKNOWN_YEAR = PACKAGE_MAX_YEAR + 1


API = "/api/v1/clock"


# -- API -------------------------------------------------------------------------


def test_deadline_by_rule_returns_due_date_derivation_and_rule(personas) -> None:
    client = personas.client(personas.county_a_officer)
    response = client.get(f"{API}/deadline", {"start": "2025-09-16", "rule": "penalty_payment"})
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2025-10-09"
    assert body["provisional"] is False
    assert body["rule"]["code"] == "penalty_payment"
    assert body["rule"]["verified"] is True
    assert "第六十七条" in body["rule"]["source"]
    rolled = [s for s in body["derivation"] if s["kind"] == "rolled"]
    assert next(s["date"] for s in rolled) == "2025-10-01"
    assert all(s["text"] for s in body["derivation"])


def test_deadline_by_length_and_unit_with_pauses(personas) -> None:
    client = personas.client(personas.licensing_clerk)
    response = client.get(
        f"{API}/deadline",
        {
            "start": "2025-03-03",
            "length": "20",
            "unit": "workday",
            "pause": ["2025-03-10..2025-03-14:专家评审"],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due"] == "2025-04-08"
    assert body["pauses"] == [{"start": "2025-03-10", "end": "2025-03-14", "reason": "专家评审"}]
    assert sum(1 for s in body["derivation"] if s["kind"] == "paused") == 5
    assert body["rule"] is None


def test_repeated_pause_parameters_all_apply(personas) -> None:
    client = personas.client(personas.licensing_clerk)
    response = client.get(
        f"{API}/deadline?start=2025-03-03&rule=license_decision"
        "&pause=2025-03-10..2025-03-11&pause=2025-03-17..2025-03-17"
    )
    assert response.status_code == 200, response.content
    assert response.json()["due"] == "2025-04-03"  # 20 WD (03-31) + 3 paused WD


def test_unverified_rule_and_unknown_year_are_flagged(personas) -> None:
    client = personas.client(personas.city_reviewer)
    body = client.get(
        f"{API}/deadline", {"start": f"{UNKNOWN_YEAR}-03-01", "rule": "legal_review"}
    ).json()
    assert body["provisional"] is True
    assert body["unknown_years"] == [UNKNOWN_YEAR]
    assert body["rule"]["verified"] is False
    assert len(body["warnings"]) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2025-01-01", "rule": "no_such_rule"}, "rule"),
        ({"start": "2025-01-01", "length": "0", "unit": "workday"}, "length"),
        ({"start": "2025-01-01", "length": "-3", "unit": "workday"}, "length"),
        ({"start": "2025-01-01", "length": "abc", "unit": "workday"}, "length"),
        ({"start": "2025-13-01", "length": "3", "unit": "workday"}, "start"),
        ({"length": "3", "unit": "workday"}, "start"),
        ({"start": "2025-01-01", "length": "3", "unit": "fortnight"}, "unit"),
        ({"start": "2025-01-01", "length": "3"}, "unit"),
        ({"start": "2025-01-01", "length": "99999", "unit": "workday"}, "length"),
        ({"start": "1999-06-01", "rule": "reconsideration_application"}, "rule"),
        ({"start": "2025-01-01", "length": "3", "unit": "workday", "pause": "2025-01"}, "pause"),
        (
            {
                "start": "2025-01-01",
                "length": "3",
                "unit": "workday",
                "pause": "2025-02-05..2025-02-01",
            },
            "pause",
        ),
        ({"start": "9999-12-01", "length": "90", "unit": "calendar"}, "length"),
    ],
)
def test_bad_input_gives_422_with_the_field(personas, params, field) -> None:
    client = personas.client(personas.county_a_officer)
    response = client.get(f"{API}/deadline", params)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert field in detail
    assert detail[field][0]


def test_error_messages_follow_the_users_language(personas) -> None:
    client = personas.client(personas.county_a_officer)
    params = {"start": "2025-01-01", "rule": "no_such_rule"}
    english = client.get(f"{API}/deadline", params, headers={"Accept-Language": "en"}).json()
    assert english["detail"]["rule"] == ["There is no time-limit rule no_such_rule."]
    with translation.override("en"):
        response = client.get(f"{API}/deadline", {"start": "x"}, headers={"Accept-Language": "en"})
    assert response.json()["detail"]["start"] == ["Enter a valid date."]


def test_anonymous_gets_401(personas) -> None:
    client = personas.client(None)
    for path in ("/deadline?start=2025-01-01&rule=penalty_payment", "/rules", "/calendar"):
        assert client.get(API + path).status_code == 401


def test_bearer_token_works(personas) -> None:
    _token, key = services.token_issue(
        actor=personas.county_a_officer, user=personas.county_a_officer, name="cli"
    )
    client = personas.client(None)
    response = client.get(
        f"{API}/deadline",
        {"start": "2026-02-12", "length": "5", "unit": "workday"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
    assert response.json()["due"] == "2026-02-26"


def test_rules_lists_versions_in_force_on_a_date(personas) -> None:
    client = personas.client(personas.county_a_officer)
    codes_2025 = {r["code"] for r in client.get(f"{API}/rules", {"on": "2025-06-01"}).json()}
    codes_2023 = {r["code"] for r in client.get(f"{API}/rules", {"on": "2023-06-01"}).json()}
    codes_2020 = {r["code"] for r in client.get(f"{API}/rules", {"on": "2020-06-01"}).json()}
    assert "reconsideration_application" in codes_2025
    # 2021's 90-day decision limit is new; the hearing request existed (3 days, 1996).
    assert "penalty_decision" in codes_2023
    assert "penalty_decision" not in codes_2020
    assert "penalty_hearing_request" in codes_2020
    unverified = client.get(f"{API}/rules", {"verified": "false"}).json()
    assert unverified
    assert all(not r["verified"] for r in unverified)
    assert client.get(f"{API}/rules", {"on": "yesterday"}).status_code == 422
    assert client.get(f"{API}/rules", {"unit": "weeks"}).status_code == 422


def test_calendar_lists_a_years_special_days(personas) -> None:
    client = personas.client(personas.county_a_officer)
    body = client.get(f"{API}/calendar", {"year": "2026"}).json()
    assert body["known"] is True
    assert "2026" in body["source"]
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-02-14"]["kind"] == "makeup_workday"
    assert days["2026-02-15"]["kind"] == "holiday"
    assert days["2026-02-15"]["name"] == "春节"
    assert days["2026-02-15"]["origin"] == "package"
    unknown = client.get(f"{API}/calendar", {"year": str(UNKNOWN_YEAR)}).json()
    assert unknown["known"] is False
    assert unknown["days"] == []
    assert client.get(f"{API}/calendar", {"year": "20x6"}).status_code == 422
    assert client.get(f"{API}/calendar", {"year": "1066"}).status_code == 422


# -- pages -------------------------------------------------------------------------


def test_clock_page_renders_the_due_date_and_derivation(personas) -> None:
    client = personas.client(personas.county_a_officer)
    response = client.get(
        reverse("core:clock"), {"start": "2025-09-26", "length": "7", "unit": "workday"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="due-date">2025-10-13' in html
    assert "国庆节" in html
    assert "中秋" in html
    assert html.count('class="list-group-item d-flex gap-3 skipped') >= 10


def test_clock_page_with_rule_and_pause_rows(personas) -> None:
    client = personas.client(personas.licensing_clerk)
    response = client.get(
        reverse("core:clock"),
        {
            "rule": "license_decision",
            "start": "2025-03-03",
            "pause_start_1": "2025-03-10",
            "pause_end_1": "2025-03-14",
            "pause_reason_1": "专家评审",
        },
    )
    html = response.content.decode()
    assert 'data-testid="due-date">2025-04-08' in html
    assert "专家评审" in html
    assert "第四十二条" in html


def test_clock_page_badges_unverified_rules_and_provisional_dates(personas) -> None:
    client = personas.client(personas.county_a_officer)
    html = client.get(
        reverse("core:clock"), {"rule": "legal_review", "start": f"{UNKNOWN_YEAR}-03-01"}
    ).content.decode()
    assert 'data-testid="unverified"' in html
    assert 'data-testid="provisional"' in html


def test_clock_page_shows_field_errors(personas) -> None:
    client = personas.client(personas.county_a_officer)
    response = client.get(
        reverse("core:clock"),
        {"start": "2025-03-03", "length": "0", "unit": "workday", "pause_start_1": "2025-03-05"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "length" in form.errors
    assert "pause_end_1" in form.errors
    assert response.context["result"] is None


def test_clock_page_without_parameters_is_an_empty_form(personas) -> None:
    response = personas.client(personas.enterprise).get(reverse("core:clock"))
    assert response.status_code == 200
    assert response.context["result"] is None


def test_clock_page_requires_login(personas) -> None:
    response = personas.client(None).get(reverse("core:clock"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_calendar_page_lists_days_with_their_origin(personas) -> None:
    CalendarDay.objects.create(
        date=D(2026, 2, 24), kind="holiday", name="春节（延长）", source="测试通知"
    )
    client = personas.client(personas.county_a_officer)
    response = client.get(reverse("core:calendar"), {"year": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-02-14" in html
    assert "春节（延长）" in html
    assert "测试通知" in html
    rows = response.context["object_list"]
    origins = {row["info"].date: row["info"].origin for row in rows}
    assert origins[D(2026, 2, 24)] == "override"
    assert origins[D(2026, 2, 15)] == "package"
    assert 'data-testid="override-form"' not in html  # officers only read
    filtered = client.get(reverse("core:calendar"), {"year": "2026", "origin": "override"})
    assert [row["info"].date for row in filtered.context["object_list"]] == [D(2026, 2, 24)]


def test_calendar_page_flags_an_unknown_year(personas) -> None:
    client = personas.client(personas.admin)
    response = client.get(reverse("core:calendar"), {"year": str(UNKNOWN_YEAR)})
    assert response.context["known"] is False
    assert 'data-testid="known-year-form"' in response.content.decode()


def test_admin_enters_an_override_and_marks_a_year_known(personas) -> None:
    client = personas.client(personas.admin)
    url = reverse("core:calendar") + f"?year={UNKNOWN_YEAR}"
    response = client.post(
        url,
        {
            "action": "day",
            "day-date": f"{UNKNOWN_YEAR}-02-08",
            "day-kind": "holiday",
            "day-name": "春节",
            "day-source": "国务院办公厅通知",
        },
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=D(UNKNOWN_YEAR, 2, 8)).name == "春节"
    response = client.post(
        url, {"action": "known", "known-year": str(UNKNOWN_YEAR), "known-source": "国办发明电"}
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=UNKNOWN_YEAR).source == "国办发明电"
    body = client.get(f"{API}/calendar", {"year": str(UNKNOWN_YEAR)}).json()
    assert body["known"] is True
    assert body["days"][0]["origin"] == "override"
    assert AuditEvent.objects.filter(verb__startswith="core.calendar").count() == 2


def test_calendar_form_errors_are_shown_not_raised(personas) -> None:
    client = personas.client(personas.admin)
    response = client.post(
        reverse("core:calendar") + "?year=2026",
        {"action": "known", "known-year": "2025", "known-source": "x"},
    )
    assert response.status_code == 200
    assert "year" in response.context["year_form"].errors
    response = client.post(
        reverse("core:calendar") + "?year=2026",
        {"action": "day", "day-date": "not a date", "day-kind": "holiday", "day-source": ""},
    )
    assert response.status_code == 200
    assert {"date", "source"} <= set(response.context["day_form"].errors)


def test_admin_removes_an_override(personas) -> None:
    day = CalendarDay.objects.create(date=D(2026, 3, 4), kind="holiday", source="x")
    client = personas.client(personas.admin)
    response = client.post(
        reverse("core:calendar") + "?year=2026", {"action": "delete", "pk": day.pk}
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()


def test_officer_cannot_post_overrides(personas) -> None:
    client = personas.client(personas.county_a_officer)
    response = client.post(
        reverse("core:calendar"),
        {"action": "day", "day-date": "2026-03-04", "day-kind": "holiday", "day-source": "x"},
    )
    assert response.status_code == 404
    assert not CalendarDay.objects.exists()


def test_enterprise_user_cannot_see_the_calendar_page(personas) -> None:
    assert personas.client(personas.enterprise).get(reverse("core:calendar")).status_code == 403


def test_rule_list_searches_and_filters(personas) -> None:
    client = personas.client(personas.county_a_officer)
    response = client.get(reverse("core:clockrule_list"), {"q": "许可", "verified": "yes"})
    assert response.status_code == 200
    codes = {rule.code for rule in response.context["object_list"]}
    assert "license_decision" in codes
    assert "penalty_decision" not in codes
    unverified = client.get(reverse("core:clockrule_list"), {"verified": "no"})
    assert {r.code for r in unverified.context["object_list"]} == set(
        ClockRule.objects.filter(verified=False).values_list("code", flat=True)
    )
    assert "badge-unverified" in unverified.content.decode()
    assert "New version" not in response.content.decode()


def test_admin_adds_a_rule_version_through_the_form(personas) -> None:
    client = personas.client(personas.admin)
    form = client.get(reverse("core:clockrule_create"), {"code": "penalty_payment"})
    assert form.context["form"].initial["length"] == 15
    response = client.post(
        reverse("core:clockrule_create"),
        {
            "code": "penalty_payment",
            "name": "缴纳罚款（修订）",
            "length": "20",
            "unit": "calendar",
            "roll_forward": "on",
            "source": "假设的修订",
            "verified": "on",
            "effective_from": "2030-01-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    body = (
        personas.client(personas.admin)
        .get(f"{API}/deadline", {"start": "2030-03-02", "rule": "penalty_payment"})
        .json()
    )
    assert body["rule"]["name"] == "缴纳罚款（修订）"
    assert body["length"] == 20


def test_rule_version_form_reports_collisions_on_the_field(personas) -> None:
    client = personas.client(personas.admin)
    response = client.post(
        reverse("core:clockrule_create"),
        {
            "code": "penalty_payment",
            "name": "x",
            "length": "15",
            "unit": "calendar",
            "source": "x",
            "effective_from": "2021-07-15",
        },
    )
    assert response.status_code == 200
    assert "effective_from" in response.context["form"].errors


def test_admin_marks_a_rule_verified(personas) -> None:
    rule = ClockRule.objects.get(code="legal_review")
    client = personas.client(personas.admin)
    response = client.post(
        reverse("core:clockrule_edit", args=[rule.pk]),
        {"name": rule.name, "source": "某省规定", "verified": "on", "notes": ""},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.verified
    assert rule.source == "某省规定"


def test_officer_cannot_edit_rules(personas) -> None:
    rule = ClockRule.objects.get(code="legal_review")
    client = personas.client(personas.county_a_officer)
    assert client.get(reverse("core:clockrule_create")).status_code == 404
    assert client.get(reverse("core:clockrule_edit", args=[rule.pk])).status_code == 404


def test_a_province_version_applies_to_its_units_only(personas) -> None:
    # 行政许可法 Art. 47's five days are the applicant's period; whether they are
    # working days is left to each province (rule unverified): Shandong's version
    # in calendar days applies to Shandong units, the national one elsewhere.
    client = personas.client(personas.admin)
    form = client.get(
        reverse("core:clockrule_create"), {"code": "license_hearing_request", "province": "37"}
    )
    assert form.context["form"].initial["unit"] == "workday"
    response = client.post(
        reverse("core:clockrule_create"),
        {
            "code": "license_hearing_request",
            "name": "申请人、利害关系人申请听证（山东）",
            "length": "5",
            "unit": "calendar",
            "roll_forward": "on",
            "source": "《行政许可法》第四十七条第一款",
            "province": "37",
            "effective_from": "2004-07-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    national = clock_rule_get("license_hearing_request", on=datetime.date(2026, 9, 28))
    shandong = clock_rule_get(
        "license_hearing_request", on=datetime.date(2026, 9, 28), province="37"
    )
    assert (national.unit, national.province) == ("workday", "")
    assert (shandong.unit, shandong.province) == ("calendar", "37")
    assert (
        clock_rule_get("license_hearing_request", on=datetime.date(2026, 9, 28), province="14")
        == national
    )
    # The national line was not closed by the province's version.
    assert national.effective_to is None
    # A unit finds its province through its own or an ancestor's region code.
    personas.city.region_code = "370800"
    personas.city.save(update_fields=["region_code"])
    personas.county_a.region_code = ""
    personas.county_a.save(update_fields=["region_code"])
    assert personas.county_a.province() == "37"
    # 2026-09-28 (Mon) + 5 calendar days = 10-03, a holiday: rolls to 10-09; 5
    # working days from 09-28 end on 10-10 (make-up Saturday) in the national rule.
    body = client.get(
        f"{API}/deadline",
        {"start": "2026-09-28", "rule": "license_hearing_request", "province": "37"},
    ).json()
    assert body["unit"] == "calendar"
    plain = client.get(
        f"{API}/deadline", {"start": "2026-09-28", "rule": "license_hearing_request"}
    ).json()
    assert plain["unit"] == "workday"
    assert body["due"] != plain["due"]
    listing = client.get(reverse("core:clockrule_list"), {"q": "license_hearing_request"})
    assert "山东省" in listing.content.decode()
    rules = client.get(f"{API}/rules", {"q": "license_hearing_request"}).json()
    assert {r["province"] for r in rules} == {"", "37"}
