import datetime as dt

import pytest
from rest_framework.test import APIClient

from booking.models import Booking
from facilities.models import Instrument
from tests.booking.conftest import DAY
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(instrument, start, end, **extra):
    return {"instrument": instrument.pk, "start": start.isoformat(), "end": end.isoformat(),
            "purpose": "XRD of 3 powders", **extra}  # fmt: skip


def test_create_returns_201_with_status(frozen, alice, instrument):
    r = api(alice).post(
        "/api/v1/bookings/", body(instrument, at(DAY, 9), at(DAY, 10)), format="json"
    )
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "approved"
    assert r.json()["start"] == "2026-12-01T09:00:00+08:00"
    assert r.json()["quote_fen"] == 200_00


def test_overlapping_request_gets_409(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 11))
    r = api(alice).post(
        "/api/v1/bookings/", body(instrument, at(DAY, 10), at(DAY, 11)), format="json"
    )
    assert r.status_code == 409
    assert r.json()["code"] == "slot_taken"
    assert "taken" in r.json()["detail"]


def test_rule_break_gets_400_naming_the_rule(frozen, alice, instrument):
    r = api(alice).post(
        "/api/v1/bookings/", body(instrument, at(DAY, 6), at(DAY, 7)), format="json"
    )
    assert r.status_code == 400
    assert r.json()["code"] == "outside_opening_hours"


def test_bad_input_gets_400_not_500(frozen, alice, instrument):
    r = api(alice).post("/api/v1/bookings/", {"instrument": "x", "start": "soon"}, format="json")
    assert r.status_code == 400


def test_idempotency_key_replays_the_first_booking(frozen, alice, instrument):
    client = api(alice)
    payload = body(instrument, at(DAY, 9), at(DAY, 10))
    first = client.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1


def test_another_firms_booking_is_404(frozen, alice, bob, instrument):
    booking = BookingFactory(instrument=instrument, firm=bob.memberships.get().organisation)
    assert api(alice).get(f"/api/v1/bookings/{booking.pk}/").status_code == 404
    assert (
        api(alice).post(f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "x"}).status_code
        == 404
    )
    assert api(bob).get(f"/api/v1/bookings/{booking.pk}/").status_code == 200


def test_lifecycle_through_the_api(frozen, alice, manager, instrument):
    Instrument.objects.filter(pk=instrument.pk).update(requires_approval=True)
    r = api(alice).post(
        "/api/v1/bookings/", body(instrument, at(DAY, 9), at(DAY, 11)), format="json"
    )
    pk = r.json()["id"]
    m = api(manager)
    assert m.post(f"/api/v1/bookings/{pk}/reject/", {}).json()["code"] == "reason_required"
    assert m.post(f"/api/v1/bookings/{pk}/approve/").json()["status"] == "approved"
    assert m.post(f"/api/v1/bookings/{pk}/approve/").status_code == 409  # illegal move
    frozen.move_to(at(DAY, 9, 5))
    r = m.post(f"/api/v1/bookings/{pk}/check-in/", {"actual_start": at(DAY, 9, 5).isoformat()})
    assert r.json()["status"] == "checked_in"
    frozen.move_to(at(DAY, 10, 30))
    r = m.post(
        f"/api/v1/bookings/{pk}/check-out/",
        {"actual_end": at(DAY, 10, 20).isoformat(), "notes": "OK"},
    )
    # 75 minutes × ¥200/h = ¥250 (fee from actual use, not the 2 h quote)
    assert (r.json()["status"], r.json()["fee_fen"]) == ("completed", 250_00)
    statuses = list(Booking.objects.get(pk=pk).history.values_list("to_status", flat=True))
    assert statuses == ["requested", "approved", "checked_in", "completed"]


def test_firm_cannot_approve_its_own_request(frozen, alice, instrument):
    Instrument.objects.filter(pk=instrument.pk).update(requires_approval=True)
    pk = (
        api(alice)
        .post("/api/v1/bookings/", body(instrument, at(DAY, 9), at(DAY, 10)), format="json")
        .json()["id"]
    )
    assert api(alice).post(f"/api/v1/bookings/{pk}/approve/").status_code == 403


def test_cancel_after_cutoff_is_refused(frozen, alice, instrument):
    pk = (
        api(alice)
        .post("/api/v1/bookings/", body(instrument, at(DAY, 9), at(DAY, 10)), format="json")
        .json()["id"]
    )
    r = api(alice).post(f"/api/v1/bookings/{pk}/cancel/", {"reason": "plans changed"})
    assert r.json()["code"] == "cancel_cutoff_passed"  # 21 h before, cut-off 24 h


