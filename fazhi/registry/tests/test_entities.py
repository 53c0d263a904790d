"""Entities: validation, history, merge, scoping, keyset pagination, export."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fazhi.core.errors import DomainError, NotAllowed
from fazhi.core.models import AuditEvent
from fazhi.registry import exports, selectors, services
from fazhi.registry.choices import ChangeKind
from fazhi.registry.keyset import Cursor, keyset_page, with_count
from fazhi.registry.models import ConflictOfInterest, Entity, EntityChange, RegulatoryCategory
from fazhi.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_bad_codes_and_industry_are_refused_field_by_field(personas):
    with pytest.raises(ValidationError) as exc:
        f.entity(
            personas.county_a,
            uscc="91370811MA0000001A",
            region_code="379999",
            industry_section="F",
            industry_division="26",
        )
    errors = errors_of(exc)
    assert "check character" in errors["uscc"][0]
    assert "region table" in errors["region_code"][0]
    assert "section C" in errors["industry_division"][0]
    assert not Entity.objects.exists()


def test_the_division_fills_in_its_section(personas):
    entity = f.entity(personas.county_a, industry_division="26")
    assert entity.industry_section == "C"


def test_a_credit_code_is_registered_once(personas):
    first = f.entity(personas.county_a)
    with pytest.raises(ValidationError) as exc:
        f.entity(
            personas.county_b,
            actor=personas.county_b_officer,
            uscc=first.uscc.lower(),
            region_code="370826",
        )
    # Another county's entity: nothing of its data (issue 13, side channels).
    message = errors_of(exc)["uscc"][0]
    assert message == "Already registered by another unit; ask the city to transfer it."
    assert first.name not in message
    assert "任城" not in message
    with pytest.raises(ValidationError) as exc:
        f.entity(personas.county_a, actor=personas.county_a_officer, uscc=first.uscc.lower())
    assert first.name in errors_of(exc)["uscc"][0]  # one's own entity may be named


def test_a_twin_in_another_county_does_not_reveal_its_code(personas):
    first = f.entity(personas.county_a)
    with pytest.raises(ValidationError) as exc:
        f.entity(
            personas.county_b,
            actor=personas.county_b_officer,
            name=first.name,
            address=first.address,
            region_code="370826",
        )
    message = errors_of(exc)["name"][0]
    assert message == "Already registered by another unit; ask the city to transfer it."
    assert first.uscc not in message


def test_same_name_and_address_needs_confirmation(personas):
    first = f.entity(personas.county_a)
    with pytest.raises(ValidationError) as exc:
        f.entity(personas.county_a, name=first.name, address=first.address.replace("号", " 号"))
    assert first.uscc in errors_of(exc)["name"][0]
    twin = f.entity(
        personas.county_a, name=first.name, address=first.address, allow_duplicate=True
    )
    assert twin.dedupe_key == first.dedupe_key


def test_an_entity_outside_the_actors_scope_cannot_be_registered(personas):
    with pytest.raises(ValidationError) as exc:
        f.entity(personas.county_b, actor=personas.county_a_officer, region_code="370826")
    assert "supervising_agency" in errors_of(exc)


def test_an_update_keeps_the_field_level_change_and_an_audit_event(personas):
    entity = f.entity(personas.county_a)
    dust = RegulatoryCategory.objects.get(code="dust_explosion")
    services.entity_update(
        actor=personas.county_a_officer, entity=entity, risk_level="high", category_bits=dust.mask
    )
    change = EntityChange.objects.get(entity=entity, kind=ChangeKind.UPDATED)
    assert change.actor == personas.county_a_officer
    assert change.diff == {"risk_level": ["", "high"], "category_bits": [0, dust.mask]}
    event = AuditEvent.objects.filter(
        verb="registry.entity.update", object_id=str(entity.pk)
    ).get()
    assert (event.before or {})["risk_level"] == ""
    assert (event.after or {})["risk_level"] == "high"
    # saving the same values again records nothing
    services.entity_update(actor=personas.county_a_officer, entity=entity, risk_level="high")
    assert EntityChange.objects.filter(entity=entity, kind=ChangeKind.UPDATED).count() == 1


def test_county_a_may_not_change_county_b_entity(personas):
    entity = f.entity(personas.county_b, region_code="370826")
    with pytest.raises(NotAllowed):
        services.entity_update(actor=personas.county_a_officer, entity=entity, name="改名")


# --- merge ------------------------------------------------------------------


def test_merge_points_duplicates_to_the_survivor_and_keeps_history(personas):
    survivor = f.entity(personas.county_a)
    duplicate = f.entity(
        personas.county_a, name=survivor.name, address=survivor.address, allow_duplicate=True
    )
    services.entity_update(actor=personas.county_a_officer, entity=duplicate, risk_level="low")
    officer = f.officer(personas.county_a_brigade)
    conflict = services.conflict_record(
        actor=personas.admin,
        officer=officer,
        entity=duplicate,
        kind="relative",
        source="declared",
        valid_from=f.datetime.date(2024, 1, 1),
    )
    assert selectors.entity_duplicate_groups(actor=personas.county_a_officer) == [
        [survivor, duplicate]
    ]

    services.entity_merge(actor=personas.city_reviewer, survivor=survivor, duplicates=[duplicate])

    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert duplicate.merged_at is not None
    kinds = list(EntityChange.objects.filter(entity=duplicate).values_list("kind", flat=True))
    assert ChangeKind.UPDATED in kinds
    assert ChangeKind.MERGED_INTO in kinds
    absorbed = EntityChange.objects.get(entity=survivor, kind=ChangeKind.ABSORBED)
    assert absorbed.other == duplicate
    assert absorbed.diff["conflicts_moved"] == [
        None,
        [conflict.pk],
    ]
    assert ConflictOfInterest.objects.get(pk=conflict.pk).entity == survivor
    assert list(selectors.entity_list(actor=personas.admin)) == [survivor]
    assert (
        selectors.entity_get(actor=personas.admin, pk=duplicate.pk) == duplicate
    )  # still reachable
    assert services.entity_resolve(duplicate) == survivor
    assert AuditEvent.objects.filter(
        verb="registry.entity.merge", object_id=str(duplicate.pk)
    ).exists()
    assert selectors.entity_duplicate_groups(actor=personas.admin) == []
    # the merged record keeps its code but no longer blocks it
    with pytest.raises(DomainError):
        services.entity_merge(actor=personas.admin, survivor=survivor, duplicates=[duplicate])
    with pytest.raises(DomainError):
        services.entity_update(actor=personas.admin, entity=duplicate, name="x")


def test_merge_across_scopes_is_refused(personas):
    ours = f.entity(personas.county_a)
    theirs = f.entity(
        personas.county_b,
        name=ours.name,
        address=ours.address,
        region_code="370826",
        allow_duplicate=True,
    )
    with pytest.raises(NotAllowed):
        services.entity_merge(actor=personas.county_a_officer, survivor=ours, duplicates=[theirs])
    theirs.refresh_from_db()
    assert theirs.merged_into is None


def test_merge_page_merges_the_ticked_duplicates(personas):
    survivor = f.entity(personas.county_a)
    duplicate = f.entity(
        personas.county_a, name=survivor.name, address=survivor.address, allow_duplicate=True
    )
    client = personas.client(personas.city_reviewer)
    page = client.get(reverse("registry:entity_duplicates"))
    assert survivor.uscc in page.content.decode()
    assert duplicate.uscc in page.content.decode()
    url = reverse("registry:entity_merge", kwargs={"pk": survivor.pk})
    assert duplicate.name in client.get(url).content.decode()
    response = client.post(url, {"duplicates": [str(duplicate.pk)]})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    detail = client.get(
        reverse("registry:entity_detail", kwargs={"pk": duplicate.pk})
    ).content.decode()
    assert "merged into" in detail


def test_officers_cannot_merge(personas):
    survivor = f.entity(personas.county_a)
    url = reverse("registry:entity_merge", kwargs={"pk": survivor.pk})
    assert personas.client(personas.county_a_officer).get(url).status_code == 403  # role


# --- scoping and lists --------------------------------------------------------


def test_county_a_sees_only_its_own_entities_and_the_city_sees_all(personas):
    mine = f.entity(personas.county_a)
    brigade = f.entity(personas.county_a_brigade)
    theirs = f.entity(personas.county_b, region_code="370826")
    assert set(selectors.entity_list(actor=personas.county_a_officer)) == {mine, brigade}
    assert set(selectors.entity_list(actor=personas.county_b_officer)) == {theirs}
    assert set(selectors.entity_list(actor=personas.city_reviewer)) == {mine, brigade, theirs}
    client = personas.client(personas.county_a_officer)
    listing = client.get(reverse("registry:entity_list")).content.decode()
    assert mine.name in listing
    assert theirs.name not in listing
    assert (
        client.get(reverse("registry:entity_detail", kwargs={"pk": theirs.pk})).status_code == 404
    )
    assert (
        personas.client(personas.enterprise).get(reverse("registry:entity_list")).status_code
        == 403
    )


@pytest.mark.parametrize("per_page", [1, 7, 25])
def test_keyset_pages_cover_every_row_once_in_both_directions(personas, per_page):
    created = [
        f.entity(personas.county_a, risk_level="high" if n % 3 else "low") for n in range(30)
    ]
    for items in (
        selectors.entity_list(actor=personas.admin),
        selectors.entity_list(
            actor=personas.admin, filters=selectors.EntityFilters(risk_level="high")
        ),
    ):
        expected = list(items.order_by("-id").values_list("id", flat=True))
        pages, cursor = [], Cursor()
        while True:
            page = keyset_page(items, cursor=cursor, per_page=per_page)
            pages.append([e.id for e in page.items])
            # 序号: the first row's number is its place in the whole list.
            assert page.start_index == expected.index(page.items[0].id) + 1
            if not page.has_next:
                break
            cursor = Cursor.parse(page.next_cursor)
        assert [i for p in pages for i in p] == expected
        assert all(len(p) == per_page for p in pages[:-1])
        # walk back from the last page with the "newer" cursors
        back = [pages[-1]]
        while page.has_previous:
            page = keyset_page(items, cursor=Cursor.parse(page.prev_cursor), per_page=per_page)
            back.append([e.id for e in page.items])
            assert page.start_index == expected.index(page.items[0].id) + 1
        assert back[::-1] == pages
    assert len(created) == 30


def test_counts_never_scan_the_whole_table(personas):
    from django.db import connection

    for _ in range(6):
        f.entity(personas.county_a)
    items = selectors.entity_list(actor=personas.admin)
    whole = with_count(keyset_page(items, cursor=Cursor(), per_page=10), items)
    assert (whole.count, whole.count_is_estimate, whole.count_capped) == (6, False, False)
    paged = with_count(keyset_page(items, cursor=Cursor(), per_page=2), items, cap=4)
    if connection.vendor == "postgresql":
        assert paged.count_is_estimate  # the planner's estimate, shown as "about N"
        assert (paged.count or 0) >= 3
    else:
        assert (paged.count, paged.count_capped) == (4, True)


def test_a_junk_cursor_shows_the_first_page(personas):
    entity = f.entity(personas.county_a)
    response = personas.client(personas.admin).get(
        reverse("registry:entity_list") + "?cursor=a1%27;--&region=370811"
    )
    assert response.status_code == 200
    assert entity.name in response.content.decode()


def test_list_filters_narrow_the_rows(personas):
    dust = RegulatoryCategory.objects.get(code="dust_explosion").mask
    a = f.entity(personas.county_a, category_bits=dust, risk_level="major", key_supervision=True)
    b = f.entity(personas.county_a, credit_class="D", industry_division="26")
    client = personas.client(personas.admin)

    def names(query: str) -> str:
        return client.get(reverse("registry:entity_list") + "?" + query).content.decode()

    assert a.name in names("category=dust_explosion")
    assert b.name not in names("category=dust_explosion")
    assert a.name in names("risk_level=major&key_supervision=yes")
    assert b.name not in names("risk_level=major")
    assert b.name in names("credit_class=D&industry_section=C")
    assert a.name not in names("credit_class=D")
    assert b.name in names(f"q={b.uscc}")
    assert a.name not in names(f"q={b.uscc}")
    assert a.name in names(f"q={a.name[-8:]}")
    assert b.name not in names(f"q={a.name[-8:]}")
    c = f.entity(personas.county_b, region_code="370826")
    assert c.name in names("region=370826")
    assert a.name not in names("region=370826")
    city_wide = names("region=370800")
    assert a.name in city_wide
    assert c.name in city_wide
    assert c.name not in names("region=371000")
    assert a.name in names(f"agency={personas.county_a.pk}")
    assert a.name not in names(f"agency={personas.county_b.pk}")


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "industry_division=99", "region=x", "agency=abc", "category=nope"],
)
def test_a_filter_value_no_entity_has_lists_nothing_and_says_why(personas, query):
    """The page lists nothing, as the API does, and names the refused value
    (it once dropped every filter but the name and listed everything)."""
    entity = f.entity(personas.county_a)
    client = personas.client(personas.admin)
    page = client.get(reverse("registry:entity_list") + "?" + query).content.decode()
    assert entity.name not in page
    assert 'data-testid="filter-errors"' in page
    assert entity.name in client.get(reverse("registry:entity_list")).content.decode()
    api = client.get("/api/v1/entities?" + query)
    assert api.status_code == 422 or entity.name not in api.content.decode()


def test_the_list_page_query_count_does_not_grow_with_rows(
    personas, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client(personas.county_a_officer)
    counts = []
    for _batch in range(2):
        for _ in range(30):
            f.entity(personas.county_a, category_bits=1)
        client.get(reverse("registry:entity_list"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("registry:entity_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(18):
        client.get(reverse("registry:entity_list") + "?risk_level=low")


def test_an_export_re_imports_without_changes(personas, tmp_path):
    from fazhi.registry.imports import jobs, runner

    for _ in range(4):
        f.entity(
            personas.county_a,
            category_bits=RegulatoryCategory.objects.get(code="fireworks").mask,
            risk_level="low",
            scale="micro",
            standardization_level="level_2",
            credit_class="B",
        )
    response = personas.client(personas.county_a_officer).get(
        reverse("registry:entity_export") + "?risk_level=low"
    )
    content = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 5
    assert sheet[0][0] == "统一社会信用代码"
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    job = jobs.import_job_create(
        actor=personas.county_a_officer,
        kind="entity",
        unit=personas.county_a,
        filename="export.xlsx",
        path=str(path),
        run=False,
    )
    job = runner.job_validate(job.pk)
    assert (job.error_rows, job.unchanged_rows, job.new_rows, job.changed_rows) == (0, 4, 0, 0)


def test_detail_page_shows_history_with_readable_values(personas):
    entity = f.entity(personas.county_a)
    services.entity_update(
        actor=personas.admin,
        entity=entity,
        status="cancelled",
        supervising_agency=personas.county_a_brigade,
    )
    page = personas.client(personas.admin).get(
        reverse("registry:entity_detail", kwargs={"pk": entity.pk})
    )
    html = page.content.decode()
    assert "任城区执法大队" in html
    assert "Deregistered" in html or "注销" in html
    assert exports.describe_change(EntityChange.objects.filter(kind="updated").get(), [])["fields"]


def test_entity_form_creates_and_edits_with_categories(personas):
    client = personas.client(personas.county_a_officer)
    data = {
        "uscc": f.make_uscc("370811"),
        "name": "济宁市表单测试有限公司",
        "kind": "enterprise",
        "region_code": "370811",
        "address": "任城区表单路1号",
        "industry_division": "30",
        "categories": ["dust_explosion", "confined_space"],
        "status": "active",
        "supervising_agency": personas.county_a.pk,
    }
    response = client.post(reverse("registry:entity_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entity = Entity.objects.get(name=data["name"])
    assert selectors.category_names(entity.category_bits) == ["粉尘涉爆", "有限空间作业"]
    assert entity.industry_section == "C"
    bad = client.post(reverse("registry:entity_create"), {**data, "uscc": "123"})
    assert bad.status_code == 200
    assert "18 characters" in bad.content.decode()
    edit = client.post(
        reverse("registry:entity_edit", kwargs={"pk": entity.pk}), {**data, "categories": []}
    )
    assert edit.status_code == 302
    entity.refresh_from_db()
    assert entity.category_bits == 0


def test_a_filter_that_can_match_nothing_is_an_empty_page_not_an_error(personas):
    # Schemathesis on PostgreSQL: an id list left empty made the planner's estimate
    # raise EmptyResultSet (HTTP 500) instead of answering an empty page.
    f.entity(personas.county_a)
    items = selectors.entity_list(actor=personas.admin).filter(pk__in=[])
    page = with_count(keyset_page(items, cursor=Cursor(), per_page=10), items)
    assert (page.items, page.count) == ([], 0)
