"""Org units and users: validation, tree moves, scope, the pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from fazhi.core import services
from fazhi.core.errors import NotAllowed
from fazhi.core.models import PATH_STEP, AuditEvent, OrgUnit, Role, User
from fazhi.core.tests import factories


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.LANGUAGE_CODE = "en"  # pages ignore Accept-Language
    with translation.override("en"):
        yield


@pytest.fixture
def county_admin(personas):
    """A user who manages units and users, but only within county A."""
    role = Role.objects.create(code="county_admin", name="County administrator", scope="agency")
    role.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="core",
            codename__in=[
                "view_orgunit",
                "add_orgunit",
                "change_orgunit",
                "view_user",
                "add_user",
                "change_user",
            ],
        )
    )
    user, _ = services.user_create(
        actor=factories.SYSTEM,
        username="a_admin",
        unit=personas.county_a,
        role=role,
        password="Passw0rd!2026",
    )
    return user


def _agency_fields(**overrides):
    fields = {
        "name": "鱼台县应急管理局",
        "kind": "agency",
        "level": "county",
        "region_code": "370827",
        "uscc": factories.make_uscc("370827", kind="11"),
        "sort_order": 0,
        "is_active": True,
    }
    fields.update(overrides)
    return fields


def _form_data(fields, parent=None):
    data = {k: v for k, v in fields.items() if k != "is_active"}
    if fields.get("is_active"):
        data["is_active"] = "on"
    if parent is not None:
        data["parent"] = parent.pk
    return data


# --- Validation ---


def test_agency_with_bad_region_code_and_uscc_is_refused_by_the_service(personas):
    with pytest.raises(ValidationError) as excinfo:
        services.orgunit_create(
            actor=personas.admin,
            parent=personas.city,
            **_agency_fields(region_code="370802", uscc="91370827MA00000000"),
        )
    errors = excinfo.value.message_dict
    assert "abolished in 2013" in errors["region_code"][0]
    assert "check character" in errors["uscc"][0]
    assert not OrgUnit.objects.filter(name="鱼台县应急管理局").exists()


def test_agency_needs_its_level(personas):
    with pytest.raises(ValidationError) as excinfo:
        services.orgunit_create(
            actor=personas.admin, parent=personas.city, **_agency_fields(level="")
        )
    assert "level" in excinfo.value.message_dict


def test_agency_with_bad_codes_shows_field_errors_on_the_page(personas):
    client = personas.client(personas.admin)
    data = _form_data(
        _agency_fields(region_code="37082X", uscc="91370827MA0000000I"), personas.city
    )
    response = client.post(reverse("core:unit_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "6 digits" in errors["region_code"][0]
    assert "“I”" in errors["uscc"][0]
    assert not OrgUnit.objects.filter(name="鱼台县应急管理局").exists()


def test_duplicate_uscc_is_a_field_error(personas):
    client = personas.client(personas.admin)
    data = _form_data(_agency_fields(uscc=personas.county_a.uscc), personas.city)
    response = client.post(reverse("core:unit_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_agency_created_through_the_page(personas):
    client = personas.client(personas.admin)
    response = client.post(
        reverse("core:unit_create"), _form_data(_agency_fields(), personas.city)
    )
    unit = OrgUnit.objects.get(name="鱼台县应急管理局")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:unit_detail", args=[unit.pk])
    assert unit.path == personas.city.path + f"{unit.pk:0{PATH_STEP}d}."
    assert AuditEvent.objects.filter(verb="core.orgunit.create", object_id=str(unit.pk)).exists()


def test_internal_unit_without_parent_is_refused(personas):
    with pytest.raises(ValidationError) as excinfo:
        services.orgunit_create(actor=personas.admin, name="孤立科室", kind="section")
    assert "must belong to an agency" in excinfo.value.message_dict["parent"][0]
    response = personas.client(personas.admin).post(
        reverse("core:unit_create"), {"name": "孤立科室", "kind": "section", "sort_order": 0}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]


def test_internal_unit_has_no_level(personas):
    with pytest.raises(ValidationError) as excinfo:
        services.orgunit_create(
            actor=personas.admin, name="科室", kind="section", level="county", parent=personas.city
        )
    assert "level" in excinfo.value.message_dict


# --- The tree ---


def test_moving_a_unit_rewrites_its_subtree_paths(personas):
    brigade = personas.county_a_brigade
    squad = factories.unit("一中队", brigade, kind="section")
    squad_child = factories.unit("内勤组", squad, kind="section")
    services.orgunit_update(actor=personas.admin, unit=brigade, parent=personas.county_b)
    brigade.refresh_from_db()
    squad.refresh_from_db()
    squad_child.refresh_from_db()
    assert brigade.path == personas.county_b.path + f"{brigade.pk:0{PATH_STEP}d}."
    assert squad.path == brigade.path + f"{squad.pk:0{PATH_STEP}d}."
    assert squad_child.path == squad.path + f"{squad_child.pk:0{PATH_STEP}d}."
    assert set(personas.county_b.subtree()) >= {brigade, squad, squad_child}
    assert not personas.county_a.subtree().filter(pk__in=[brigade.pk, squad.pk]).exists()
    assert list(squad_child.ancestors()) == [personas.city, personas.county_b, brigade, squad]
    # The officer of the moved brigade now belongs to county B's scope.
    officer = personas.county_a_officer
    officer.refresh_from_db()
    assert officer.unit.agency() == personas.county_b


def test_unit_cannot_be_its_own_ancestor(personas):
    for new_parent in (personas.county_a, personas.county_a_brigade):
        with pytest.raises(ValidationError) as excinfo:
            services.orgunit_update(
                actor=personas.admin, unit=personas.county_a, parent=new_parent
            )
        assert "under itself" in excinfo.value.message_dict["parent"][0]
    personas.county_a.refresh_from_db()
    assert personas.county_a.parent == personas.city


def test_moving_through_the_page_under_own_child_is_a_field_error(personas):
    client = personas.client(personas.admin)
    unit = personas.county_a
    data = _form_data(
        {
            "name": unit.name,
            "kind": "agency",
            "level": "county",
            "region_code": unit.region_code,
            "uscc": unit.uscc,
            "sort_order": 0,
            "is_active": True,
        },
        personas.county_a_brigade,
    )
    response = client.post(reverse("core:unit_edit", args=[unit.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]


# --- Scope ---


def test_county_admin_cannot_create_units_outside_scope(personas, county_admin):
    with pytest.raises(NotAllowed):
        services.orgunit_create(
            actor=county_admin, name="外县科室", kind="section", parent=personas.county_b
        )
    with pytest.raises(NotAllowed):
        services.orgunit_create(actor=county_admin, **_agency_fields())
    unit = services.orgunit_create(
        actor=county_admin, name="法规股", kind="section", parent=personas.county_a
    )
    assert unit.path.startswith(personas.county_a.path)


def test_county_admin_page_refuses_a_parent_outside_scope(personas, county_admin):
    client = personas.client(county_admin)
    response = client.post(
        reverse("core:unit_create"),
        {"name": "外县科室", "kind": "section", "parent": personas.county_b.pk, "sort_order": 0},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert not OrgUnit.objects.filter(name="外县科室").exists()
    response = client.post(
        reverse("core:unit_create"),
        {"name": "法规股", "kind": "section", "parent": personas.county_a.pk, "sort_order": 0},
    )
    assert response.status_code == 302


def test_county_admin_cannot_move_a_unit_out_of_scope(personas, county_admin):
    with pytest.raises(NotAllowed):
        services.orgunit_update(
            actor=county_admin, unit=personas.county_a_brigade, parent=personas.county_b
        )
    with pytest.raises(NotAllowed):
        services.orgunit_update(actor=county_admin, unit=personas.county_b_brigade, name="改名")
    assert (
        client_status(personas, county_admin, "core:unit_edit", personas.county_b_brigade.pk)
        == 404
    )


def test_county_admin_cannot_detach_their_agency_from_the_city(personas, county_admin):
    with pytest.raises(NotAllowed):
        services.orgunit_update(actor=county_admin, unit=personas.county_a, parent=None)
    personas.county_a.refresh_from_db()
    assert personas.county_a.parent == personas.city
    # Other edits of their own agency are fine, and the administrator may detach it.
    services.orgunit_update(actor=county_admin, unit=personas.county_a, short_name="任城区局")
    services.orgunit_update(actor=personas.admin, unit=personas.county_a, parent=None)
    personas.county_a.refresh_from_db()
    assert personas.county_a.path == f"{personas.county_a.pk:0{PATH_STEP}d}."


def client_status(personas, user, name, pk) -> int:
    return personas.client(user).get(reverse(name, args=[pk])).status_code


def test_officer_cannot_open_the_unit_or_user_forms(personas):
    client = personas.client(personas.county_a_officer)
    for name in ("core:unit_create", "core:user_create"):
        assert client.get(reverse(name)).status_code == 403


# --- Users ---


def test_user_created_through_the_page_shows_the_password_once(personas):
    client = personas.client(personas.admin)
    response = client.post(
        reverse("core:user_create"),
        {
            "username": "new_officer",
            "full_name": "新警员",
            "unit": personas.county_b_brigade.pk,
            "role": Role.objects.get(code="officer").pk,
            "is_active": "on",
        },
        follow=True,
    )
    user = User.objects.get(username="new_officer")
    assert response.redirect_chain[-1][0] == reverse("core:user_detail", args=[user.pk])
    messages = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    shown = [m for m in messages if "shown once" in m]
    assert len(shown) == 1
    password = shown[0].rsplit(": ", 1)[1]
    assert user.check_password(password)
    assert password not in client.get(reverse("core:user_detail", args=[user.pk])).content.decode()
    assert password not in str(list(AuditEvent.objects.values_list("after", flat=True)))


def test_county_admin_cannot_grant_system_admin(personas, county_admin):
    system_admin = Role.objects.get(code="system_admin")
    with pytest.raises(NotAllowed):
        services.user_create(
            actor=county_admin, username="x", unit=personas.county_a, role=system_admin
        )
    with pytest.raises(NotAllowed):
        services.user_update(actor=county_admin, user=personas.county_a_officer, role=system_admin)
    client = personas.client(county_admin)
    response = client.post(
        reverse("core:user_create"),
        {
            "username": "x",
            "unit": personas.county_a.pk,
            "role": system_admin.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert system_admin not in response.context["form"].fields["role"].queryset
    assert not User.objects.filter(username="x").exists()
    personas.county_a_officer.refresh_from_db()
    assert personas.county_a_officer.role.code == "officer"


def test_system_admin_can_grant_system_admin(personas):
    user, _ = services.user_create(
        actor=personas.admin,
        username="second_admin",
        unit=personas.city,
        role=Role.objects.get(code="system_admin"),
    )
    assert user.role is not None
    assert user.role.code == "system_admin"


def test_county_admin_cannot_create_users_outside_scope(personas, county_admin):
    officer = Role.objects.get(code="officer")
    with pytest.raises(NotAllowed):
        services.user_create(
            actor=county_admin, username="x", unit=personas.county_b, role=officer
        )
    with pytest.raises(NotAllowed):
        services.user_update(
            actor=county_admin, user=personas.county_a_officer, unit=personas.county_b
        )
    response = personas.client(county_admin).post(
        reverse("core:user_create"),
        {"username": "x", "unit": personas.county_b.pk, "role": officer.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]


def test_user_update_through_the_page_is_audited(personas):
    user = personas.county_b_officer
    response = personas.client(personas.admin).post(
        reverse("core:user_edit", args=[user.pk]),
        {
            "username": user.username,
            "full_name": "改名",
            "unit": user.unit_id,
            "role": user.role_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    event: Any = AuditEvent.objects.filter(verb="core.user.update", object_id=str(user.pk)).get()
    assert event.before["full_name"] == "b_officer"
    assert event.after["full_name"] == "改名"


def test_duplicate_username_is_a_field_error(personas):
    response = personas.client(personas.admin).post(
        reverse("core:user_create"),
        {
            "username": "a_officer",
            "unit": personas.county_a.pk,
            "role": Role.objects.get(code="officer").pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"]


# --- Lists ---


def _usernames(response) -> set[str]:
    assert response.status_code == 200
    return {u.username for u in response.context["object_list"]}


def test_user_list_is_scoped_searchable_and_filterable(personas):
    url = reverse("core:user_list")
    assert _usernames(personas.client(personas.county_a_officer).get(url)) == {"a_officer"}
    city = personas.client(personas.city_reviewer)
    everyone = _usernames(city.get(url))
    assert {"a_officer", "b_officer", "reviewer", "admin"} <= everyone
    assert "enterprise" not in everyone  # no unit: only the system administrator sees it
    assert _usernames(city.get(url, {"q": "b_off"})) == {"b_officer"}
    assert _usernames(city.get(url, {"role": "legal_reviewer"})) == {"reviewer"}
    assert _usernames(city.get(url, {"unit": personas.county_b.pk})) == {"b_officer"}
    assert _usernames(city.get(url, {"unit": "not-a-number"})) == everyone
    assert "enterprise" in _usernames(personas.client(personas.admin).get(url, {"per_page": 200}))


def test_user_list_paginates(personas):
    officer = Role.objects.get(code="officer")
    for index in range(30):
        services.user_create(
            actor=factories.SYSTEM,
            username=f"bulk{index:02d}",
            unit=personas.county_b_brigade,
            role=officer,
            password="Passw0rd!2026",
        )
    client = personas.client(personas.admin)
    url = reverse("core:user_list")
    first = client.get(url, {"q": "bulk"})
    assert len(first.context["object_list"]) == 25
    assert first.context["page_obj"].paginator.count == 30
    second = client.get(url, {"q": "bulk", "page": 2})
    assert len(second.context["object_list"]) == 5
    assert _usernames(first).isdisjoint(_usernames(second))
    assert "q=bulk" in first.context["querystring"]
    assert "page=2" in first.content.decode()
    assert len(client.get(url, {"q": "bulk", "per_page": 10}).context["object_list"]) == 10
    assert client.get(url, {"q": "bulk", "page": "zzz"}).status_code == 200


def test_user_list_query_count_does_not_grow_with_users(personas, django_assert_max_num_queries):
    officer = Role.objects.get(code="officer")
    for index in range(40):
        services.user_create(
            actor=factories.SYSTEM,
            username=f"bulk{index:02d}",
            unit=personas.county_b_brigade,
            role=officer,
            password="Passw0rd!2026",
        )
    client = personas.client(personas.admin)
    client.get(reverse("core:user_list"))  # warm the session
    # session, user, permissions (2), role, unit, count, unit and role filters, page, session save
    with django_assert_max_num_queries(13):
        response = client.get(reverse("core:user_list"), {"per_page": 50})
    assert len(response.context["object_list"]) == 49


def test_unit_list_is_scoped_searchable_and_filterable(personas):
    url = reverse("core:unit_list")

    def names(response):
        assert response.status_code == 200
        return {u.name for u in response.context["object_list"]}

    assert names(personas.client(personas.county_a_officer).get(url)) == {
        "任城区应急管理局",
        "任城区执法大队",
    }
    city = personas.client(personas.city_reviewer)
    assert len(names(city.get(url))) == 7
    assert names(city.get(url, {"q": "微山"})) == {"微山县应急管理局", "微山县执法大队"}
    assert names(city.get(url, {"q": "370826"})) == {"微山县应急管理局"}
    assert names(city.get(url, {"kind": "agency"})) == {
        "示范市应急管理局",
        "任城区应急管理局",
        "微山县应急管理局",
    }
    assert len(city.get(url, {"per_page": 2}).context["object_list"]) == 2


def test_unit_detail_is_scoped(personas):
    url = reverse("core:unit_detail", args=[personas.county_b.pk])
    assert personas.client(personas.county_a_officer).get(url).status_code == 404
    response = personas.client(personas.county_b_officer).get(url)
    assert response.status_code == 200
    assert list(response.context["children"]) == [personas.county_b_brigade]


# --- API ---


def test_api_units_are_scoped_and_paginated(personas):
    county_a = personas.client(personas.county_a_officer).get("/api/v1/units").json()
    assert {u["name"] for u in county_a["items"]} == {"任城区应急管理局", "任城区执法大队"}
    assert county_a["count"] == 2
    city = personas.client(personas.city_reviewer)
    everything = city.get("/api/v1/units").json()
    assert everything["count"] == 7
    page = city.get("/api/v1/units", {"limit": 3, "offset": 3}).json()
    assert page["count"] == 7
    assert [u["id"] for u in page["items"]] == [u["id"] for u in everything["items"][3:6]]
    assert city.get("/api/v1/units", {"kind": "agency"}).json()["count"] == 3
    assert city.get("/api/v1/units", {"q": "任城"}).json()["count"] == 2


def test_api_unit_detail_is_scoped(personas):
    path = f"/api/v1/units/{personas.county_b.pk}"
    assert personas.client(personas.county_a_officer).get(path).status_code == 404
    body = personas.client(personas.city_reviewer).get(path).json()
    assert body["region_code"] == "370826"
    assert body["parent_id"] == personas.city.pk


def test_api_users_are_scoped_and_paginated(personas):
    county_a = personas.client(personas.county_a_officer).get("/api/v1/users").json()
    assert [u["username"] for u in county_a["items"]] == ["a_officer"]
    city = personas.client(personas.city_reviewer)
    body = city.get("/api/v1/users", {"limit": 2}).json()
    assert len(body["items"]) == 2
    assert body["count"] >= 8
    assert city.get("/api/v1/users", {"role": "officer"}).json()["count"] == 3
    assert (
        city.get("/api/v1/users", {"unit": personas.county_b.pk}).json()["items"][0]["username"]
        == "b_officer"
    )
    assert (
        personas.client(personas.county_a_officer)
        .get(f"/api/v1/users/{personas.county_b_officer.pk}")
        .status_code
        == 404
    )
    me = city.get(f"/api/v1/users/{personas.county_b_officer.pk}").json()
    assert me["role"]["code"] == "officer"


def test_api_rejects_bad_paging_input(personas):
    client = personas.client(personas.city_reviewer)
    assert client.get("/api/v1/units", {"limit": "many"}).status_code == 422
    assert client.get("/api/v1/users", {"unit": "x"}).status_code == 422
