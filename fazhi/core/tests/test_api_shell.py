"""The API shell: schema, authentication (session with CSRF, or token), error mapping."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, RequestFactory
from django.urls import include
from django.urls import path as url_path
from ninja import NinjaAPI

from config import api as api_module
from fazhi.core import services
from fazhi.core.auth import api_auth
from fazhi.core.errors import Conflict, DomainError, NotAllowed

CORE_PATHS = {
    "/api/v1/units",
    "/api/v1/units/{unit_id}",
    "/api/v1/users",
    "/api/v1/users/{user_id}",
    "/api/v1/me",
    "/api/v1/codes/validate",
}
UNSAFE = {"post", "put", "patch", "delete"}

# A probe API with the project's authentication, to prove CSRF is enforced on
# session writes even before any app has a write endpoint.
probe_api = NinjaAPI(urls_namespace="csrf_probe", auth=api_auth())


@probe_api.post("/echo")
def echo(request) -> dict[str, str]:
    return {"user": request.user.get_username()}


urlpatterns = [url_path("probe/", probe_api.urls), url_path("", include("config.urls"))]


def _schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.django_db
def test_openapi_schema_is_served_and_lists_the_core_paths():
    schema = _schema()
    assert schema["info"]["title"] == "Fazhi API"
    assert set(schema["paths"]) >= CORE_PATHS
    assert {"BearerAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.django_db
def test_api_docs_page_is_served():
    assert Client().get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/units", "/api/v1/units/1", "/api/v1/users", "/api/v1/users/1", "/api/v1/me"]
)
def test_anonymous_gets_401_on_internal_endpoints(path):
    response = Client().get(path)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_browser_session_works(personas):
    response = personas.client(personas.county_a_officer).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "a_officer"
    assert body["unit_id"] == personas.county_a_brigade.pk
    assert body["role"]["code"] == "officer"
    assert body["role"]["scope"] == "agency"


def test_session_post_without_csrf_token_is_refused(personas):
    operations = [
        (path, method)
        for path, item in _schema()["paths"].items()
        for method in item
        if method in UNSAFE and item[method].get("security")
    ]
    if not operations:
        pytest.skip("no authenticated POST/PUT/PATCH/DELETE endpoint exists yet")
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin)
    for path, method in operations:
        response = getattr(client, method)(
            _concrete(path), data="{}", content_type="application/json"
        )
        assert response.status_code == 403, (method, path, response.status_code)


@pytest.mark.urls(__name__)
def test_session_write_needs_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.county_a_officer)
    assert client.post("/probe/echo").status_code == 403
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post("/probe/echo", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json() == {"user": "a_officer"}


@pytest.mark.urls(__name__)
def test_token_write_needs_no_csrf_token(personas):
    _token, key = services.token_issue(actor=personas.admin, user=personas.admin, name="t")
    response = Client(enforce_csrf_checks=True).post(
        "/probe/echo", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200
    assert response.json() == {"user": "admin"}
    assert Client().post("/probe/echo").status_code == 401


def test_token_client_needs_no_csrf_token(personas):
    _token, key = services.token_issue(actor=personas.admin, user=personas.admin, name="t")
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_unknown_api_path_is_404():
    assert Client().get("/api/v1/no-such-thing").status_code == 404


def test_missing_object_is_404_json(personas):
    response = personas.client(personas.admin).get("/api/v1/units/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


# --- Error mapping ---


def _call(handler, exc) -> tuple[int, object]:
    response = handler(RequestFactory().get("/api/v1/x"), exc)
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize(
    ("exc", "status"),
    [(DomainError("bad", field="name"), 400), (NotAllowed("no"), 403), (Conflict("state"), 409)],
)
def test_domain_errors_map_to_4xx_with_field(exc, status):
    code, body = _call(api_module.domain_error, exc)
    assert code == status
    assert body == {"detail": str(exc.message), "field": exc.field}


def test_validation_errors_map_to_422_by_field():
    assert _call(api_module.validation_error, ValidationError({"uscc": ["wrong"]})) == (
        422,
        {"detail": {"uscc": ["wrong"]}},
    )
    assert _call(api_module.validation_error, ValidationError("whole")) == (
        422,
        {"detail": {"__all__": ["whole"]}},
    )


def test_not_found_and_forbidden_handlers():
    assert _call(api_module.not_found, ObjectDoesNotExist())[0] == 404
    assert _call(api_module.forbidden, PermissionDenied())[0] == 403
