"""Cases' entries for the permission matrix (see core's test_permission_matrix)."""

from __future__ import annotations

import datetime
from typing import Any

from fazhi.cases.tests import factories

PUBLIC_URLS: set[str] = {"publicity:penalty_list", "publicity:penalty_detail"}


def _case(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": factories.case(personas.county_b_brigade).pk}, True


def _case_for_deciders(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": factories.case(personas.county_b_brigade).pk}, True, ("leader",)


def _case_action(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": factories.case(personas.county_b_brigade).pk, "name": "file"}, True


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _evidence(personas: Any) -> tuple[dict[str, Any], bool]:
    import io

    from fazhi.cases.evidence import evidence_add

    case = factories.case(personas.county_b_brigade)
    evidence = evidence_add(
        actor=factories.superuser(personas.city),
        case=case,
        upload=io.BytesIO(PNG),
        name="scene.png",
        kind="photo",
        description="现场照片",
    )
    return {"pk": case.pk, "evidence_id": evidence.pk}, True


def _archive(personas: Any) -> tuple[dict[str, Any], bool]:
    from fazhi.cases.archive import archive_build
    from fazhi.cases.records import CaseArchive

    case = factories.case(personas.county_b_brigade)
    archive = archive_build(CaseArchive.objects.create(case=case))
    return {"pk": case.pk, "archive_id": archive.pk}, True


def _open_case(personas: Any) -> Any:
    import datetime

    from fazhi.cases.choices import CaseState
    from fazhi.cases.models import Case

    case = factories.case(personas.county_b_brigade, act_ended_on=datetime.date(2026, 8, 20))
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.INVESTIGATING, discovered_on=datetime.date(2026, 8, 21)
    )
    case.refresh_from_db()
    return case


def _coercion(personas: Any) -> tuple[dict[str, Any], bool]:
    from fazhi.cases.services_procedures import coercion_create

    case = _open_case(personas)
    coercion = coercion_create(
        actor=factories.superuser(personas.city),
        case=case,
        kind="seize",
        items="液氨钢瓶 12 只",
        reason="涉嫌非法储存危险化学品",
        basis="《安全生产法》第六十五条第一款第（四）项",
    )
    return {"pk": case.pk, "cid": coercion.pk, "name": "approve"}, True


def _referral(personas: Any) -> tuple[dict[str, Any], bool]:
    from fazhi.cases.services_procedures import referral_create

    case = _open_case(personas)
    referral = referral_create(
        actor=factories.superuser(personas.city),
        case=case,
        crime="重大责任事故罪",
        report="经查，涉嫌重大责任事故罪。",
    )
    return {"pk": case.pk, "rid": referral.pk, "name": "approve"}, True


def _preservation(personas: Any) -> tuple[dict[str, Any], bool]:
    """A preservation notice of county B (the page is POST-only)."""
    from fazhi.cases.documents import record_make

    case = factories.case(personas.county_b_brigade)
    notice = record_make(
        actor=factories.superuser(personas.city),
        case=case,
        code="evidence_preservation_notice",
        text="账簿一册",
    )
    return {"pk": case.pk, "notice_id": notice.pk}, True


def _referred_finding(personas: Any) -> tuple[dict[str, Any], bool]:
    """A referred finding of county B (the page is POST-only)."""
    from fazhi.cases.tests.test_intake import referred_finding

    return {"referral_id": referred_finding(personas, personas.county_b).pk}, True


PUBLISHERS = ("city_reviewer", "leader")


def _case_for_publishers(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": factories.case(personas.county_b_brigade).pk}, True, PUBLISHERS


def _publication(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    """A publication row of county B (the withdraw page is POST-only)."""
    from fazhi.cases.publication import CasePublication

    case = factories.case(personas.county_b_brigade)
    row = CasePublication.objects.create(
        case=case,
        unit=case.unit,
        document_number="测试应急罚〔2026〕1号",
        party_kind=case.party_kind,
        party_name=case.party_name,
        agency=case.unit.name,
        decided_on=datetime.date(2026, 1, 19),
        published_on=datetime.date(2026, 1, 20),
    )
    return {"pk": case.pk, "publication_id": row.pk}, True, PUBLISHERS


def _public_publication(personas: Any) -> tuple[dict[str, Any], bool]:
    pk = _publication(personas)[0]["publication_id"]
    return {"pk": pk}, False


URL_ARGS = {
    "cases:publish": _case_for_publishers,
    "cases:decision_change": _case_for_deciders,
    "cases:publication_withdraw": _publication,
    "publicity:penalty_detail": _public_publication,
    "cases:finding_open": _referred_finding,
    "cases:coercion_add": _case,
    "cases:coercion_act": _coercion,
    "cases:referral_add": _case,
    "cases:referral_act": _referral,
    "cases:evidence_add": _case,
    "cases:evidence_download": _evidence,
    "cases:record_make": _case,
    "cases:preservation_decide": _preservation,
    "cases:archive_request": _case,
    "cases:archive_download": _archive,
    "cases:case_detail": _case,
    "cases:case_act": _case_action,
    "cases:case_proposal": _case,
    "cases:violation_add": _case,
    "cases:case_extend": _case_for_deciders,
    "cases:note_add": _case,
}
