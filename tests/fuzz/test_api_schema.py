"""Schemathesis over every API operation, as the administrator and as a county officer.

Fails on any 5xx, on an answer that does not match the OpenAPI schema (body,
status code, content type) and on an undocumented status. Bounded examples
keep it to a few minutes; run with ``FAZHI_FUZZ=1 ./dev pytest tests/fuzz``.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from fazhi.core import services

# Any 5xx, and any answer the schema does not describe. Not "positive data
# acceptance": a schema-valid request may still break a rule (422 with a message).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

PERSONAS = ("admin", "county_a_officer")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calling the WSGI app directly fires request_started/finished, which would
    close the test's database connection (and its transaction) on PostgreSQL;
    Django's own test client disconnects the same handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=PERSONAS)
def bearer(request, personas):
    user = getattr(personas, request.param)
    _token, key = services.token_issue(actor=user, user=user, name="fuzz")
    return {"Authorization": f"Bearer {key}", "Accept-Language": "en"}


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
