"""Schemathesis over the whole OpenAPI schema, as a firm member and as a lab manager: no
generated request, however odd, gets a server error. Bounded (a few examples per
operation) so it stays a CI check; run it longer with FUZZ_EXAMPLES=200."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from accounts.services import api_token_create
from config.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a WSGI request must not close the connection that
    holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["firm member", "lab manager"])
def token(request, alice, manager):
    user = alice if request.param == "firm member" else manager
    _token, key = api_token_create(actor=user, name="fuzz")
    return key


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)  # fmt: skip
def test_no_request_gets_a_server_error(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}\n{response.text[:2000]}"
    )
