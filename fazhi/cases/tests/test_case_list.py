"""The case list: keyset pages, search, and a fixed number of queries whatever the page holds."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhi.cases import views
from fazhi.cases.tests import factories


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_the_rows_shown(personas: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(views, "PER_PAGE", 5)
    for _ in range(6):  # more than a page: the count comes from one query
        factories.case(personas.county_a_brigade)
    client = personas.client(personas.county_a_officer)
    api = personas.client(personas.county_a_officer)
    client.get("/cases/")  # warm the caches (content types, session)
    api.get("/api/v1/cases?per_page=5")
    one_page = _queries(client, "/cases/")
    one_api = _queries(api, "/api/v1/cases?per_page=5")
    for _ in range(14):
        factories.case(personas.county_a_brigade)
    assert _queries(client, "/cases/") == one_page
    assert _queries(client, "/cases/?q=安全警示") == one_page
    assert _queries(api, "/api/v1/cases?per_page=5") == one_api
    assert _queries(api, "/api/v1/cases?per_page=10") == one_api


def test_keyset_pages_walk_every_case_once(personas: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(views, "PER_PAGE", 4)
    made = {factories.case(personas.county_a_brigade).pk for _ in range(9)}
    client = personas.client(personas.county_a_officer)
    seen: list[int] = []
    cursor = ""
    while True:
        page = client.get(f"/api/v1/cases?per_page=4&cursor={cursor}").json()
        seen += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(made, reverse=True)
    html = client.get("/cases/").content.decode()
    assert 'data-testid="page-older"' in html
    assert "cursor=a" in html
    second = client.get(f"/cases/?cursor=a{seen[3]}").content.decode()
    assert f'href="/cases/{seen[4]}/"' in second
    assert f'href="/cases/{seen[0]}/"' not in second


def test_search_matches_number_title_party_and_code(personas: Any) -> None:
    case = factories.case(
        personas.county_a_brigade, title="特别案由", party_code="91370800MA3C1234XY"
    )
    client = personas.client(personas.county_a_officer)
    assert f'href="/cases/{case.pk}/"' in client.get("/cases/?q=特别").content.decode()
    lower = client.get("/cases/?q=91370800ma3c1234xy").content.decode()
    assert f'href="/cases/{case.pk}/"' in lower
    assert f'href="/cases/{case.pk}/"' not in client.get("/cases/?q=不存在").content.decode()
