"""The case form's party picker: a searchable select over the user's units' entities."""

from __future__ import annotations

from typing import Any

from fazhi.cases.models import Case
from fazhi.registry.tests import factories as registry_factories


def _form(officers: str, **fields: Any) -> dict[str, Any]:
    return {
        "procedure": "ordinary",
        "title": "未设置安全警示标志",
        "source": "inspection",
        "party_kind": "organisation",
        "act_ended_on": "2026-11-02",
        "discovered_on": "2026-11-03",
        "officers": officers,
        **fields,
    }


def test_the_picker_searches_only_the_users_units(personas: Any) -> None:
    mine = registry_factories.entity(personas.county_a, name="任城区甲化工有限公司")
    theirs = registry_factories.entity(personas.county_b, name="兖州区乙化工有限公司")
    client = personas.client(personas.county_a_officer)
    options = client.get("/cases/new/entities/", {"entity_q": "化工"}).content.decode()
    assert f'value="{mine.pk}"' in options
    assert f'value="{theirs.pk}"' not in options
    assert "任城区甲化工有限公司" in options
    none = client.get("/cases/new/entities/", {"entity_q": "不存在的企业"}).content.decode()
    assert f'value="{mine.pk}"' not in none
    page = client.get("/cases/new/").content.decode()
    assert 'name="entity_q"' in page
    assert 'hx-get="/cases/new/entities/"' in page
    assert f'<option value="{mine.pk}"' in page
    assert f'<option value="{theirs.pk}"' not in page


def test_find_without_javascript_shows_the_form_again_with_the_matches(personas: Any) -> None:
    mine = registry_factories.entity(personas.county_a, name="任城区丙仓储有限公司")
    other = registry_factories.entity(personas.county_a, name="任城区丁机械有限公司")
    client = personas.client(personas.county_a_officer)
    response = client.post(
        "/cases/new/", _form("", entity_q="仓储", find_entity="1", title="保留的案由")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<option value="{mine.pk}"' in page
    assert f'<option value="{other.pk}"' not in page
    assert 'value="保留的案由"' in page  # what was typed stays
    assert "invalid-feedback" not in page  # a search is not a failed submission
    assert not Case.objects.exists()


def test_the_chosen_entity_fills_the_party_and_another_countys_is_refused(
    personas: Any,
) -> None:
    from fazhi.registry.models import Officer

    mine = registry_factories.entity(personas.county_a, name="任城区戊化工有限公司")
    theirs = registry_factories.entity(personas.county_b, name="兖州区己化工有限公司")
    officers = [registry_factories.officer(personas.county_a) for _ in range(2)]
    ids = ",".join(str(o.pk) for o in officers)
    assert Officer.objects.filter(pk__in=[o.pk for o in officers]).count() == 2
    client = personas.client(personas.county_a_officer)
    refused = client.post("/cases/new/", _form(ids, entity=str(theirs.pk)))
    assert refused.status_code == 200
    assert not Case.objects.exists()
    assert "invalid-feedback" in refused.content.decode()
    missing_party = client.post("/cases/new/", _form(ids))
    assert missing_party.status_code == 200
    assert not Case.objects.exists()
    created = client.post("/cases/new/", _form(ids, entity=str(mine.pk)))
    assert created.status_code == 302, created.content.decode()[-2000:]
    case = Case.objects.get()
    assert case.entity_id == mine.pk
    assert case.party_name == "任城区戊化工有限公司"
