import pytest

from booking.models import Booking, BookingSeries
from facilities.models import Blackout
from tests.booking_series.conftest import DAY, tuesday
from tests.conftest import client_for
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db


def series_form(**extra):
    return {"day": DAY.isoformat(), "start_time": "09:00", "end_time": "11:00",
            "frequency": "weekly", "interval": "1", "ends": "count", "count": "6",
            "purpose": "XRD every Tuesday", "mode": "free", **extra}  # fmt: skip


def test_preview_marks_the_clash_and_books_nothing(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(2), 9), end_at=at(tuesday(2), 10))
    r = client_for(alice).post(
        f"/instruments/{instrument.pk}/series/", series_form(action="preview")
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('data-problem="free"') == 5 and html.count('data-problem="clash"') == 1
    assert "¥400.00" in html
    assert not BookingSeries.objects.exists()


def test_book_the_free_ones_then_see_and_cancel_the_series(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(2), 9), end_at=at(tuesday(2), 10))
    client = client_for(alice)
    r = client.post(f"/instruments/{instrument.pk}/series/", series_form(action="book"))
    series = BookingSeries.objects.get()
    assert r.status_code == 302 and r.url == f"/series/{series.pk}/"
    page = client.get(r.url)
    assert page.status_code == 200
    assert page.content.decode().count('href="/bookings/') >= 5
    third = Booking.objects.filter(series=series).order_by("start_at")[2]
    r = client.post(f"/series/{series.pk}/cancel/", {"reason": "done", "from_booking": third.pk})
    assert r.status_code == 302
    assert Booking.objects.filter(series=series, status="cancelled").count() == 3


def test_bad_series_input_keeps_the_form_with_a_message(frozen, alice, instrument):
    r = client_for(alice).post(f"/instruments/{instrument.pk}/series/",
                               series_form(action="preview", ends="count", count=""))  # fmt: skip
    assert r.status_code == 400
    assert b"XRD every Tuesday" in r.content and b"is-invalid" in r.content


def test_all_or_nothing_refused_shows_why(frozen, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(tuesday(2), 9), end_at=at(tuesday(2), 10))
    r = client_for(alice).post(f"/instruments/{instrument.pk}/series/",
                               series_form(action="book", mode="all"))  # fmt: skip
    assert r.status_code == 409 and b'data-testid="series-error"' in r.content
    assert not BookingSeries.objects.exists()


def test_series_page_is_404_for_another_firm(frozen, alice, bob, instrument):
    client_for(alice).post(f"/instruments/{instrument.pk}/series/", series_form(action="book"))
    series = BookingSeries.objects.get()
    assert client_for(bob).get(f"/series/{series.pk}/").status_code == 404


def test_series_page_query_count_is_pinned(frozen, alice, instrument,
                                           django_assert_max_num_queries):  # fmt: skip
    client = client_for(alice)
    client.post(f"/instruments/{instrument.pk}/series/",
                series_form(action="book", count="40", ends="count"))  # fmt: skip
    series = BookingSeries.objects.get()
    with django_assert_max_num_queries(12):
        r = client.get(f"/series/{series.pk}/")
    assert r.status_code == 200 and r.content.decode().count('href="/bookings/') >= 40


def test_move_from_the_detail_page(frozen, alice, firm_a, instrument):
    booking = BookingFactory(instrument=instrument, firm=firm_a, booked_by=alice,
                             start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 10))  # fmt: skip
    client = client_for(alice)
    assert b'data-testid="move"' in client.get(f"/bookings/{booking.pk}/").content
    data = {"day": tuesday(1).isoformat(), "start_time": "14:00", "end_time": "15:00",
            "instrument": instrument.pk}  # fmt: skip
    assert client.post(f"/bookings/{booking.pk}/move/", data).status_code == 302
    assert Booking.objects.get(pk=booking.pk).start_at == at(tuesday(1), 14)
    BookingFactory(instrument=instrument, start_at=at(tuesday(1), 16), end_at=at(tuesday(1), 17))
    r = client.post(f"/bookings/{booking.pk}/move/", {**data, "start_time": "16:00",
                                                      "end_time": "17:00"})  # fmt: skip
    assert r.status_code == 409 and b'data-testid="move-error"' in r.content


def test_lab_cancel_and_book_for_firm_pages(frozen, manager, alice, firm_a, instrument):
    client = client_for(manager)
    assert client.get("/lab/book-for-firm/").status_code == 200
    data = {"instrument": instrument.pk, "firm_code": firm_a.firm.uscc,
            "member_email": alice.email, "day": tuesday(1).isoformat(), "start_time": "09:00",
            "end_time": "10:00", "purpose": "walk-in", "step": "book"}  # fmt: skip
    r = client.post("/lab/book-for-firm/", data)
    booking = Booking.objects.get(firm=firm_a)
    assert r.status_code == 302 and booking.booked_by == manager
    r = client.post("/lab/book-for-firm/", {**data, "firm_code": "91330100799655058B"})
    assert r.status_code == 404 and b"credit code" in r.content
    r = client.post(f"/bookings/{booking.pk}/lab-cancel/", {"reason": "power cut"})
    assert r.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"


def test_blackout_page_lists_the_bookings_and_confirms(frozen, manager, instrument):
    booking = BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 10))
    client = client_for(manager)
    url = f"/lab/instruments/{instrument.pk}/blackouts/"
    data = {"b-start_at": f"{DAY}T08:00", "b-end_at": f"{DAY}T12:00", "b-kind": "maintenance",
            "b-reason": "annual service"}  # fmt: skip
    r = client.post(url, data)
    assert b'data-testid="blackout-affected"' in r.content
    assert not Blackout.objects.exists()
    r = client.post(url, {**data, "action": "over"})
    assert r.status_code == 302
    assert Blackout.objects.count() == 1
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
