"""Names sort in pinyin order on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fazhi.core.collation import by_pinyin, pinyin_key
from fazhi.core.models import User
from fazhi.core.tests import factories
from fazhi.registry.tests import factories as rf

pytestmark = pytest.mark.django_db

NAMES = ["张伟", "安然", "王芳", "李娜", "赵磊", "陈静"]
PINYIN_ORDER = ["安然", "陈静", "李娜", "王芳", "张伟", "赵磊"]


def test_the_key_orders_by_pinyin_not_by_code_point():
    assert sorted(NAMES) != PINYIN_ORDER  # code points would put 张 before 李
    assert sorted(NAMES, key=pinyin_key) == PINYIN_ORDER


def test_the_database_orders_names_by_pinyin(personas):
    for n, name in enumerate(NAMES):
        factories.user(f"p{n}", personas.county_a_brigade, "officer", full_name=name)
    found = list(
        User.objects.filter(full_name__in=NAMES)
        .order_by(by_pinyin("full_name"))
        .values_list("full_name", flat=True)
    )
    assert found == PINYIN_ORDER


def test_officers_of_one_unit_are_listed_by_pinyin(personas):
    for name in NAMES:
        rf.officer(personas.county_a_brigade, full_name=name)
    page = personas.client(personas.city_reviewer).get(reverse("registry:officer_list"))
    names = [o.full_name for o, _cert in page.context["rows"] if o.full_name in NAMES]
    assert names == PINYIN_ORDER
