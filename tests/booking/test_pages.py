import datetime as dt

import pytest

from booking.models import Booking
from tests.booking.conftest import DAY
from tests.conftest import client_for
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(frozen, alice, manager, instrument):
    firm = alice.memberships.get().organisation
    for i in range(12):
        BookingFactory(
            instrument=instrument, firm=firm, booked_by=alice,
            status=Booking.Status.REQUESTED if i % 2 else Booking.Status.APPROVED,
            start_at=at(DAY, 8) + dt.timedelta(hours=i), end_at=at(DAY, 9) + dt.timedelta(hours=i),
        )  # fmt: skip


def test_my_bookings_query_count_is_pinned(many, alice, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(14):
        r = client.get("/bookings/")
    assert r.status_code == 200
    assert r.content.count(b'href="/bookings/') >= 12


def test_approvals_query_count_is_pinned(many, manager, django_assert_max_num_queries):
    client = client_for(manager)
    with django_assert_max_num_queries(14):
        r = client.get("/lab/approvals/")
    assert r.status_code == 200 and b"bulk-approve" in r.content


def test_today_query_count_is_pinned(
    many, manager, frozen, settings, django_assert_max_num_queries
):
    settings.BOOKING_CHECK_IN_OPENS_MINUTES = 24 * 60  # every check-in button shows
    frozen.move_to(at(DAY, 7))
    client = client_for(manager)
    with django_assert_max_num_queries(14):
        r = client.get("/lab/today/")
    assert r.status_code == 200 and r.content.count(b"check-in/") >= 6


def test_bulk_approve_page(many, manager):
    ids = list(Booking.objects.filter(status="requested").values_list("pk", flat=True))
    client_for(manager).post("/lab/approvals/", {"ids": ids})
    assert not Booking.objects.filter(status="requested").exists()


def test_another_firms_booking_page_is_404(frozen, bob, instrument):
    booking = BookingFactory(instrument=instrument)
    assert client_for(bob).get(f"/bookings/{booking.pk}/").status_code == 404


def test_detail_shows_timeline(frozen, alice, instrument):
    from booking.services.bookings import booking_create

    b = booking_create(actor=alice, firm=alice.memberships.get().organisation, instrument=instrument,
                       start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="x")  # fmt: skip
    r = client_for(alice).get(f"/bookings/{b.pk}/")
    assert b'data-testid="timeline"' in r.content


def test_booking_page_books_and_quote_shows_price(frozen, alice, instrument):
    client = client_for(alice)
    r = client.get(f"/instruments/{instrument.pk}/book/?week=2026-12-01")
    assert r.status_code == 200 and b"data-slot" in r.content
    q = {"start": at(DAY, 9).isoformat(), "end": at(DAY, 10).isoformat()}
    assert "¥200.00" in client.post(f"/instruments/{instrument.pk}/book/quote/", q).content.decode()
    r = client.post(f"/instruments/{instrument.pk}/book/", {**q, "purpose": "FTIR"})
    assert r.status_code == 302
    r = client.post(f"/instruments/{instrument.pk}/book/", {**q, "purpose": "FTIR"})
    assert b"booking-error" in r.content  # taken: the form is shown again with the message


def test_week_moves_with_htmx(frozen, alice, instrument):
    r = client_for(alice).get(
        f"/instruments/{instrument.pk}/book/?week=2026-12-08", HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in r.content and b"12-08" in r.content


def test_manager_calendar_shows_the_week_and_is_404_for_others(many, manager, alice, instrument):
    r = client_for(manager).get(f"/instruments/{instrument.pk}/calendar/?week=2026-12-01")
    assert r.status_code == 200 and b"slot-busy" in r.content and b"feed-url" in r.content
    assert client_for(alice).get(f"/instruments/{instrument.pk}/calendar/").status_code == 404


def test_notifications_page_marks_all_read(frozen, alice):
    from booking.models import Notification

    Notification.objects.create(user=alice, kind="x", title="Hello")
    client = client_for(alice)
    assert b"notification-count" in client.get("/notifications/").content
    client.post("/notifications/")
    assert b"notification-count" not in client.get("/notifications/").content


def test_a_manager_without_a_firm_is_told_to_switch(frozen, manager, instrument):
    q = {"start": at(DAY, 9).isoformat(), "end": at(DAY, 10).isoformat(), "purpose": "x"}
    r = client_for(manager).post(f"/instruments/{instrument.pk}/book/", q)
    assert b"booking-error" in r.content and not Booking.objects.exists()
