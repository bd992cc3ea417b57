"""While PostgreSQL cannot be reached, the API and pages answer 503 with Retry-After (not
a 500), and the next request after it is back works on a fresh connection."""

import contextlib

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_unreachable():
    """Point the live connection at a port where nothing listens, as in a restart."""
    saved = connection.settings_dict.copy()
    connection.close()
    connection.settings_dict["PORT"] = "1"
    connection.settings_dict["HOST"] = "127.0.0.1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_api_answers_503_as_json_with_retry_after_and_recovers():
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with database_unreachable():
        down = client.get("/api/v1/instruments/")
    assert down.status_code == 503
    assert down["Content-Type"].startswith("application/json")
    assert int(down["Retry-After"]) > 0
    body = down.json()
    assert body["code"] == "unavailable" and "稍后" in body["detail"]
    assert client.get("/api/v1/instruments/").status_code == 200


def test_pages_answer_a_friendly_503_in_the_readers_language():
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with database_unreachable():
        down = client.get("/instruments/")
    assert down.status_code == 503 and int(down["Retry-After"]) > 0
    page = down.content.decode()
    assert "稍后" in page and "Traceback" not in page
    assert client.get("/instruments/").status_code == 200
