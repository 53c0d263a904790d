"""The REST API at /api/v1/: one NinjaAPI, routers contributed by the apps."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from config.api_docs import VendoredSwagger
from fazhi.core.auth import api_auth
from fazhi.core.errors import DomainError, OutOfScope

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {
            "description": "A message, or field names with their messages, or a list of "
            "validation errors.",
            "anyOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}],
        },
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["detail"],
}
_ERROR_REF = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_WRITES = {"post", "put", "patch", "delete"}


class FazhiAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI documents the error answers of every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                errors: dict[int, str] = {}
                if operation.get("security"):
                    errors[401] = "Not logged in, or the token is invalid or expired."
                    errors[403] = "Logged in, but not allowed (or the password expired)."
                parameters = operation.get("parameters", [])
                if parameters or "requestBody" in operation:
                    # Path, query and body may all name objects (an agency, an
                    # entry to calculate with); one outside the scope is 404, and
                    # one a rule refuses (a unit that is not an agency) is 400.
                    errors[404] = "No such object within your scope."
                    errors[400] = "A rule refused the request."
                    errors[422] = "Invalid input: the fields and what is wrong with them."
                if method in _WRITES:
                    errors[400] = "A rule refused the action."
                    errors[409] = "The object's state does not allow the action."
                responses = operation.setdefault("responses", {})
                for status, description in errors.items():
                    if status not in responses and str(status) not in responses:
                        responses[status] = {"description": description, **_ERROR_REF}
        return schema


api = FazhiAPI(
    title="Fazhi API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),
    docs_url="/docs",
    docs=VendoredSwagger(),
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


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The schemas bound what they can (fazhi/core/api_types.py); this is the net
    # for a value the database still cannot hold.
    return api.create_response(
        request, {"detail": _("A value is out of the range the database can hold.")}, status=422
    )


@api.exception_handler(ObjectDoesNotExist)
def not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "Permission denied"}, status=403)


def _add_routers() -> None:
    from fazhi.cases.api import router as cases_router
    from fazhi.core.api import router as core_router
    from fazhi.core.api_audit import router as audit_router
    from fazhi.core.api_clock import router as clock_router
    from fazhi.core.api_documents import router as documents_router
    from fazhi.core.api_proposals import router as proposals_router
    from fazhi.discretion.api import router as discretion_router
    from fazhi.inspections.api import router as inspections_router
    from fazhi.laws.api import router as laws_router
    from fazhi.powers.api import router as powers_router
    from fazhi.registry.api import router as registry_router

    api.add_router("/", core_router)
    api.add_router("/", audit_router)
    api.add_router("/clock", clock_router)
    api.add_router("/", documents_router)
    api.add_router("/", proposals_router)
    api.add_router("/", laws_router)
    api.add_router("/", powers_router)
    api.add_router("/", discretion_router)
    api.add_router("/", registry_router)
    api.add_router("/", inspections_router)
    api.add_router("/", cases_router)


_add_routers()
