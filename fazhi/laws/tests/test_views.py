"""Pages: law list with filters, detail with table of contents, articles, citations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fazhi.laws.models import Law

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(import_law: Callable[..., Law]) -> dict[str, Law]:
    return {
        short: import_law(short)
        for short in ("安全生产法", "行政处罚法", "济宁市烟花爆竹燃放管理条例")
    }


@pytest.fixture
def client(personas: Any) -> Any:
    return personas.client(personas.county_a_officer)


def test_law_list_searches_filters_and_pages(library: dict[str, Law], client: Any) -> None:
    url = reverse("laws:law_list")
    html = client.get(url).content.decode()
    assert all(law.title in html for law in library.values())
    html = client.get(url, {"level": "local_regulation"}).content.decode()
    assert "济宁市烟花爆竹燃放管理条例" in html
    assert "中华人民共和国安全生产法" not in html
    html = client.get(url, {"q": "安全生产"}).content.decode()
    assert "中华人民共和国安全生产法" in html
    assert "行政处罚法" not in html
    page = client.get(url, {"per_page": 1, "page": 2})
    assert page.status_code == 200
    assert "2 / 3" in page.content.decode()
    assert client.get(url, {"level": "bogus", "page": "x"}).status_code == 200


def test_law_list_query_count_does_not_grow_with_rows(
    library: dict[str, Law], client: Any, import_law: Callable[..., Law]
) -> None:
    url = reverse("laws:law_list")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    import_law("行政强制法")
    import_law("森林法")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


def test_law_detail_shows_toc_and_articles(library: dict[str, Law], client: Any) -> None:
    law = library["行政处罚法"]
    html = client.get(reverse("laws:law_detail", args=[law.pk])).content.decode()
    assert "第五章 行政处罚的决定" in html
    assert 'class="toc-depth-1"><a href="#a' in html  # sections sit under chapters
    assert 'id="a33"' in html
    assert "第三十三条" in html
    assert html.count('class="law-article"') == law.article_count


def test_article_page_has_a_stable_url_and_its_citation(
    library: dict[str, Law], client: Any
) -> None:
    law = library["安全生产法"]
    url = reverse("laws:article_detail", args=[law.pk, "99"])
    assert url == f"/laws/{law.pk}/articles/99/"
    html = client.get(url).content.decode()
    assert "《安全生产法》第九十九条" in html
    assert 'id="p1-i1"' in html
    by_label = client.get(reverse("laws:article_detail", args=[law.pk, "第九十九条"]))
    assert by_label.status_code == 200
    assert client.get(reverse("laws:article_detail", args=[law.pk, "999"])).status_code == 404
    assert client.get(reverse("laws:article_detail", args=[law.pk, "abc"])).status_code == 404


def test_work_urls_redirect_to_the_version_in_force(library: dict[str, Law], client: Any) -> None:
    law = library["安全生产法"]
    response = client.get(reverse("laws:work_article", args=["安全生产法", "99"]))
    assert response.status_code == 302
    assert response["Location"] == f"/laws/{law.pk}/articles/99/"
    response = client.get(reverse("laws:work_detail", args=["中华人民共和国安全生产法"]))
    assert response["Location"] == f"/laws/{law.pk}/"
    assert (
        client.get(
            reverse("laws:work_detail", args=["安全生产法"]), {"on": "1990-01-01"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("laws:work_detail", args=["安全生产法"]), {"on": "bad"}).status_code
        == 404
    )
    assert client.get(reverse("laws:work_detail", args=["没有这部法"])).status_code == 404


def test_cite_page_resolves_several_citations(library: dict[str, Law], client: Any) -> None:
    page = client.get(
        reverse("laws:cite"), {"text": "安全生产法第九十四条第一款、第三款；刑法第一条"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "生产经营单位的主要负责人未履行本法规定" in html
    assert html.count('class="list-group-item"') == 3
    assert "has no “刑法”" in html
    assert client.get(reverse("laws:cite"), {"text": "x", "on": "nope"}).status_code == 200


def test_navigation_shows_laws_and_search(
    library: dict[str, Law], client: Any, personas: Any
) -> None:
    html = client.get(reverse("laws:law_list")).content.decode()
    assert f'href="{reverse("laws:search")}"' in html
    enterprise = personas.client(personas.enterprise)
    assert enterprise.get(reverse("laws:law_list")).status_code == 403
    assert enterprise.get(reverse("laws:search")).status_code == 403
    anonymous = personas.client(None)
    assert anonymous.get(reverse("laws:law_list")).status_code == 302
