"""Personas shared by every app's tests: permission tests are one line each.

The org tree: a city bureau (法规科, 执法支队) with two counties, A and B, each
with its own detachment. Persona users act for those units.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from fazhi.core.models import OrgUnit, User
from fazhi.core.tests import factories

PASSWORD = "Passw0rd!2026"


@dataclass
class Personas:
    city: OrgUnit
    city_legal: OrgUnit
    city_detachment: OrgUnit
    county_a: OrgUnit
    county_a_brigade: OrgUnit
    county_b: OrgUnit
    county_b_brigade: OrgUnit
    admin: User
    city_reviewer: User
    city_officer: User
    county_a_officer: User
    county_b_officer: User
    leader: User
    supervisor: User
    licensing_clerk: User
    enterprise: User

    def client(self, user: User | None) -> Client:
        """A logged-in client for ``user`` (anonymous when None)."""
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Hash test passwords with MD5: argon2 costs ~0.1 s per persona.

    Tests marked ``real_password_hashing`` keep the production hashers.
    """
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def mark_two_factor_verified(client: Client) -> None:
    """Mark a test client's session as having passed the second factor."""
    from fazhi.core import two_factor

    session = client.session
    session[two_factor.SESSION_KEY] = two_factor.VERIFIED
    session.save()


@pytest.fixture(autouse=True)
def _two_factor_verified(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Client.force_login`` also passes the second factor (administrators need one).

    Tests marked ``real_two_factor`` log in with the password only, as a browser does.
    """
    if request.node.get_closest_marker("real_two_factor") is not None:
        return
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        mark_two_factor_verified(self)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep files that tests store (attachments, 文书) out of var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


@pytest.fixture(autouse=True)
def _site_language() -> Any:
    """Every test starts in the site's language (zh-hans): a test that switched to
    English (a request with the English cookie, ``translation.activate``) must not
    decide the language of the next test in the same worker."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    """Run tasks in the test process; production's default is the database worker."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _audit_anchor(settings: Any, tmp_path: Any) -> None:
    """Each test anchors its audit chain in a file of its own."""
    settings.AUDIT_ANCHOR_KEY = "test-anchor-key-" + "k" * 32
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit" / "checkpoints.log"


@pytest.fixture
def personas(db: None) -> Personas:
    city = factories.agency("示范市应急管理局", "370800", "city")
    city_legal = factories.unit("政策法规科", city)
    city_detachment = factories.unit("应急管理综合行政执法支队", city, kind="detachment")
    county_a = factories.agency("任城区应急管理局", "370811", "county", parent=city)
    county_a_brigade = factories.unit("任城区执法大队", county_a, kind="brigade")
    county_b = factories.agency("微山县应急管理局", "370826", "county", parent=city)
    county_b_brigade = factories.unit("微山县执法大队", county_b, kind="brigade")
    return Personas(
        city=city,
        city_legal=city_legal,
        city_detachment=city_detachment,
        county_a=county_a,
        county_a_brigade=county_a_brigade,
        county_b=county_b,
        county_b_brigade=county_b_brigade,
        admin=factories.user("admin", city, "system_admin", is_staff=True),
        city_reviewer=factories.user("reviewer", city_legal, "legal_reviewer"),
        city_officer=factories.user("city_officer", city_detachment, "officer"),
        county_a_officer=factories.user("a_officer", county_a_brigade, "officer"),
        county_b_officer=factories.user("b_officer", county_b_brigade, "officer"),
        leader=factories.user("leader", city, "leader"),
        supervisor=factories.user("supervisor", city, "supervisor"),
        licensing_clerk=factories.user("clerk", city, "licensing_clerk"),
        enterprise=factories.user(
            "enterprise", None, "enterprise", enterprise_uscc=factories.make_uscc()
        ),
    )


# Rows that data migrations seed. A transactional test (every browser test)
# empties every table when it ends; Django's serialized rollback cannot restore
# them here because Playwright's greenlets give the test a different
# connection wrapper. So a test that finds the seed gone puts it back.
SEEDS = [
    ("fazhi.core.migrations.0002_seed_clock_rules", "seed"),
    ("fazhi.core.migrations.0006_clock_rule_dates", "forward"),
    ("fazhi.registry.migrations.0002_seed", "seed"),
    ("fazhi.inspections.migrations.0002_rules", "seed"),
    ("fazhi.cases.migrations.0001_initial", "seed"),
    ("fazhi.cases.migrations.0002_procedures_execution", "seed"),
]


@pytest.fixture(autouse=True)
def _seed_data(request: pytest.FixtureRequest) -> None:
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps

    from fazhi.core.models import ClockRule

    if ClockRule.objects.exists():
        return
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)
