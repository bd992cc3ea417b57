"""Placing an order: quote, rules, attachments, notifications, Idempotency-Key."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from booking.models import Notification, ServiceRequest, StateChange
from booking.working_days import add_working_days
from facilities.models import TestingService as Service  # not "Test*": pytest would collect it
from tests.factories.facilities import TestingServiceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/service-requests/"


def order(service, **extra):
    return {
        "service": service.pk,
        "sample_count": 3,
        "sample_description": "Q235 钢板 3 件",
        "delivery": "drop_off",
        **extra,
    }


def test_order_is_quoted_per_sample_and_notifies_the_labs_managers(
    service, alice, manager, api, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = api(alice).post(URL, order(service), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "submitted" and body["quote_fen"] == 900_00
    assert body["due_on"] is None  # set when the lab accepts
    assert StateChange.objects.get(service_request_id=body["id"]).actor == alice
    assert Notification.objects.get(user=manager).kind == "service_request.submitted"
    assert mailoutbox[0].to == [manager.email]


def test_per_batch_price_ignores_sample_count(provider, alice, api):
    service = TestingServiceFactory(
        provider=provider, price_fen=1500_00, price_unit=Service.PriceUnit.PER_BATCH
    )
    r = api(alice).post(URL, order(service, sample_count=7), format="json")
    assert r.json()["quote_fen"] == 1500_00


def test_quote_preview(service, alice, api):
    r = api(alice).get(f"{URL}quote/", {"service": service.pk, "samples": 4})
    assert r.status_code == 200
    assert r.json()["quote_fen"] == 1200_00
    assert r.json()["estimated_due_on"] == add_working_days(timezone.localdate(), 5).isoformat()
    assert (
        api(alice).get(f"{URL}quote/", {"service": service.pk, "samples": "x"}).status_code == 400
    )
    assert api(alice).get(f"{URL}quote/", {"service": 999999, "samples": 1}).status_code == 404


def test_inactive_service_cannot_be_ordered(service, alice, api):
    Service.objects.filter(pk=service.pk).update(is_active=False)
    assert api(alice).post(URL, order(service), format="json").status_code == 404


def test_courier_needs_a_tracking_number(service, alice, api):
    r = api(alice).post(URL, order(service, delivery="courier"), format="json")
    assert r.status_code == 400 and "tracking_number" in r.json()["fields"]
    r = api(alice).post(
        URL, order(service, delivery="courier", tracking_number="SF1234567890"), format="json"
    )
    assert r.status_code == 201


def test_desired_date_in_the_past_is_refused(service, alice, api):
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    r = api(alice).post(URL, order(service, desired_date=past), format="json")
    assert r.status_code == 400 and "desired_date" in r.json()["fields"]


def test_lab_manager_without_a_firm_cannot_order(service, manager, api):
    r = api(manager).post(URL, order(service), format="json")
    assert r.status_code == 400 and r.json()["code"] == "firm_required"


def test_ordering_for_another_firm_is_refused(service, alice, firm_b, api):
    r = api(alice).post(URL, order(service, firm=firm_b.pk), format="json")
    assert r.status_code == 400
    assert ServiceRequest.objects.count() == 0


def test_attachments_are_stored_and_bad_ones_refused(service, alice, api, _media):
    photo = SimpleUploadedFile("sample.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg")
    r = api(alice).post(URL, order(service, attachments=[photo]), format="multipart")
    assert r.status_code == 201, r.json()
    sr = ServiceRequest.objects.get(pk=r.json()["id"])
    assert [a.name for a in sr.attachments.all()] == ["sample.jpg"]
    exe = SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")
    r = api(alice).post(URL, order(service, attachments=[exe]), format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "attachment_type"
    assert ServiceRequest.objects.count() == 1
    assert len([p for p in _media.rglob("*") if p.is_file()]) == 1


def test_idempotency_key_replays_the_first_order(service, alice, api):
    client = api(alice)
    first = client.post(URL, order(service), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, order(service), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert ServiceRequest.objects.count() == 1
    changed = client.post(
        URL, order(service, sample_count=5), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert changed.status_code == 400 and changed.json()["code"] == "idempotency_key_reused"


def test_failed_order_with_a_key_can_be_retried(service, alice, api):
    client = api(alice)
    bad = client.post(
        URL, order(service, sample_count=0), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert bad.status_code == 400
    good = client.post(URL, order(service), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert good.status_code == 201


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert add_working_days(friday, 5) == dt.date(2026, 12, 4)
    assert add_working_days(dt.date(2026, 11, 28), 1) == dt.date(2026, 11, 30)  # Saturday


def test_working_days_follow_the_official_calendar():
    # National Day 2026: 1–7 October off; Saturday 10 October is a working day (调休).
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 10, 8), 2) == dt.date(2026, 10, 10)
    # Sunday 20 September 2026 is worked too, ahead of the holiday.
    assert add_working_days(dt.date(2026, 9, 19), 1) == dt.date(2026, 9, 20)


def test_a_year_not_announced_yet_counts_monday_to_friday():
    assert add_working_days(dt.date(2031, 10, 3), 1) == dt.date(2031, 10, 6)  # Fri → Mon


def test_accepting_sets_the_due_date_from_working_days(make_request, manager, api):
    import time_machine

    sr = make_request()
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)):  # a Friday
        r = api(manager).post(f"{URL}{sr.pk}/accept/", {}, format="json")
    assert r.json()["due_on"] == "2026-12-04"


def test_notifications_speak_each_users_language(make_request, manager, alice):
    from booking.services.service_requests import service_request_accept

    alice.language = "en"
    alice.save(update_fields=["language"])
    sr = make_request()
    service_request_accept(actor=manager, sr=sr, reason="请送样")
    note = Notification.objects.get(user=alice)
    assert note.title == f"Your testing request #{sr.pk} was accepted"
    assert "Note from the lab: 请送样" in note.body
    from booking.services.service_request_notices import notify_managers

    notify_managers(sr, event="submitted")
    assert Notification.objects.get(user=manager).title.startswith("新的检测委托")
