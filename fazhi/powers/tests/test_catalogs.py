"""Catalog services: lead-unit rule, versions and diffs, general catalogs, scoping."""

from __future__ import annotations

import pytest

from fazhi.core.errors import Conflict, DomainError, NotAllowed
from fazhi.core.models import AuditEvent
from fazhi.core.tests import factories as core
from fazhi.core.tests.factories import SYSTEM
from fazhi.powers import selectors, services
from fazhi.powers.choices import CatalogStatus, ExerciseLevel, PowerType
from fazhi.powers.models import PowerCatalog, PowerItemRemoval
from fazhi.powers.tests import factories as f

pytestmark = pytest.mark.usefixtures("laws")


# --- lead unit (一致对外) -------------------------------------------------------------


def test_lead_unit_must_be_an_internal_unit_of_the_catalogs_agency(personas) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal)
    with pytest.raises(DomainError) as caught:
        f.item(catalog, personas.county_a_brigade)
    assert caught.value.field == "lead_unit"
    with pytest.raises(DomainError):
        f.item(catalog, personas.city)  # the agency itself is not an internal unit
    item = f.item(catalog, personas.city_detachment)
    assert item.lead_unit == personas.city_detachment


def test_lead_unit_may_sit_deeper_in_the_agency_but_not_in_a_county(personas) -> None:
    brigade = core.unit("执法一大队", personas.city_detachment, kind="brigade")
    catalog = f.catalog(personas.city, 2025, brigade, count=1)
    item = catalog.items.get()
    assert item.lead_unit == brigade
    with pytest.raises(DomainError):
        services.poweritem_update(actor=SYSTEM, item=item, lead_unit=personas.county_b_brigade)


def test_basis_text_is_linked_to_articles_and_unknown_citations_refused(personas) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal)
    item = f.item(
        catalog,
        personas.city_legal,
        basis_text="《中华人民共和国安全生产法》第九十九条、第一百零二条",
    )
    assert sorted(a.number for a in item.basis_articles.all()) == [99, 102]
    with pytest.raises(DomainError) as caught:
        f.item(
            catalog, personas.city_legal, basis_text="《安全生产违法行为行政处罚办法》第四十五条"
        )
    assert caught.value.field == "basis_text"
    with pytest.raises(DomainError):
        f.item(catalog, personas.city_legal, basis_text="依照有关法律法规")


def test_sub_items_stay_one_level_deep_in_one_catalog(personas) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal)
    parent = f.item(catalog, personas.city_legal)
    child = f.item(catalog, personas.city_legal, parent=parent)
    with pytest.raises(DomainError):
        f.item(catalog, personas.city_legal, parent=child)
    other = f.catalog(personas.city, 2024, personas.city_legal, count=1)
    with pytest.raises(DomainError):
        f.item(catalog, personas.city_legal, parent=other.items.get())


# --- versions --------------------------------------------------------------------


def test_new_version_copies_items_parents_and_bases(personas) -> None:
    first = f.catalog(personas.city, 2025, personas.city_legal)
    parent = f.item(first, personas.city_legal, code="CF-100")
    f.item(first, personas.city_legal, code="CF-100-01", parent=parent)
    first = services.catalog_publish(actor=SYSTEM, catalog=first)
    second = services.catalog_create(actor=SYSTEM, agency=personas.city, year=2026)
    assert second.previous == first
    assert second.status == CatalogStatus.DRAFT
    copied = second.items.get(code="CF-100-01")
    assert copied.parent is not None
    assert copied.parent.code == "CF-100"
    assert copied.parent.catalog == second
    assert sorted(a.number for a in copied.basis_articles.all()) == [35, 99]
    assert AuditEvent.objects.filter(
        verb="powers.powercatalog.create", object_id=str(second.pk)
    ).exists()


def test_published_catalog_cannot_be_edited(personas) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal, count=1, publish=True)
    item = catalog.items.get()
    with pytest.raises(Conflict):
        services.poweritem_update(actor=SYSTEM, item=item, name="改名")
    with pytest.raises(Conflict):
        f.item(catalog, personas.city_legal)
    with pytest.raises(Conflict):
        services.catalog_publish(actor=SYSTEM, catalog=catalog)


