"""The law-library API at /api/v1/: laws, articles, search, citation resolution."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fazhi.core.tests.factories import SYSTEM
from fazhi.laws.choices import LawLevel, LawStatus
from fazhi.laws.models import Law
from fazhi.laws.services import law_import
from fazhi.laws.tests.conftest import law_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(import_law: Callable[..., Law]) -> dict[str, Law]:
    return {
        short: import_law(short) for short in ("安全生产法", "山东省安全生产条例", "行政处罚法")
    }


@pytest.fixture
def api(personas: Any) -> Any:
    return personas.client(personas.city_officer)


def test_law_list_filters_and_paginates(library: dict[str, Law], api: Any) -> None:
    data = api.get("/api/v1/laws").json()
    assert data["count"] == 3
    titles = [item["title"] for item in data["items"]]
    assert titles[:2] == ["中华人民共和国安全生产法", "中华人民共和国行政处罚法"]
    local = api.get("/api/v1/laws", {"level": LawLevel.LOCAL_REGULATION}).json()
    assert [i["short_title"] for i in local["items"]] == ["山东省安全生产条例"]
    found = api.get("/api/v1/laws", {"q": "处罚"}).json()
    assert [i["short_title"] for i in found["items"]] == ["行政处罚法"]
    page = api.get("/api/v1/laws", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3
    assert len(page["items"]) == 1
    assert api.get("/api/v1/laws", {"status": LawStatus.REPEALED}).json()["count"] == 0


def test_law_detail_has_the_documented_fields(library: dict[str, Law], api: Any) -> None:
    law = library["安全生产法"]
    data = api.get(f"/api/v1/laws/{law.pk}").json()
    for name in (
        "title",
        "short_title",
        "level",
        "version_date",
        "effective_date",
        "status",
        "article_count",
        "superseded_by",
    ):
        assert name in data
    assert data["short_title"] == "安全生产法"
    assert data["article_count"] == 119
    assert data["version_date"] == "2021-06-10"
    assert data["superseded_by"] is None
    assert data["versions"] == [law.pk]
    assert len(data["history"]) == 4


def test_superseded_by_points_at_the_newer_version(library: dict[str, Law], api: Any) -> None:
    old = library["山东省安全生产条例"]
    text = law_file("山东省安全生产条例").read_text("utf-8").replace("第一条 为了", "第一条 为")
    new = law_import(actor=SYSTEM, text=text, source_name="山东省安全生产条例(2030-01-01).md").law
    assert new is not None
    data = api.get(f"/api/v1/laws/{old.pk}").json()
    assert data["superseded_by"] == new.pk
    assert data["status"] == LawStatus.AMENDED


def test_articles_of_a_law(library: dict[str, Law], api: Any) -> None:
    law = library["安全生产法"]
    data = api.get(f"/api/v1/laws/{law.pk}/articles", {"limit": 200}).json()
    assert data["count"] == 119
    first = data["items"][0]
    assert first["label"] == "第一条"
    assert first["chapter"] == "第一章 总则"
    assert first["url"] == f"/laws/{law.pk}/articles/1/"
    article_99 = next(a for a in data["items"] if a["label"] == "第九十九条")
    assert article_99["paragraphs"][0]["items"][0]["label"] == "（一）"


def test_article_search_returns_highlighted_snippets(library: dict[str, Law], api: Any) -> None:
    data = api.get("/api/v1/articles/search", {"q": "重大事故隐患", "per_page": 5}).json()
    assert data["count"] > 0
    assert len(data["results"]) <= 5
    assert all("<mark>" in hit["snippet"] for hit in data["results"])
    law = library["山东省安全生产条例"]
    only = api.get("/api/v1/articles/search", {"q": "安全生产", "law": law.pk}).json()
    assert {hit["law_id"] for hit in only["results"]} == {law.pk}


def test_citation_resolve_endpoint(library: dict[str, Law], api: Any) -> None:
    data = api.get(
        "/api/v1/citations/resolve",
        {"text": "《安全生产法》第九十九条第（一）项", "on": "2024-01-01"},
    ).json()
    assert data["resolved"] is True
    assert data["law_id"] == library["安全生产法"].pk
    assert data["article_label"] == "第九十九条"
    assert data["item"] == 1
    assert data["quote"].startswith("（一）")
    assert data["url"].endswith("#p1-i1")
    assert data["citation"] == "《安全生产法》第九十九条第（一）项"
    missing = api.get("/api/v1/citations/resolve", {"text": "《刑法》第一条"}).json()
    assert missing["resolved"] is False
    assert "刑法" in missing["reason"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/citations/resolve", {"text": "x", "on": "2024-13-45"}),
        ("/api/v1/citations/resolve", {}),
        ("/api/v1/articles/search", {"q": ""}),
        ("/api/v1/articles/search", {"q": "x", "level": "bogus"}),
        ("/api/v1/articles/search", {"q": "x", "page": 0}),
        ("/api/v1/laws", {"status": "bogus"}),
    ],
)
def test_bad_input_is_a_422_not_a_500(
    library: dict[str, Law], api: Any, url: str, params: dict[str, object]
) -> None:
    assert api.get(url, params).status_code == 422


def test_unknown_law_is_404(library: dict[str, Law], api: Any) -> None:
    assert api.get("/api/v1/laws/999999").status_code == 404
    assert api.get("/api/v1/laws/999999/articles").status_code == 404


def test_reading_needs_a_staff_role(library: dict[str, Law], personas: Any) -> None:
    anonymous = personas.client(None)
    assert anonymous.get("/api/v1/laws").status_code == 401
    enterprise = personas.client(personas.enterprise)
    for url in (
        "/api/v1/laws",
        f"/api/v1/laws/{library['安全生产法'].pk}",
        "/api/v1/articles/search?q=安全",
        "/api/v1/citations/resolve?text=安全生产法第一条",
    ):
        assert enterprise.get(url).status_code == 403, url
    for persona in (
        "leader",
        "city_reviewer",
        "supervisor",
        "licensing_clerk",
        "county_b_officer",
    ):
        client = personas.client(getattr(personas, persona))
        assert client.get("/api/v1/laws").status_code == 200, persona
