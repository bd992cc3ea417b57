"""The calendar import through the manager's pages and through the API."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from facilities.models import Blackout, BlackoutCalendar, CalendarUpload
from tests.catalogue_care.test_calendars_follow_source import (
    NOW,
    ONE_OFF,
    OTHER,
    SH,
    WEEKLY,
    event,
    ics,
)
from tests.conftest import client_for
from tests.factories.accounts import make_provider, member_of
from tests.factories.booking import BookingFactory
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def instrument(provider):
    return InstrumentFactory(provider=provider)


def _upload(client, instrument, content, **extra):
    return client.post(f"/lab/instruments/{instrument.pk}/blackouts/", {
        "action": "ics", "i-file": SimpleUploadedFile("维护.ics", content, "text/calendar"),
        "i-kind": "maintenance", **extra,
    })  # fmt: skip


def test_manager_previews_then_confirms_a_reimport(manager, instrument):
    client = client_for(manager)
    first = _upload(client, instrument, ics(WEEKLY, ONE_OFF))
    assert first.status_code == 302 and "/calendar-uploads/" in first["Location"]
    assert not Blackout.objects.exists()  # the preview writes no window
    client.post(first["Location"])
    assert Blackout.objects.count() == 5

    edited = ics(WEEKLY, event("one-off@lab", "20260310T090000", "20260310T100000", "换灯"))
    preview = client.get(_upload(client, instrument, edited)["Location"])
    page = preview.content.decode()
    assert "设备维护" in page and 'data-testid="confirm-calendar"' in page
    assert preview.context["summary"]["shortened"] == 1
    assert [i["change"] for i in preview.context["items"]] == ["shortened"]
    client.post(preview.wsgi_request.path)
    assert Blackout.objects.get(source_uid="one-off@lab").end_at == dt.datetime(
        2026, 3, 10, 10, tzinfo=SH
    )
    listing = client.get(f"/lab/instruments/{instrument.pk}/blackouts/").content.decode()
    assert 'data-testid="calendars"' in listing and "设备维护" in listing


def test_preview_shows_the_refusal_and_offers_no_save(manager, instrument):
    client = client_for(manager)
    client.post(_upload(client, instrument, ics(ONE_OFF))["Location"])
    BookingFactory(instrument=instrument, start_at=dt.datetime(2026, 3, 11, 9, tzinfo=SH),
                   end_at=dt.datetime(2026, 3, 11, 10, tzinfo=SH))  # fmt: skip
    onto = ics(event("one-off@lab", "20260311T080000", "20260311T093000", "换灯"))
    page = client.get(_upload(client, instrument, onto)["Location"]).content.decode()
    assert 'data-testid="calendar-clash"' in page and "2026-03-11" in page
    assert 'data-testid="confirm-calendar"' not in page


def test_a_bad_file_is_shown_on_the_form_and_changes_nothing(manager, instrument):
    response = _upload(client_for(manager), instrument, b"not a calendar")
    assert response.status_code == 200
    assert response.context["ics_form"].errors
    assert not CalendarUpload.objects.exists()


def test_manager_removes_a_whole_calendar(manager, instrument):
    client = client_for(manager)
    client.post(_upload(client, instrument, ics(WEEKLY))["Location"])
    calendar = BlackoutCalendar.objects.get()
    r = client.post(f"/lab/instruments/{instrument.pk}/calendars/{calendar.pk}/remove/")
    assert r.status_code == 302 and not Blackout.objects.exists()


def test_another_providers_manager_gets_404(manager, instrument):
    client = client_for(manager)
    upload = client.get(_upload(client, instrument, ics(WEEKLY))["Location"])
    stranger = client_for(member_of(make_provider()))
    assert stranger.get(upload.wsgi_request.path).status_code == 404
    assert stranger.post(upload.wsgi_request.path).status_code == 404
    assert not Blackout.objects.exists()


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _api_import(client, instrument, content, **data):
    return client.post(f"/api/v1/instruments/{instrument.pk}/import-ics/",
                       {"file": SimpleUploadedFile("m.ics", content), **data}, format="multipart")  # fmt: skip


def test_api_dry_run_then_sync_then_list_and_delete(manager, instrument):
    api = _api(manager)
    _api_import(api, instrument, ics(WEEKLY, ONE_OFF))
    edited = ics(WEEKLY, OTHER)
    dry = _api_import(api, instrument, edited, dry_run="true")
    assert dry.status_code == 200, dry.content
    assert dry.json()["dry_run"] is True
    assert (dry.json()["added"], dry.json()["removed"], dry.json()["unchanged"]) == (1, 1, 4)
    assert {c["change"] for c in dry.json()["changes"]} == {"added", "removed"}
    assert Blackout.objects.filter(source_uid="one-off@lab").exists()  # dry run wrote nothing
    done = _api_import(api, instrument, edited).json()
    assert done["calendar"] == dry.json()["calendar"] and done["removed"] == 1
    calendars = api.get(f"/api/v1/instruments/{instrument.pk}/calendars/").json()
    assert [(c["name"], c["windows"]) for c in calendars] == [("设备维护", 5)]
    r = api.delete(f"/api/v1/instruments/{instrument.pk}/calendars/{done['calendar']}/")
    assert r.status_code == 204 and not Blackout.objects.exists()


def test_api_refusal_is_409_with_the_dates(manager, instrument):
    api = _api(manager)
    _api_import(api, instrument, ics(ONE_OFF))
    BookingFactory(instrument=instrument, start_at=dt.datetime(2026, 3, 11, 9, tzinfo=SH),
                   end_at=dt.datetime(2026, 3, 11, 10, tzinfo=SH))  # fmt: skip
    r = _api_import(
        api, instrument, ics(event("one-off@lab", "20260311T080000", "20260311T093000"))
    )
    assert r.status_code == 409 and r.json()["code"] == "blackout_overlaps_bookings"
    assert Blackout.objects.get().start_at == dt.datetime(2026, 3, 10, 9, tzinfo=SH)


def test_api_calendars_of_another_provider_are_404(manager, instrument):
    _api_import(_api(manager), instrument, ics(WEEKLY))
    calendar = BlackoutCalendar.objects.get()
    stranger = _api(member_of(make_provider()))
    assert stranger.get(f"/api/v1/instruments/{instrument.pk}/calendars/").status_code == 404
    url = f"/api/v1/instruments/{instrument.pk}/calendars/{calendar.pk}/"
    assert stranger.delete(url).status_code == 404
    assert Blackout.objects.count() == 4


def test_site_admin_lists_imported_calendars_and_their_windows(admin_client, manager, instrument):
    _api_import(_api(manager), instrument, ics(WEEKLY))
    assert "设备维护" in admin_client.get("/admin/facilities/blackoutcalendar/").content.decode()
    assert admin_client.get("/admin/facilities/blackout/").status_code == 200