def test_publishing_needs_items(personas) -> None:
    empty = f.catalog(personas.city, 2025, personas.city_legal)
    with pytest.raises(Conflict):
        services.catalog_publish(actor=SYSTEM, catalog=empty)


def test_one_catalog_per_agency_and_year(personas) -> None:
    f.catalog(personas.city, 2025, personas.city_legal)
    with pytest.raises(Conflict):
        services.catalog_create(actor=SYSTEM, agency=personas.city, year=2025)


def _two_versions(personas):
    old = f.catalog(personas.city, 2023, personas.city_legal)
    for code in ("CF-1", "CF-2", "CF-3", "CF-4"):
        f.item(old, personas.city_legal, code=code, name=f"事项{code}")
    old = services.catalog_publish(actor=SYSTEM, catalog=old)
    new = services.catalog_create(actor=SYSTEM, agency=personas.city, year=2024)
    services.poweritem_remove(
        actor=SYSTEM, item=new.items.get(code="CF-4"), reason="职能划转至市场监管部门"
    )
    services.poweritem_update(
        actor=SYSTEM,
        item=new.items.get(code="CF-1"),
        lead_unit=personas.city_detachment,
        change_reason="执法职能整合",
    )
    services.poweritem_update(
        actor=SYSTEM,
        item=new.items.get(code="CF-2"),
        basis_text="《中华人民共和国安全生产法》第一百零二条",
        exercise_levels=[ExerciseLevel.COUNTY],
    )
    f.item(new, personas.city_legal, code="CF-5", name="新增事项一", change_reason="新法施行")
    f.item(
        new, personas.city_legal, code="CF-6", name="新增事项二", power_type=PowerType.INSPECTION
    )
    return old, new


def test_diff_lists_added_removed_and_changed_fields_with_reasons(personas) -> None:
    old, new = _two_versions(personas)
    diff = selectors.catalog_diff(old=old, new=new)
    assert [c.code for c in diff.added] == ["CF-5", "CF-6"]
    assert [(c.code, c.reason) for c in diff.removed] == [("CF-4", "职能划转至市场监管部门")]
    changed = {c.code: c for c in diff.changed}
    assert set(changed) == {"CF-1", "CF-2"}
    assert [(x.field, x.before, x.after) for x in changed["CF-1"].fields] == [
        ("lead_unit", "政策法规科", "应急管理综合行政执法支队")
    ]
    assert changed["CF-1"].reason == "执法职能整合"
    assert {x.field for x in changed["CF-2"].fields} == {
        "exercise_levels",
        "basis_text",
        "basis_articles",
    }
    assert diff.added[0].reason == "新法施行"


def test_diff_sentence_and_report_lines(personas) -> None:
    old, new = _two_versions(personas)
    diff = selectors.catalog_diff(old=old, new=new)
    assert diff.sentence() == (
        "The 2024 edition adjusts 5 items against the 2023 edition: 2 added, 1 removed, 2 changed."
    )
    lines = diff.lines()
    assert len(lines) == 5
    assert lines[2] == "Removed: CF-4 事项CF-4 — reason: 职能划转至市场监管部门"
    assert lines[3].startswith("Changed: CF-1 事项CF-1 (Lead unit)")


def test_removing_a_new_draft_item_leaves_no_removal_record(personas) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal)
    item = f.item(catalog, personas.city_legal)
    with pytest.raises(DomainError):
        services.poweritem_remove(actor=SYSTEM, item=item, reason=" ")
    assert services.poweritem_remove(actor=SYSTEM, item=item, reason="录入错误") is None
    assert not PowerItemRemoval.objects.exists()
    assert AuditEvent.objects.filter(verb="powers.poweritem.remove").exists()


# --- general catalog ---------------------------------------------------------------


def _city_2026(personas) -> PowerCatalog:
    catalog = f.catalog(personas.city, 2026, personas.city_legal)
    f.item(
        catalog,
        personas.city_legal,
        code="XK-1",
        name="烟花爆竹经营（零售）许可",
        power_type=PowerType.LICENSING,
        basis_text="《烟花爆竹安全管理条例》第十九条第二款",
    )
    parent = f.item(catalog, personas.city_legal, code="CF-1", name="教育培训违法行为的行政处罚")
    f.item(
        catalog,
        personas.city_legal,
        code="CF-1-1",
        name="未如实记录培训情况",
        parent=parent,
        basis_text="《中华人民共和国安全生产法》第九十七条第（四）项",
    )
    f.item(
        catalog,
        personas.city_detachment,
        code="CF-2",
        name="市级专属事项",
        shared_with_counties=False,
    )
    return services.catalog_publish(actor=SYSTEM, catalog=catalog)


