"""Lists answer what the schema says: paginated where documented so, plain arrays where
answered so (the fuzz probe found an instrument's rule lists documented as paginated and
answered as arrays: ST108)."""

from __future__ import annotations

import inspect

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import client_for
from tests.factories.facilities import InstrumentFactory

# What a handler's source calls when it answers a page (a list override may defer to the
# mixin's).
_PAGINATES = ("paginate_queryset", "get_paginated_response", "super().list(")
RULE_LISTS = ("opening-exceptions", "blackouts", "calendars", "qualifications")


@pytest.fixture(scope="module")
def generated():
    generator = SchemaGenerator()
    return generator, generator.get_schema(request=None, public=True)


def _ok_schema(operation: dict) -> dict:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    return content.get("application/json", {}).get("schema", {})


def test_every_operation_documented_as_paginated_paginates(generated):
    """A view documented as answering a page must make one: the list of a viewset with a
    paginator does; any other action must call the paginator itself."""
    generator, schema = generated
    views = {
        (path, method.lower()): view
        for path, _, method, view in generator._get_paths_and_endpoints()
    }
    unpaginated = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            ref = _ok_schema(operation).get("$ref", "")
            if not ref.split("/")[-1].startswith("Paginated"):
                continue
            view = views[(path, method)]
            action = getattr(view, "action", None) or method
            handler = getattr(view, action)
            if action == "list" and handler.__qualname__.startswith("ListModelMixin"):
                continue
            source = inspect.getsource(handler)
            if not any(call in source for call in _PAGINATES):
                unpaginated.append(f"{method.upper()} {path}")
    assert unpaginated == []


def test_an_instruments_rule_lists_are_documented_as_arrays(generated):
    _, schema = generated
    for name in RULE_LISTS:
        operation = schema["paths"][f"/api/v1/instruments/{{id}}/{name}/"]["get"]
        assert _ok_schema(operation).get("type") == "array", name


@pytest.mark.django_db
def test_an_instruments_rule_lists_answer_arrays(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    client = client_for(manager)
    for name in RULE_LISTS:
        response = client.get(f"/api/v1/instruments/{instrument.pk}/{name}/")
        assert response.status_code == 200, name
        assert isinstance(response.json(), list), name


@pytest.mark.django_db
def test_anonymous_gets_401_on_an_instruments_rule_lists(provider):
    instrument = InstrumentFactory(provider=provider)
    for name in RULE_LISTS:
        response = Client().get(f"/api/v1/instruments/{instrument.pk}/{name}/")
        assert response.status_code == 401, name
        assert response.json()["code"] == "not_authenticated", name


def test_a_query_parameters_bounds_are_documented(generated):
    """``?instrument=0`` is a 400 (ids start at 1), so the schema says so (ST202)."""
    _, schema = generated
    (parameter,) = schema["paths"]["/api/v1/uncovered-bookings/"]["get"]["parameters"]
    assert parameter["name"] == "instrument" and parameter["required"]
    assert parameter["schema"]["minimum"] == 1


def test_every_export_documents_the_files_it_answers(generated):
    """An operation with ``?export=csv|xlsx`` answers a file of that type: its 200 says so
    (schemathesis found text/csv undocumented on the tracker's exports: ST105)."""
    from facilities.imports.exports import CONTENT_TYPES as CATALOGUE_FILES
    from vouchers.exports import CONTENT_TYPES as VOUCHER_FILES

    _, schema = generated
    exporting = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] == "export":
                    exporting.append(path)
                    content = operation["responses"]["200"]["content"]
                    for fmt in parameter["schema"]["enum"]:
                        sent = {**CATALOGUE_FILES, **VOUCHER_FILES}[fmt].split(";")[0]
                        assert sent in content, (method, path, fmt)
    assert "/api/v1/tracker/usage/" in exporting and "/api/v1/claims/" in exporting


def test_lists_of_prices_and_hours_take_json_only(generated):
    """A nested list has no form encoding, so the schema offers JSON only (ST202: a form
    body the schema called valid was a 400)."""
    _, schema = generated
    for name in ("prices", "opening-hours"):
        body = schema["paths"][f"/api/v1/instruments/{{id}}/{name}/"]["put"]["requestBody"]
        assert list(body["content"]) == ["application/json"], name


@pytest.mark.django_db
def test_a_form_encoded_price_list_is_415(manager, provider):
    instrument = InstrumentFactory(provider=provider)
    response = client_for(manager).put(
        f"/api/v1/instruments/{instrument.pk}/prices/",
        "prices=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
