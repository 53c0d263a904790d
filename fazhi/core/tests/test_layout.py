"""The shared layout: error pages, menu registry, breadcrumbs, pager, dates."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse
from django.utils import translation

from fazhi.core import context_processors as nav
from fazhi.core.widgets import DateInput


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    *__import__("config.urls", fromlist=["urlpatterns"]).urlpatterns,
    path("probe/forbidden", _forbidden),
    path("probe/broken", _broken),
]
handler500 = "config.errors.server_error"


@pytest.mark.parametrize(
    ("language", "texts"),
    [("zh-hans", ("页面不存在", "返回首页")), ("en", ("Page not found", "Back to the home page"))],
)
def test_404_page_is_in_the_layout_with_a_way_back(personas, language, texts):
    client = personas.client(personas.county_a_officer)
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    for text in texts:
        assert text in html
    assert 'data-testid="sidebar"' in html
    assert 'data-testid="back-home"' in html


@pytest.mark.urls(__name__)
def test_403_page_is_chinese_in_the_layout(personas):
    response = personas.client(personas.county_a_officer).get("/probe/forbidden")
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html
    assert "403 Forbidden" not in html
    assert 'data-testid="site-header"' in html


@pytest.mark.urls(__name__)
def test_500_page_is_chinese_in_the_layout(personas, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(personas.county_a_officer)
    response = client.get("/probe/broken")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出现错误" in html
    assert 'data-testid="back-home"' in html
    assert "任城区应急管理局" in html  # the header names the user's bureau


def test_header_names_the_bureau_and_the_system_and_login_too(personas):
    html = personas.client(personas.county_a_officer).get(reverse("home")).content.decode()
    assert "任城区应急管理局" in html
    assert "行政执法综合管理平台" in html
    login = Client().get(reverse("login")).content.decode()
    assert "示范市应急管理局" in login  # the top agency before anyone logs in
    assert "行政执法综合管理平台" in login


def test_sidebar_groups_by_domain_and_breadcrumbs_follow_the_menu(personas):
    html = (
        personas.client(personas.admin)
        .get(reverse("core:unit_detail", args=[personas.county_a.pk]))
        .content.decode()
    )
    assert 'data-testid="sidebar"' in html
    crumbs = html.split('data-testid="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert "首页" in crumbs
    assert reverse("core:unit_list") in crumbs  # the detail sits under its list


def test_a_new_app_adds_a_domain_and_entries_without_editing_templates(personas, monkeypatch):
    monkeypatch.setattr(nav, "NAV_GROUPS", dict(nav.NAV_GROUPS))
    monkeypatch.setattr(nav, "NAVIGATION", list(nav.NAVIGATION))
    nav.register_nav_group("probe", "探针业务", before="system")
    nav.register_nav(nav.NavItem("探针列表", "core:code_check", group="probe"))
    html = personas.client(personas.admin).get(reverse("home")).content.decode()
    sidebar = html.split('data-testid="sidebar"', 1)[1]
    assert sidebar.index("探针业务") < sidebar.index("系统")
    assert "探针列表" in sidebar


def _sidebar(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    return html.split('data-testid="sidebar"', 1)[1].split("</nav>", 1)[0]


def test_the_remembered_sidebar_follows_the_user_the_page_and_the_language(personas):
    """The sidebar's markup is written once per entry set, page and language
    and reused: a second user, page or language never gets another's."""
    audit = reverse("core:audit_list")
    admin = personas.client(personas.admin)
    officer = personas.client(personas.county_a_officer)
    for _round in range(2):  # the second round is answered from memory
        assert audit in _sidebar(admin, reverse("home"))
        assert audit not in _sidebar(officer, reverse("home"))
        on_units = _sidebar(admin, reverse("core:unit_list"))
        current = on_units.split('aria-current="page"', 1)[0].rsplit("<a ", 1)[1]
        assert reverse("core:unit_list") in current
        assert 'aria-current="page"' not in _sidebar(admin, "/no-such-page/")
        admin.cookies["django_language"] = "en"
        assert "Audit log" in _sidebar(admin, reverse("home"))
        admin.cookies["django_language"] = "zh-hans"
        assert "Audit log" not in _sidebar(admin, reverse("home"))


def test_collapsed_sidebar_is_remembered(personas):
    client = personas.client(personas.admin)
    client.cookies["fz_sidebar"] = "collapsed"
    assert "fz-sidebar-collapsed" in client.get(reverse("home")).content.decode()


def test_pager_says_total_pages_and_offers_sizes_and_a_jump(personas):
    client = personas.client(personas.admin)
    html = client.get(reverse("core:unit_list"), {"per_page": 2, "page": 2}).content.decode()
    assert "共 7 条" in html  # the seven units of the personas' org tree
    assert "第 2 / 4 页" in html
    assert "跳至第" in html
    assert 'name="per_page"' in html
    assert "?per_page=2&page=3" in html  # links keep the chosen size


def test_date_inputs_carry_iso_dates_in_chinese():
    class Form(forms.Form):
        plain = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        ours = forms.DateField(widget=DateInput())

    day = datetime.date(2021, 9, 1)
    with translation.override("zh-hans"):
        html = str(Form(initial={"plain": day, "ours": day}))
        assert html.count('value="2021-09-01"') == 2
        bound = Form(data={"plain": "2021-09-01", "ours": "2021/09/01"})
        assert bound.is_valid()


def test_blank_choice_is_chinese():
    from django.db.models.fields import BLANK_CHOICE_LABEL

    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"


def test_unit_pickers_name_the_agency_of_each_section(personas, django_assert_max_num_queries):
    from fazhi.core.formfields import UnitChoiceField
    from fazhi.core.models import OrgUnit
    from fazhi.core.tests import factories

    factories.unit("法规股", personas.county_a)
    factories.unit("法规股", personas.county_b)
    field = UnitChoiceField(queryset=OrgUnit.objects.select_related("parent"))
    with django_assert_max_num_queries(1):
        labels = [label for _value, label in field.iterator(field)]
    assert "任城区应急管理局 / 法规股" in labels
    assert "微山县应急管理局 / 法规股" in labels
    assert "示范市应急管理局" in labels