def test_template_is_derived_from_shared_items_of_a_published_city_catalog(personas) -> None:
    catalog = _city_2026(personas)
    template = services.template_derive(actor=SYSTEM, catalog=catalog)
    codes = sorted(template.items.values_list("code", flat=True))
    assert codes == ["CF-1", "CF-1-1", "XK-1"]
    child = template.items.get(code="CF-1-1")
    assert child.parent is not None
    assert child.parent.code == "CF-1"
    assert child.lead_unit_name == "政策法规科"
    assert [a.number for a in child.basis_articles.all()] == [97]
    with pytest.raises(Conflict):
        services.template_derive(actor=SYSTEM, catalog=catalog)


def test_template_needs_a_published_city_catalog(personas) -> None:
    draft = f.catalog(personas.city, 2026, personas.city_legal, count=1)
    with pytest.raises(Conflict):
        services.template_derive(actor=SYSTEM, catalog=draft)
    county = f.catalog(personas.county_a, 2026, personas.county_a_brigade, count=1, publish=True)
    with pytest.raises(DomainError):
        services.template_derive(actor=SYSTEM, catalog=county)


def test_county_adopts_the_template_and_its_local_changes_are_tracked(personas) -> None:
    template = services.template_derive(actor=SYSTEM, catalog=_city_2026(personas))
    county = services.template_adopt(
        actor=SYSTEM,
        template=template,
        agency=personas.county_a,
        lead_unit=personas.county_a_brigade,
    )
    assert county.template == template
    assert county.year == 2026
    assert set(county.items.values_list("lead_unit", flat=True)) == {personas.county_a_brigade.pk}
    parent = county.items.get(code="CF-1-1").parent
    assert parent is not None
    assert parent.catalog == county
    unchanged = selectors.catalog_local_changes(catalog=county)
    assert unchanged is not None
    assert unchanged.total == 0  # a different lead unit is not a local change

    services.poweritem_update(
        actor=SYSTEM,
        item=county.items.get(code="CF-1"),
        remarks="由县执法大队实施",
        change_reason="本县实际",
    )
    services.poweritem_remove(
        actor=SYSTEM, item=county.items.get(code="XK-1"), reason="本县无零售网点规划"
    )
    f.item(
        county,
        personas.county_a_brigade,
        code="JC-901",
        name="本县专项检查",
        change_reason="地方特色",
    )
    changes = selectors.catalog_local_changes(catalog=county)
    assert changes is not None
    assert [c.code for c in changes.added] == ["JC-901"]
    assert [(c.code, c.reason) for c in changes.removed] == [("XK-1", "本县无零售网点规划")]
    assert [(c.code, [x.field for x in c.fields], c.reason) for c in changes.modified] == [
        ("CF-1", ["remarks"], "本县实际")
    ]
    adoptions = selectors.template_adoptions(actor=SYSTEM, template=template)
    assert [row["changes"].total for row in adoptions] == [3]
    # The next year's version keeps the local changes and their reasons.
    county = services.catalog_publish(actor=SYSTEM, catalog=county)
    following = services.catalog_create(actor=SYSTEM, agency=personas.county_a, year=2027)
    assert following.template == template
    carried = selectors.catalog_local_changes(catalog=following)
    assert carried is not None
    assert [(c.code, c.reason) for c in carried.removed] == [("XK-1", "本县无零售网点规划")]
    assert carried.total == 3


