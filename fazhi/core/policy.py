"""Every permission decision: role (403), org scope (404) and rule ownership.

A service calls ``require`` first, so that a view, the API, a management
command or another app cannot skip the check. Pages use ``view_requires``; the
API maps the same errors in ``config/api.py``. Both answer "missing
permission" with 403 and "outside your scope" with 404, so that an object in
another county looks like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from fazhi.core.choices import AgencyLevel, RoleCode, Scope
from fazhi.core.errors import NotAllowed, OutOfScope

if TYPE_CHECKING:
    from fazhi.core.actors import Actor
    from fazhi.core.models import OrgUnit

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


# -- scope ----------------------------------------------------------------------


def scope_paths(actor: Actor | Any) -> list[str] | None:
    """Return the unit-path prefixes the actor sees; None means everything."""
    if actor is None or not actor.is_authenticated:
        return []
    if actor.is_superuser:
        return None
    role = actor.role
    if role is None or actor.unit is None:
        return []
    if role.scope == Scope.ALL:
        return None
    if role.scope == Scope.UNIT:
        return [actor.unit.path]
    if role.scope == Scope.AGENCY:
        return [actor.unit.agency().path]
    return []


def scope_q(actor: Actor | Any, path_field: str = "unit__path") -> Q:
    """Return a Q object limiting rows to the actor's subtree (by a path field)."""
    paths = scope_paths(actor)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def unit_in_scope(actor: Actor | Any, unit: OrgUnit | None) -> bool:
    """Say whether ``unit`` lies in the actor's scope (None: only for "see all")."""
    if unit is None:
        return scope_paths(actor) is None
    paths = scope_paths(actor)
    return paths is None or any(unit.path.startswith(p) for p in paths)


# -- roles ----------------------------------------------------------------------


def is_system_admin(actor: Actor | Any) -> bool:
    """Say whether the actor administers the whole system (or is code run by one)."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    role = actor.role
    return role is not None and role.code == RoleCode.SYSTEM_ADMIN


def has_permission(actor: Actor | Any, perm: str) -> bool:
    """Say whether the actor's role grants ``perm`` ("app.codename")."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return bool(actor.has_perm(perm))


def require(
    actor: Actor | Any,
    perm: str,
    *,
    unit: OrgUnit | None = None,
    message: str | Promise | None = None,
) -> None:
    """Raise ``NotAllowed`` without ``perm``, ``OutOfScope`` if ``unit`` is not in scope."""
    if not has_permission(actor, perm):
        raise NotAllowed(message or _("You do not have permission to do this."))
    if unit is not None:
        require_in_scope(actor, unit)


def require_all(actor: Actor | Any, *perms: str) -> None:
    """Raise ``NotAllowed`` unless the actor holds every one of ``perms``."""
    for perm in perms:
        require(actor, perm)


def has_any_permission(actor: Actor | Any, *perms: str) -> bool:
    """Say whether the actor's role grants at least one of ``perms``."""
    return any(has_permission(actor, perm) for perm in perms)


def require_in_scope(actor: Actor | Any, unit: OrgUnit | None) -> None:
    """Raise ``OutOfScope`` (shown as "not found") if ``unit`` is outside the scope."""
    if not unit_in_scope(actor, unit):
        raise OutOfScope(_("Not found."))


def allowed(actor: Actor | Any, perm: str, *, unit: OrgUnit | None = None) -> bool:
    """Answer ``require`` as a boolean, for menus and buttons."""
    try:
        require(actor, perm, unit=unit)
    except NotAllowed:
        return False
    return True


# -- rule data --------------------------------------------------------------------


def rule_level_unit(unit: OrgUnit | None) -> OrgUnit | None:
    """Return the agency that owns rule data issued at ``unit`` (None: national).

    Provincial rule data counts as national here: no provincial user works in
    the system, so only system administrators keep it.
    """
    if unit is None:
        return None
    agency = unit.agency()
    if agency.level == AgencyLevel.PROVINCE:
        return None
    return agency


def require_rule_owner(actor: Actor | Any, *, level_unit: OrgUnit | None) -> None:
    """Refuse a change to rule data issued at a level the actor does not own.

    National and provincial rows (``level_unit`` None) belong to the system
    administrators; a city's rows to the city's legal section (its legal
    reviewers); a county's own additions to the county's legal reviewers.
    """
    if is_system_admin(actor):
        return
    owner = rule_level_unit(level_unit)
    if owner is None:
        raise NotAllowed(
            _("Only a system administrator may change national or provincial rule data.")
        )
    role = actor.role if actor is not None and actor.is_authenticated else None
    unit = actor.unit if role is not None else None
    if role is None or unit is None or role.code != RoleCode.LEGAL_REVIEWER:
        raise NotAllowed(
            _("Only the legal section of %(unit)s may change its rule data.")
            % {"unit": owner.name}
        )
    if unit.agency().pk != owner.pk:
        raise NotAllowed(
            _("Only the legal section of %(unit)s may change its rule data.")
            % {"unit": owner.name}
        )


def require_rule_change(
    actor: Actor | Any,
    perm: str,
    *,
    level_unit: OrgUnit | None = None,
    message: str | Promise | None = None,
) -> None:
    """Refuse a change to rule data without ``perm`` or by someone not its owner."""
    require(actor, perm, message=message)
    require_rule_owner(actor, level_unit=level_unit)