def test_bulk_approve(frozen, manager, instrument):
    ids = [BookingFactory(instrument=instrument, status="requested",
                          start_at=at(DAY, 9 + i), end_at=at(DAY, 10 + i)).pk for i in range(3)]  # fmt: skip
    r = api(manager).post("/api/v1/bookings/bulk-approve/", {"ids": [*ids, 999999]}, format="json")
    assert r.json() == {"approved": ids, "failed": [999999]}


class TestAvailability:
    def url(self, instrument, **q):
        return f"/api/v1/instruments/{instrument.pk}/availability/", q

    def test_free_intervals_with_offsets(self, frozen, instrument):
        BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 10))
        path, q = self.url(instrument, start=at(DAY, 0).isoformat(), end=at(DAY, 23).isoformat())
        r = APIClient().get(path, q)
        assert r.status_code == 200
        assert r.json()["free"] == [
            {"start": "2026-12-01T08:00:00+08:00", "end": "2026-12-01T09:00:00+08:00"},
            {"start": "2026-12-01T10:00:00+08:00", "end": "2026-12-01T20:00:00+08:00"},
        ]

    @pytest.mark.parametrize(
        "q",
        [{}, {"start": "yesterday", "end": "x"}, {"start": "2026-12-02T00:00+08:00", "end": "2026-12-01T00:00+08:00"},
         {"start": "2026-12-01T00:00+08:00", "end": "2027-03-01T00:00+08:00"}],
    )  # fmt: skip
    def test_bad_or_missing_params_are_400(self, instrument, q):
        r = APIClient().get(f"/api/v1/instruments/{instrument.pk}/availability/", q)
        assert r.status_code == 400
        assert "code" in r.json()

    def test_unknown_instrument_is_404(self):
        q = {"start": "2026-12-01T00:00+08:00", "end": "2026-12-02T00:00+08:00"}
        assert APIClient().get("/api/v1/instruments/999999/availability/", q).status_code == 404


def test_notifications_api_lists_and_marks_read(
    frozen, alice, instrument, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api(alice).post(
            "/api/v1/bookings/", body(instrument, at(DAY, 9), at(DAY, 10)), format="json"
        )
    r = api(alice).get("/api/v1/notifications/")
    assert r.json()["unread"] == 1
    nid = r.json()["results"][0]["id"]
    assert api(alice).post(f"/api/v1/notifications/{nid}/read/").json()["read_at"]
    assert api(alice).get("/api/v1/notifications/").json()["unread"] == 0


def test_api_create_query_budget(frozen, alice, instrument, django_assert_max_num_queries):
    client = api(alice)
    payload = body(instrument, at(DAY, 9), at(DAY, 10))
    # idempotency record, scope, acting hat, lock (with prices and the firm's name),
    # blackout/clash probe, hours, insert, history, announcement, idempotency answer
    # (+ 4 savepoint lines)
    with django_assert_max_num_queries(14):
        r = client.post("/api/v1/bookings/", payload, format="json", HTTP_IDEMPOTENCY_KEY="q1")
    assert r.status_code == 201


def test_check_out_before_check_in_is_409(frozen, manager, instrument):
    booking = BookingFactory(instrument=instrument)
    r = api(manager).post(f"/api/v1/bookings/{booking.pk}/check-out/", {})
    assert (r.status_code, r.json()["code"]) == (409, "not_checked_in")


def test_list_shows_only_my_firms_bookings_and_filters_by_status(frozen, alice, bob, instrument):
    mine = BookingFactory(instrument=instrument, firm=alice.memberships.get().organisation)
    BookingFactory(instrument=instrument, firm=bob.memberships.get().organisation,
                   start_at=at(DAY, 12), end_at=at(DAY, 13))  # fmt: skip
    r = api(alice).get("/api/v1/bookings/")
    assert [b["id"] for b in r.json()["results"]] == [mine.pk]
    assert api(alice).get("/api/v1/bookings/?status=cancelled").json()["results"] == []


def test_firm_cancels_before_the_cutoff(frozen, alice, instrument):
    later = DAY + dt.timedelta(days=3)
    pk = (
        api(alice)
        .post("/api/v1/bookings/", body(instrument, at(later, 9), at(later, 10)), format="json")
        .json()["id"]
    )
    r = api(alice).post(f"/api/v1/bookings/{pk}/cancel/", {"reason": "plans changed"})
    assert r.json()["status"] == "cancelled"
    assert Booking.objects.get(pk=pk).history.last().reason == "plans changed"
