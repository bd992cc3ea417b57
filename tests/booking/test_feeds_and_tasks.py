import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from booking.feeds import feed_token_get_or_create, feed_token_reset
from booking.models import Booking
from booking.services.bookings import booking_cancel, booking_create
from booking.tasks.bookings import mark_no_shows, send_reminders
from tests.booking.conftest import DAY
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db


def test_user_feed_is_valid_ical_with_cancelled_marked(frozen, alice, instrument):
    firm = alice.memberships.get().organisation
    b = booking_create(actor=alice, firm=firm, instrument=instrument, start_at=at(DAY, 9),
                       end_at=at(DAY, 10), purpose="x")  # fmt: skip
    c = booking_create(actor=alice, firm=firm, instrument=instrument, start_at=at(DAY + dt.timedelta(days=3), 9),
                       end_at=at(DAY + dt.timedelta(days=3), 10), purpose="y")  # fmt: skip
    booking_cancel(actor=alice, booking=c, reason="no longer needed")
    token = feed_token_get_or_create(user=alice)
    r = Client().get(f"/feeds/{token.token}.ics")
    assert r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"booking-{b.pk}@labshare", f"booking-{c.pk}@labshare"}
    first = events[f"booking-{b.pk}@labshare"]
    assert first.decoded("dtstart") == at(DAY, 9) and first.decoded(
        "dtstart"
    ).utcoffset() == dt.timedelta(0)
    assert "dtstamp" in first
    assert str(events[f"booking-{c.pk}@labshare"]["status"]) == "CANCELLED"


def test_feed_token_reset_kills_the_old_url(alice):
    old = feed_token_get_or_create(user=alice).token
    new = feed_token_reset(user=alice).token
    assert Client().get(f"/feeds/{old}.ics").status_code == 404
    assert Client().get(f"/feeds/{new}.ics").status_code == 200


def test_emails_carry_ics_in_the_users_language(frozen, alice, manager, instrument, mailoutbox,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    alice.language = "en"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(actor=alice, firm=alice.memberships.get().organisation, instrument=instrument,
                       start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="x")  # fmt: skip
    to_alice = [m for m in mailoutbox if m.to == [alice.email]]
    to_manager = [m for m in mailoutbox if m.to == [manager.email]]
    assert to_alice and to_manager
    assert "Booking confirmed" in to_alice[0].subject
    assert to_alice[0].attachments[0][0] == "invite.ics"
    assert "预约" in to_manager[0].subject  # the manager reads Chinese


def test_no_show_task_marks_late_bookings_once(frozen):
    late = BookingFactory(start_at=at(DAY, 9), end_at=at(DAY, 10))
    frozen.move_to(at(DAY, 9, 40))
    assert mark_no_shows() == 1
    assert mark_no_shows() == 0
    late.refresh_from_db()
    assert late.status == Booking.Status.NO_SHOW
    assert late.history.get().actor is None


def test_reminders_go_once(frozen, mailoutbox, django_capture_on_commit_callbacks):
    BookingFactory(start_at=at(DAY, 9), end_at=at(DAY, 10))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 0
    assert len(mailoutbox) == 1


def test_instrument_feed_is_for_its_managers_only(frozen, manager, alice, instrument):
    BookingFactory(instrument=instrument)
    token = feed_token_get_or_create(user=manager, instrument=instrument)
    assert (
        len(Calendar.from_ical(Client().get(f"/feeds/{token.token}.ics").content).walk("VEVENT"))
        == 1
    )
    stale = feed_token_get_or_create(user=alice, instrument=instrument)
    assert Client().get(f"/feeds/{stale.token}.ics").status_code == 404


def test_firm_feed_shows_what_the_lab_booked_for_the_firm_and_a_move_raises_the_sequence(
    frozen, alice, manager, instrument
):
    from booking.services.booking_moves import booking_move
    from booking.services.lab_actions import booking_create_for_firm

    firm = alice.memberships.get().organisation
    booked = booking_create_for_firm(actor=manager, firm=firm.pk, instrument=instrument.pk,
                                     start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="电话预约")  # fmt: skip
    token = feed_token_get_or_create(user=alice)

    def event():
        cal = Calendar.from_ical(Client().get(f"/feeds/{token.token}.ics").content)
        (found,) = [
            e for e in cal.walk("VEVENT") if str(e["uid"]) == f"booking-{booked.pk}@labshare"
        ]
        return found

    before = int(event()["sequence"])
    booking_move(actor=manager, booking=booked, start_at=at(DAY, 11), end_at=at(DAY, 12))
    moved = event()
    assert moved.decoded("dtstart") == at(DAY, 11)
    assert int(moved["sequence"]) == before + 1
