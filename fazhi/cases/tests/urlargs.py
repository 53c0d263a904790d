"""Cases' entries for the permission matrix (see core's test_permission_matrix)."""

from __future__ import annotations

from typing import Any

from fazhi.cases.tests import factories

PUBLIC_URLS: set[str] = set()


def _case(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": factories.case(personas.county_b_brigade).pk}, True


def _case_for_deciders(personas: Any) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    return {"pk": factories.case(personas.county_b_brigade).pk}, True, ("leader",)


def _case_action(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": factories.case(personas.county_b_brigade).pk, "name": "file"}, True


URL_ARGS = {
    "cases:case_detail": _case,
    "cases:case_act": _case_action,
    "cases:case_proposal": _case,
    "cases:violation_add": _case,
    "cases:case_extend": _case_for_deciders,
    "cases:note_add": _case,
}
