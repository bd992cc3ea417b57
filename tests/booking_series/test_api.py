import pytest
from rest_framework.test import APIClient

from booking.models import Booking, BookingSeries
from tests.booking_series.conftest import DAY, tuesday
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def rule(instrument, **extra):
    return {"instrument": instrument.pk, "start": at(DAY, 9).isoformat(),
            "end": at(DAY, 11).isoformat(), "frequency": "weekly", "count": 4, **extra}  # fmt: skip


def test_preview_lists_every_occurrence_with_price_and_problem(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 10))
    r = api(alice).post("/api/v1/booking-series/preview/", rule(instrument), format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["rrule"] == "FREQ=WEEKLY;COUNT=4;BYDAY=TU"
    assert [o["problem"] for o in body["occurrences"]] == ["", "clash", "", ""]
    assert body["free"] == 3 and body["total_fen"] == 3 * 400_00
    assert body["occurrences"][0]["start"] == "2026-12-01T09:00:00+08:00"


def test_create_books_the_free_ones_and_reports_the_rest(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 10))
    r = api(alice).post("/api/v1/booking-series/",
                        rule(instrument, purpose="XRD", mode="free"), format="json",
                        HTTP_IDEMPOTENCY_KEY="series-1")  # fmt: skip
    assert r.status_code == 201, r.json()
    assert len(r.json()["booked"]) == 3
    assert r.json()["skipped"][0]["code"] == "slot_taken"
    again = api(alice).post("/api/v1/booking-series/",
                            rule(instrument, purpose="XRD", mode="free"), format="json",
                            HTTP_IDEMPOTENCY_KEY="series-1")  # fmt: skip
    assert again.json() == r.json()
    assert BookingSeries.objects.count() == 1
    series_id = r.json()["series"]["id"]
    detail = api(alice).get(f"/api/v1/booking-series/{series_id}/").json()
    assert [b["series"] for b in detail["occurrences"]] == [series_id] * 3


def test_all_or_nothing_clash_is_409_with_the_date(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 10))
    r = api(alice).post("/api/v1/booking-series/", rule(instrument, purpose="XRD", mode="all"),
                        format="json")  # fmt: skip
    assert r.status_code == 409
    assert r.json()["code"] == "slot_taken"
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [({"count": None}, "until"), ({"frequency": "yearly"}, "frequency"),
     ({"count": 9999}, "count"), ({"end": at(DAY, 8).isoformat()}, "end"),
     ({"weekdays": [8]}, "weekdays")],
)  # fmt: skip
def test_bad_rules_are_400_with_the_field(frozen, alice, instrument, change, field):
    data = {k: v for k, v in {**rule(instrument), **change}.items() if v is not None}
    r = api(alice).post("/api/v1/booking-series/preview/", data, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["fields"]


def test_another_firm_cannot_read_or_cancel_the_series(frozen, alice, bob, instrument):
    r = api(alice).post("/api/v1/booking-series/", rule(instrument, purpose="XRD", mode="all"),
                        format="json")  # fmt: skip
    series_id = r.json()["series"]["id"]
    assert api(bob).get(f"/api/v1/booking-series/{series_id}/").status_code == 404
    assert api(bob).post(f"/api/v1/booking-series/{series_id}/cancel/", {"reason": "x"},
                         format="json").status_code == 404  # fmt: skip
    assert api(bob).get("/api/v1/booking-series/").json()["count"] == 0


def test_cancel_this_and_following_through_the_api(frozen, alice, instrument):
    r = api(alice).post("/api/v1/booking-series/", rule(instrument, purpose="XRD", mode="all"),
                        format="json")  # fmt: skip
    series_id, booked = r.json()["series"]["id"], r.json()["booked"]
    r = api(alice).post(f"/api/v1/booking-series/{series_id}/cancel/",
                        {"reason": "done early", "from_booking": booked[2]["id"]}, format="json")  # fmt: skip
    assert r.status_code == 200, r.json()
    assert r.json() == {"cancelled": [booked[2]["id"], booked[3]["id"]], "kept": []}


def test_move_and_lab_cancel_and_on_behalf(frozen, alice, manager, firm_a, instrument):
    r = api(manager).post("/api/v1/bookings/on-behalf/", {
        "firm": firm_a.pk, "instrument": instrument.pk, "start": at(tuesday(1), 9).isoformat(),
        "end": at(tuesday(1), 10).isoformat(), "purpose": "phone request", "member": alice.pk},
        format="json")  # fmt: skip
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["firm"] == firm_a.pk
    r = api(alice).post(f"/api/v1/bookings/{pk}/move/", {
        "start": at(tuesday(1), 14).isoformat(), "end": at(tuesday(1), 15).isoformat()},
        format="json")  # fmt: skip
    assert r.status_code == 200, r.json()
    assert r.json()["start"] == "2026-12-08T14:00:00+08:00"
    assert api(alice).post(f"/api/v1/bookings/{pk}/lab-cancel/", {"reason": "x"},
                           format="json").status_code == 403  # fmt: skip
    r = api(manager).post(f"/api/v1/bookings/{pk}/lab-cancel/", {"reason": "breakdown"},
                          format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_move_errors_are_clean(frozen, alice, firm_a, instrument):
    booking = BookingFactory(instrument=instrument, firm=firm_a, booked_by=alice,
                             start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 10))  # fmt: skip
    BookingFactory(instrument=instrument, start_at=at(tuesday(1), 14), end_at=at(tuesday(1), 15))
    url = f"/api/v1/bookings/{booking.pk}/move/"
    r = api(alice).post(url, {"start": at(tuesday(1), 14).isoformat(),
                              "end": at(tuesday(1), 15).isoformat()}, format="json")  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (409, "slot_taken")
    r = api(alice).post(url, {"start": "soon", "end": at(tuesday(1), 15).isoformat()},
                        format="json")  # fmt: skip
    assert r.status_code == 400 and "start" in r.json()["fields"]


def test_blackout_over_bookings_preview_then_confirm(frozen, manager, alice, instrument):
    booking = BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 10))
    url = f"/api/v1/instruments/{instrument.pk}/blackouts-over-bookings/"
    data = {"start": at(DAY, 8).isoformat(), "end": at(DAY, 12).isoformat(), "reason": "PM"}
    r = api(manager).post(url, data, format="json")
    assert r.status_code == 200 and [b["id"] for b in r.json()["bookings"]] == [booking.pk]
    assert Booking.objects.get(pk=booking.pk).status == "approved"
    r = api(manager).post(url, {**data, "confirm": True}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["bookings"][0]["alternatives"]
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert api(alice).post(url, data, format="json").status_code == 404
