"""Schemathesis over the whole OpenAPI schema, as a firm member, a lab manager and a
department reviewer of the demo Zhejiang (seed_demo: each has bookings, requests,
programmes, vouchers and claims in scope): no generated request, however odd, gets a
server error, and every answer, errors included, is what the schema says it is.

Each generated case is sent as generated (ids are mostly someone else's or none, so 404s
and 400s) and, unless its point is a bad path id, again with its path ids replaced by ones
the role can really see, taken from the collection above them, so the serializers answer
with real objects.

Most of a test's cases come from schemathesis' coverage phase (about 75 per operation:
every field valid, missing, too long, of each wrong type...). In CI a test sends every
valid one and one of each kind of invalid value per field (not up to six wrong types of
the same field: DRF rejects them all in the same place), so the module stays a few
minutes; the three roles run as three xdist groups, each worker seeding its own demo. The
probe (README, Tests) sends everything, with every check, one role at a time:
``FUZZ_PROBE=1 FUZZ_EXAMPLES=10 FUZZ_ROLE="lab manager" pytest -m fuzz
tests/test_api_fuzz.py``.
"""

from __future__ import annotations

import functools
import os
import re

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import response_schema_conformance
from werkzeug.test import Client as WsgiClient

from accounts import demo
from accounts.models import User
from accounts.services import api_token_create
from config.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# One generated example per operation and role in CI (each is also replayed with ids the
# role can see); the probe asks for more.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1"))
# The probe runs every check schemathesis has; CI the two that must never fail.
PROBE = os.environ.get("FUZZ_PROBE") == "1"
CHECKS = None if PROBE else [not_a_server_error, response_schema_conformance]

ROLES = {
    "firm member": demo.FIRM_EMAIL,
    "lab manager": demo.LAB_EMAIL,
    "department reviewer": demo.DEPT_EMAIL,
}
_PARAMETER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker):
    """The demo Zhejiang, seeded once per module inside a transaction that is rolled back
    at the end (each test's own transaction is a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        # The seed's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED), and
        # every test's teardown asks for that check (check_constraints) inside its own
        # savepoint, whose rollback puts the checks back in the queue: without this, each of
        # the 522 tests re-checked the seed's tens of thousands of rows (~1 s a test).
        connection.check_constraints()
        tokens = {
            role: api_token_create(actor=User.objects.get(email=email), name="fuzz")[1]
            for role, email in ROLES.items()
        }
        yield tokens
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a WSGI request must not close the connection that
    holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# The probe takes one role at a time (FUZZ_ROLE="lab manager"); CI all three. Each role is
# an xdist group (make test runs --dist loadgroup): its tests run together on one worker,
# which seeds the demo for them, and the other worker takes another role or the rest.
SELECTED = [os.environ["FUZZ_ROLE"]] if os.environ.get("FUZZ_ROLE") else list(ROLES)


@pytest.fixture(
    params=[pytest.param(r, marks=pytest.mark.xdist_group(f"fuzz-{r}")) for r in SELECTED]
)
def token(request, demo_tokens):
    return demo_tokens[request.param]


@pytest.fixture
def sent_kinds() -> set:
    """The kinds of invalid value this test (one operation, one role) has sent."""
    return set()


def _worth_sending(case, sent_kinds: set) -> bool:
    """In CI, one invalid value of each kind per field: the coverage phase's first
    "incorrect type" of a field is sent, its next five are not. The probe sends all."""
    meta = case._meta
    if PROBE or meta is None or meta.phase.name != TestPhase.COVERAGE:
        return True
    if meta.generation.mode != GenerationMode.NEGATIVE:
        return True
    data = meta.phase.data
    kind = (data.scenario, data.parameter_location, data.parameter, data.location)
    if kind in sent_kinds:
        return False
    sent_kinds.add(kind)
    return True


def _bad_path_id(case) -> bool:
    """A case whose path parameters were generated invalid (its 404 is the answer to
    check; with visible ids in their place it would repeat a valid case, which
    schemathesis, still seeing an invalid case, calls an accepted invalid request)."""
    meta = case._meta
    if meta is None:
        return False
    path = meta.components.get(ParameterLocation.PATH)
    if path is not None and path.mode == GenerationMode.NEGATIVE:
        return True
    return (
        meta.phase.name == TestPhase.COVERAGE
        and meta.generation.mode == GenerationMode.NEGATIVE
        and meta.phase.data.parameter_location == ParameterLocation.PATH
    )


@functools.cache
def _first_id(token: str, collection: str) -> int | None:
    """The first id the role sees in a collection (a list endpoint, paginated or not).
    Asked through WSGI as schemathesis asks: Django's test client would reconnect the
    signal that closes the test's connection."""
    response = WsgiClient(application).get(collection, headers={"Authorization": f"Token {token}"})
    if response.status_code != 200 or "json" not in response.headers.get("Content-Type", ""):
        return None
    body = response.get_json()
    items = body.get("results", []) if isinstance(body, dict) else body
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            return item["id"]
    return None


def _visible_ids(case, token: str) -> dict | None:
    """The case's path ids replaced by ids the role can see; None when one has none."""
    path = case.path
    values = dict(case.path_parameters or {})
    for match in _PARAMETER.finditer(path):
        prefix = path[: match.start()]
        for name, value in values.items():
            prefix = prefix.replace(f"{{{name}}}", str(value))
        found = _first_id(token, prefix)
        if found is None:
            return None
        # As text, as a URL carries it: the schema's path ids are strings of digits, and an
        # int would make schemathesis re-judge the replay an invalid (negative) case.
        values[match.group(1)] = str(found)
    return values


def _call(case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True)  # fmt: skip
def test_every_answer_is_no_server_error_and_matches_the_schema(case, token, sent_kinds):
    if not _worth_sending(case, sent_kinds):
        return
    _call(case, token)
    if not case.path_parameters or _bad_path_id(case):
        return
    visible = _visible_ids(case, token)
    if visible is None:
        return
    # The case is one of schemathesis' explicit examples, shared by the three roles' tests
    # of the operation: replay with the role's ids, then put the generated ones back.
    generated = case.path_parameters
    case.path_parameters = visible
    try:
        _call(case, token)
    finally:
        case.path_parameters = generated