def test_adoption_rules(personas) -> None:
    template = services.template_derive(actor=SYSTEM, catalog=_city_2026(personas))
    with pytest.raises(DomainError):  # the city is not a county
        services.template_adopt(
            actor=SYSTEM, template=template, agency=personas.city, lead_unit=personas.city_legal
        )
    with pytest.raises(DomainError):  # the unit belongs to another county
        services.template_adopt(
            actor=SYSTEM,
            template=template,
            agency=personas.county_a,
            lead_unit=personas.county_b_brigade,
        )
    with pytest.raises(NotAllowed):  # county A may not adopt for county B
        services.template_adopt(
            actor=personas.county_a_officer,
            template=template,
            agency=personas.county_b,
            lead_unit=personas.county_b_brigade,
        )
    services.template_adopt(
        actor=SYSTEM,
        template=template,
        agency=personas.county_a,
        lead_unit=personas.county_a_brigade,
    )
    with pytest.raises(Conflict):
        services.template_adopt(
            actor=SYSTEM,
            template=template,
            agency=personas.county_a,
            lead_unit=personas.county_a_brigade,
        )
    assert list(selectors.adoptable_agencies(actor=SYSTEM, template=template)) == [
        personas.county_b
    ]


# --- scoping ---------------------------------------------------------------------------


def test_county_sees_own_catalogs_and_the_citys_published_ones(personas) -> None:
    city_published = f.catalog(personas.city, 2025, personas.city_legal, count=1, publish=True)
    city_draft = f.catalog(personas.city, 2026, personas.city_legal, count=1)
    own_draft = f.catalog(personas.county_a, 2026, personas.county_a_brigade, count=1)
    other = f.catalog(personas.county_b, 2026, personas.county_b_brigade, count=1, publish=True)
    seen = set(selectors.catalog_list(actor=personas.county_a_officer))
    assert seen == {city_published, own_draft}
    assert set(selectors.catalog_list(actor=personas.city_reviewer)) == {
        city_published,
        city_draft,
        own_draft,
        other,
    }
    items = selectors.item_list(actor=personas.county_a_officer)
    assert {i.catalog for i in items} == {city_published, own_draft}
    assert not selectors.catalog_can_edit(
        personas.county_a_officer, own_draft
    )  # officers only read
    assert selectors.catalog_can_edit(personas.city_reviewer, city_draft)
    assert not selectors.catalog_can_edit(personas.city_reviewer, city_published)


def test_county_user_cannot_edit_the_citys_catalog(personas) -> None:
    county_reviewer = core.user("a_reviewer", personas.county_a, "legal_reviewer")
    city_draft = f.catalog(personas.city, 2026, personas.city_legal, count=1)
    assert not selectors.catalog_can_edit(county_reviewer, city_draft)
    with pytest.raises(NotAllowed):
        services.poweritem_update(actor=county_reviewer, item=city_draft.items.get(), name="x")
    own = f.catalog(personas.county_a, 2026, personas.county_a_brigade, count=1)
    assert selectors.catalog_can_edit(county_reviewer, own)
    services.poweritem_update(actor=county_reviewer, item=own.items.get(), name="县级事项")


def test_item_filters(personas) -> None:
    catalog = f.catalog(personas.city, 2025, personas.city_legal)
    a = f.item(
        catalog,
        personas.city_legal,
        code="A",
        name="危险化学品经营许可",
        power_type=PowerType.LICENSING,
        basis_text="《危险化学品安全管理条例》第三十三条",
        shared_with_counties=False,
    )
    b = f.item(
        catalog,
        personas.city_detachment,
        code="B",
        name="安全生产行政检查",
        power_type=PowerType.INSPECTION,
    )
    actor = personas.city_reviewer
    assert list(selectors.item_list(actor=actor, q="危险化学品")) == [a]
    assert list(selectors.item_list(actor=actor, power_type=PowerType.INSPECTION)) == [b]
    assert list(selectors.item_list(actor=actor, lead_unit=personas.city_detachment.pk)) == [b]
    assert list(selectors.item_list(actor=actor, shared=False)) == [a]
    c = f.item(catalog, personas.city_legal, code="C", name="待补依据", basis_text="")
    assert set(selectors.item_list(actor=actor, has_basis=True)) == {a, b}
    assert list(selectors.item_list(actor=actor, has_basis=False)) == [c]
    with pytest.raises(Conflict):  # an item without basis blocks publication
        services.catalog_publish(actor=SYSTEM, catalog=catalog)
    article = a.basis_articles.get()
    assert list(selectors.item_list(actor=actor, article=article.pk)) == [a]
