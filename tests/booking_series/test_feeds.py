import pytest
from icalendar import Calendar

from booking import feeds
from booking.services.booking_moves import booking_move
from booking.services.series import series_create
from booking.services.series_rules import SeriesRule
from tests.booking_series.conftest import DAY, tuesday
from tests.factories.booking import at

pytestmark = pytest.mark.django_db


def _uids(user):
    token = feeds.feed_token_get_or_create(user=user)
    cal = Calendar.from_ical(feeds.feed_ics("feed", feeds.feed_bookings(token)))
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_every_occurrence_is_one_event_with_a_stable_uid(frozen, alice, firm_a, instrument):
    rule = SeriesRule(frequency="weekly", first_start_at=at(DAY, 9), minutes=120, count=4)
    result = series_create(actor=alice, firm=firm_a.pk, instrument=instrument.pk, rule=rule,
                           purpose="XRD", mode="all")  # fmt: skip
    first = _uids(alice)
    assert set(first) == {f"booking-{b.pk}@labshare" for b in result.booked}
    # Moving one occurrence keeps its UID: calendar apps update the event in place.
    moved = result.booked[1]
    booking_move(actor=alice, booking=moved, start_at=at(tuesday(1), 14),
                 end_at=at(tuesday(1), 16))  # fmt: skip
    again = _uids(alice)
    assert set(again) == set(first)
    event = again[f"booking-{moved.pk}@labshare"]
    assert event.decoded("dtstart") == at(tuesday(1), 14)
