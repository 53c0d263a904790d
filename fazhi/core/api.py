"""API: org units, users, the current user, code validation.

No ``from __future__ import annotations`` here: ninja resolves the string
annotations of a ``@paginate``-wrapped view in the wrong module, and
``Query[...]`` parameters then break the OpenAPI schema.
"""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from fazhi.core import selectors, two_factor
from fazhi.core.api_types import Id
from fazhi.core.codes import VALIDATORS

router = Router(tags=["core"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    level: str
    parent_id: int | None
    region_code: str
    uscc: str
    path: str
    is_active: bool


class RoleOut(Schema):
    code: str
    name: str
    scope: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    unit_id: int | None
    role: RoleOut | None
    is_active: bool


class UnitFilter(Schema):
    q: str = ""
    kind: str = ""


class UserFilter(Schema):
    q: str = ""
    role: str = ""
    unit: Id | None = None


class CodeResult(Schema):
    kind: str
    value: str
    valid: bool
    reason: str


@router.get("/units", response=list[UnitOut])
@paginate
def units(request: HttpRequest, filters: Query[UnitFilter]) -> Any:
    return selectors.unit_list(actor=request.user, q=filters.q, kind=filters.kind)


@router.get("/units/{unit_id}", response=UnitOut)
def unit(request: HttpRequest, unit_id: Id) -> Any:
    return selectors.unit_get(actor=request.user, pk=unit_id)


@router.get("/users", response=list[UserOut])
@paginate
def users(request: HttpRequest, filters: Query[UserFilter]) -> Any:
    return selectors.user_list(
        actor=request.user, q=filters.q, role=filters.role, unit=filters.unit
    )


@router.get("/users/{user_id}", response=UserOut)
def user(request: HttpRequest, user_id: Id) -> Any:
    return selectors.user_get(actor=request.user, pk=user_id)


@router.post("/users/{user_id}/two-factor/reset", response=UserOut)
def user_two_factor_reset(request: HttpRequest, user_id: Id) -> Any:
    """Remove a user's authenticator and recovery codes (a lost phone); audited."""
    subject = selectors.user_get(actor=request.user, pk=user_id)
    two_factor.reset(actor=request.user, user=subject)
    return subject


@router.get("/me", response=UserOut)
def me(request: HttpRequest) -> Any:
    return request.user


@router.get("/codes/validate", response=CodeResult, auth=None)
def codes_validate(
    request: HttpRequest,
    kind: Literal["uscc", "ric", "region"],
    value: str = "",
) -> Any:
    """Check a code; public, as the portal's forms use it too."""
    check = VALIDATORS[kind](value)
    return {"kind": kind, "value": value, "valid": check.valid, "reason": str(check.reason)}