def may_change_rules(actor: Actor | Any, perm: str, *, level_unit: OrgUnit | None = None) -> bool:
    """Answer ``require_rule_change`` as a boolean, for buttons."""
    try:
        require_rule_change(actor, perm, level_unit=level_unit)
    except NotAllowed:
        return False
    return True


def may_own_rules(actor: Actor | Any, level_unit: OrgUnit | None) -> bool:
    """Answer ``require_rule_owner`` as a boolean, for buttons."""
    try:
        require_rule_owner(actor, level_unit=level_unit)
    except NotAllowed:
        return False
    return True


# -- templates ------------------------------------------------------------------


class TemplatePerms:
    """``perms`` in templates (``{% if perms.laws.add_law %}``), answered by this module.

    Replaces the ``perms`` of Django's auth context processor, so that a
    template's buttons follow the same decisions as the pages and services.
    """

    def __init__(self, actor: Actor | Any, app: str | None = None) -> None:
        self.actor = actor
        self.app = app

    def __getitem__(self, name: str) -> TemplatePerms | bool:
        if self.app is None:
            return TemplatePerms(self.actor, name)
        return has_permission(self.actor, f"{self.app}.{name}")

    def __contains__(self, perm: str) -> bool:
        if self.app is not None:
            return has_permission(self.actor, f"{self.app}.{perm}")
        if "." not in perm:
            return bool(TemplatePerms(self.actor, perm))
        return has_permission(self.actor, perm)

    def __bool__(self) -> bool:
        if self.actor is None or not self.actor.is_authenticated:
            return False
        if self.app is None or self.actor.is_superuser:
            return True
        granted: set[str] = getattr(self.actor, "get_all_permissions", set)()
        return any(perm.startswith(f"{self.app}.") for perm in granted)

    def __iter__(self) -> Any:
        raise TypeError("TemplatePerms is not iterable")


# -- pages ----------------------------------------------------------------------


def page_require(actor: Actor | Any, *perms: str, hide: bool = False) -> None:
    """Refuse a page (or an API operation) unless the actor holds one of ``perms``.

    ``PermissionDenied`` (403) by default; ``hide`` answers 404 instead, for
    the pages the permission matrix keeps hidden from the roles without it.
    """
    if not has_any_permission(actor, *perms):
        if hide:
            raise Http404
        raise PermissionDenied


def view_requires(*perms: str) -> Callable[[View], View]:
    """Guard a page: login, then every perm in ``perms`` (403), then scope (404).

    The view may raise the services' ``OutOfScope`` (→ 404), ``NotAllowed``
    (→ 403) or a selector's ``DoesNotExist`` (→ 404); other domain errors are
    the view's to show.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            for perm in perms:
                if not has_permission(request.user, perm):
                    raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except OutOfScope as exc:
                raise Http404 from exc
            except NotAllowed as exc:
                raise PermissionDenied(str(exc.message)) from exc
            except ObjectDoesNotExist as exc:
                raise Http404 from exc

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


# -- services -------------------------------------------------------------------

Service = TypeVar("Service", bound=Callable[..., Any])

# "module.function" → the permissions its decorator requires, any one of which
# suffices (read by the contract tests).
SERVICES: dict[str, tuple[str, ...]] = {}


def requires(perm: str, *, message: str | Promise | None = None) -> Callable[[Service], Service]:
    """Guard a service: its ``actor`` keyword argument must hold ``perm`` (403).

    Scope is the service's to check (``require_in_scope``) once it has read the
    object. The decorated services are listed in ``SERVICES``; the service
    contract test calls each one as every role the grants leave without ``perm``.
    ``message`` replaces the general refusal where the service says more.
    """
    return _guard((perm,), message)


def requires_any(
    *perms: str, message: str | Promise | None = None
) -> Callable[[Service], Service]:
    """Guard a service that needs one of ``perms`` (a procedure's step checks its own).

    For a service whose exact permission depends on its arguments, such as a
    workflow transition: the roles holding none of ``perms`` are refused here,
    before the service reads anything; the service then checks the one it needs.
    """
    if not perms:
        raise ValueError("requires_any needs at least one permission")
    return _guard(tuple(sorted(set(perms))), message)


def _guard(perms: tuple[str, ...], message: str | Promise | None) -> Callable[[Service], Service]:
    def decorator(service: Service) -> Service:
        @wraps(service)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            actor = kwargs.get("actor")
            if not has_any_permission(actor, *perms):
                raise NotAllowed(message or _("You do not have permission to do this."))
            return service(*args, **kwargs)

        wrapped.required_permissions = perms  # type: ignore[attr-defined]
        SERVICES[f"{service.__module__}.{service.__qualname__}"] = perms
        return wrapped  # type: ignore[return-value]

    return decorator


class PolicyErrorMiddleware:
    """Answer a page's uncaught ``OutOfScope`` with 404 and ``NotAllowed`` with 403.

    The same mapping as ``view_requires`` and the API's handler, for pages
    whose service refuses after the view's own checks.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.handlers.exception import response_for_exception

        if isinstance(exception, OutOfScope):
            return response_for_exception(request, Http404())
        if isinstance(exception, NotAllowed):
            return response_for_exception(request, PermissionDenied(str(exception.message)))
        return None
