"""Permission-matrix entries for the seizure and referral endpoints of a case."""

from __future__ import annotations

from typing import Any

from fazhi.cases.models import Case, Coercion, CrimeReferral
from fazhi.cases.tests import factories


def _case(personas: Any) -> Case:
    return factories.case(personas.county_b_brigade)


def _coercion(personas: Any) -> tuple[dict[str, Any], bool]:
    case = _case(personas)
    coercion = Coercion.objects.create(
        case=case, kind="seal", items="x", reason="x", basis="x", proposed_on=case.discovered_on
    )
    return {"pk": case.pk, "cid": coercion.pk, "name": "approve"}, True


def _referral(personas: Any) -> tuple[dict[str, Any], bool]:
    case = _case(personas)
    referral = CrimeReferral.objects.create(
        case=case, crime="x", report="x", reported_on=case.discovered_on
    )
    return {"pk": case.pk, "rid": referral.pk, "name": "approve"}, True


def _case_pk(personas: Any) -> tuple[dict[str, Any], bool]:
    return {"pk": _case(personas).pk}, True


URL_ARGS = {
    "cases:coercion_add": _case_pk,
    "cases:coercion_act": _coercion,
    "cases:referral_add": _case_pk,
    "cases:referral_act": _referral,
}
