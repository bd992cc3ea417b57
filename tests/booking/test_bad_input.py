"""Bad input is a 4xx with a clear message, never a 500: ids that are not numbers, control
characters, impossible or out-of-range dates, JSON nested without end, /me/ in a browser."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories.booking import BookingFactory

pytestmark = pytest.mark.django_db

OBJECT_PATHS = [
    "/api/v1/bookings/abc/", "/api/v1/bookings/abc/approve/", "/api/v1/bookings/1.5/",
    "/api/v1/instruments/abc/", "/api/v1/instruments/abc/availability/",
    "/api/v1/service-requests/abc/", "/api/v1/service-requests/abc/accept/",
    "/api/v1/providers/abc/", "/api/v1/services/abc/", "/api/v1/firms/abc/",
    "/api/v1/tokens/abc/", "/api/v1/notifications/abc/read/", "/instruments/abc/",
]  # fmt: skip

BAD_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01T25:00", "2026-12-01T09:00+25:00"]


def _clients(users):
    for user in users:
        api = APIClient()
        api.force_login(user)
        yield user, api


def test_non_numeric_ids_are_404(alice, manager):
    for _, client in _clients([alice, manager]):
        for path in OBJECT_PATHS:
            method = client.post if path.endswith(("approve/", "accept/", "read/")) else client.get
            assert method(path).status_code == 404, path


@pytest.mark.parametrize("value", ["a\x00b", "\x01\x02", "x\x1fy"])
def test_control_characters_in_search_are_400(alice, value):
    api = APIClient()
    api.force_login(alice)
    r = api.get("/api/v1/instruments/", {"q": value})
    assert r.status_code == 400 and r.json()["code"] == "control_characters"
    page = Client()
    page.force_login(alice)
    assert page.get("/instruments/", {"q": value}).status_code == 400


def test_tabs_and_newlines_are_still_text(alice):
    api = APIClient()
    api.force_login(alice)
    assert api.get("/api/v1/instruments/", {"q": "红外\t光谱\n"}).status_code == 200


@pytest.mark.parametrize("value", BAD_DATES)
def test_out_of_range_or_impossible_dates_are_400_naming_the_field(alice, manager, value):
    booking = BookingFactory(instrument__provider=manager.memberships.get().organisation)
    instrument = booking.instrument
    api = APIClient()
    api.force_login(alice)
    r = api.get(f"/api/v1/instruments/{instrument.pk}/availability/",
                {"start": value, "end": "2026-12-02T00:00:00+08:00"})  # fmt: skip
    assert r.status_code == 400 and "start" in r.json()["fields"], r.json()
    r = api.get("/api/v1/instruments/", {"free_from": value})
    assert r.status_code == 400, value
    page = Client()
    page.force_login(alice)
    assert page.get("/instruments/", {"free_from": value}).status_code in (200, 400)
    assert page.get(f"/instruments/{instrument.pk}/book/", {"week": value}).status_code == 400
    manager_page = Client()
    manager_page.force_login(manager)
    r = manager_page.get(f"/instruments/{instrument.pk}/calendar/", {"week": value})
    assert r.status_code == 400
    assert manager_page.get("/lab/today/", {"day": value}).status_code == 400


def test_api_datetimes_need_their_offset(alice):
    api = APIClient()
    api.force_login(alice)
    r = api.post("/api/v1/bookings/", {"instrument": 1, "start": "2026-12-01T09:00:00",
                                       "end": "2026-12-01T10:00:00+08:00", "purpose": "x"},
                 format="json")  # fmt: skip
    assert r.status_code == 400 and "start" in r.json()["fields"]


def test_json_nested_without_end_is_400(alice):
    api = APIClient()
    api.force_login(alice)
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    for path in ("/api/v1/bookings/", "/api/v1/service-requests/", "/api/v1/auth/token/"):
        r = api.post(path, deep, content_type="application/json")
        assert r.status_code == 400, path
    r = APIClient().post("/api/v1/auth/token/", "[" * 100 + "]" * 100,
                         content_type="application/json")  # fmt: skip
    assert r.status_code == 400


def test_me_works_for_a_browser_session(alice):
    api = APIClient()
    api.force_login(alice)
    assert api.get("/api/v1/me/").status_code == 200
    r = api.patch("/api/v1/me/", {"language": "en"}, format="json")
    assert r.status_code == 200 and r.json()["language"] == "en"
