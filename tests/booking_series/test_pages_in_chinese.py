"""The series, move, lab-cancel and book-for-firm pages hold no English on a Chinese page
(the same check as tests/test_pages_in_chinese.py, on pages that need a series first)."""

import pytest

from booking.models import BookingSeries
from tests.booking_series.conftest import DAY
from tests.conftest import client_for
from tests.factories.booking import BookingFactory, at
from tests.test_pages_in_chinese import english_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def zh(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_series_move_and_lab_pages_are_all_chinese(zh, frozen, alice, manager, instrument):
    firm = alice.memberships.get().organisation
    BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 10))
    client = client_for(alice)
    form = {"day": DAY.isoformat(), "start_time": "09:00", "end_time": "11:00",
            "frequency": "weekly", "interval": "1", "ends": "count", "count": "4",
            "purpose": "XRD", "mode": "free"}  # fmt: skip
    url = f"/instruments/{instrument.pk}/series/"
    pages = {"form": client.get(url), "preview": client.post(url, {**form, "action": "preview"})}
    client.post(url, {**form, "action": "book"})
    series = BookingSeries.objects.get(firm=firm)
    occurrence = series.occurrences.order_by("start_at").first()
    pages["series"] = client.get(f"/series/{series.pk}/")
    pages["detail (firm)"] = client.get(f"/bookings/{occurrence.pk}/")
    lab = client_for(manager)
    pages["detail (lab)"] = lab.get(f"/bookings/{occurrence.pk}/")
    pages["book for firm"] = lab.get("/lab/book-for-firm/")
    pages["refused move"] = client.post(f"/bookings/{occurrence.pk}/move/", {
        "day": DAY.isoformat(), "start_time": "09:00", "end_time": "10:00",
        "instrument": instrument.pk})  # fmt: skip
    for name, response in pages.items():
        assert response.status_code in (200, 409), (name, response.status_code)
        assert english_in(response.content) == [], name
        assert "预约" in response.content.decode(), name  # rendered in Chinese at all
