"""The REST API at /api/v1/: one NinjaAPI, routers contributed by the apps."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from fazhi.core.auth import api_auth
from fazhi.core.errors import DomainError, OutOfScope

api = NinjaAPI(
    title="Fazhi API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """Answer a refused action; the policy's errors answer as pages do (403/404)."""
    if isinstance(exc, OutOfScope):
        # Outside the caller's scope looks exactly like a row that does not exist.
        return api.create_response(request, {"detail": "Not found"}, status=404)
    return api.create_response(
        request, {"detail": str(exc.message), "field": exc.field}, status=exc.status_code
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(ObjectDoesNotExist)
def not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "Permission denied"}, status=403)


def _add_routers() -> None:
    from fazhi.core.api import router as core_router
    from fazhi.core.api_clock import router as clock_router
    from fazhi.core.api_documents import router as documents_router
    from fazhi.discretion.api import router as discretion_router
    from fazhi.laws.api import router as laws_router
    from fazhi.powers.api import router as powers_router
    from fazhi.registry.api import router as registry_router

    api.add_router("/", core_router)
    api.add_router("/clock", clock_router)
    api.add_router("/", documents_router)
    api.add_router("/", laws_router)
    api.add_router("/", powers_router)
    api.add_router("/", discretion_router)
    api.add_router("/", registry_router)


_add_routers()
