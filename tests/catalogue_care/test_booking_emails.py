"""The e-mails calendar applications act on: each test reads the body and the .ics."""

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from booking.feeds import feed_token_get_or_create
from booking.models import Booking
from booking.services.bookings import (
    booking_approve,
    booking_cancel,
    booking_create,
    booking_mark_no_show,
    booking_reject,
)
from booking.tasks.bookings import send_reminders
from facilities.models import Blackout
from tests.catalogue_care.conftest import DAY
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db


def _event(message):
    name, content, mimetype = message.attachments[0]
    assert name == "invite.ics"
    cal = Calendar.from_ical(content)
    (event,) = cal.walk("VEVENT")
    return str(cal["method"]), mimetype, event


def _to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


@pytest.fixture(autouse=True)
def _english(alice, manager):
    for user in (alice, manager):  # the assertions read the English text
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def _book(capture, alice, instrument, day=DAY):
    firm = alice.memberships.get().organisation
    return capture(booking_create, actor=alice, firm=firm, instrument=instrument,
                   start_at=at(day, 9), end_at=at(day, 10), purpose="红外表征")  # fmt: skip


def test_cancellation_ics_cancels_the_same_uid_with_a_higher_sequence(
    frozen, alice, manager, instrument, mailoutbox, capture
):
    booking = _book(capture, alice, instrument, day=DAY + dt.timedelta(days=3))
    method, mimetype, first = _event(_to(mailoutbox, alice)[0])
    assert method == "REQUEST" and mimetype == "text/calendar; method=REQUEST"
    assert str(first["uid"]) == f"booking-{booking.pk}@labshare"
    assert str(first["organizer"]).startswith("mailto:")
    assert str(first["attendee"]) == f"mailto:{alice.email}"
    mailoutbox.clear()

    capture(booking_cancel, actor=alice, booking=booking, reason="计划改变")
    message = _to(mailoutbox, alice)[0]
    assert "Booking cancelled" in message.subject
    assert "Reason: 计划改变" in message.body and "Status: Cancelled" in message.body
    method, mimetype, cancel = _event(message)
    assert method == "CANCEL" and mimetype == "text/calendar; method=CANCEL"
    assert str(cancel["uid"]) == str(first["uid"])
    assert int(cancel["sequence"]) > int(first["sequence"])
    assert str(cancel["status"]) == "CANCELLED"
    assert str(cancel["organizer"]) == str(first["organizer"])
    # the manager's copy cancels the event in the manager's calendar too
    method, _type, managers = _event(_to(mailoutbox, manager)[0])
    assert method == "CANCEL" and str(managers["attendee"]) == f"mailto:{manager.email}"


def test_approval_is_a_request_with_a_higher_sequence_and_rejection_cancels(
    frozen, alice, manager, instrument, mailoutbox, capture
):
    instrument.requires_approval = True
    instrument.save()
    first = _book(capture, alice, instrument)
    second = _book(capture, alice, instrument, day=DAY + dt.timedelta(days=1))
    assert "New booking request" in _to(mailoutbox, manager)[0].subject
    request_sequence = int(_event(_to(mailoutbox, manager)[0])[2]["sequence"])
    mailoutbox.clear()

    capture(booking_approve, actor=manager, booking=first)
    message = _to(mailoutbox, alice)[0]
    assert "Booking approved" in message.subject and "Status: Approved" in message.body
    method, _type, event = _event(message)
    assert method == "REQUEST" and int(event["sequence"]) > request_sequence
    assert str(event["status"]) == "CONFIRMED"
    mailoutbox.clear()

    capture(booking_reject, actor=manager, booking=second, reason="仪器维修")
    message = _to(mailoutbox, alice)[0]
    assert "Reason: 仪器维修" in message.body
    method, _type, event = _event(message)
    assert method == "CANCEL" and str(event["uid"]) == f"booking-{second.pk}@labshare"


def test_instant_booking_does_not_tell_managers_of_a_request(
    frozen, alice, manager, instrument, mailoutbox, capture
):
    _book(capture, alice, instrument)
    message = _to(mailoutbox, manager)[0]
    assert "request" not in message.subject.lower()
    assert "New booking (confirmed automatically)" in message.subject
    assert "Status: Approved" in message.body and "Firm: " in message.body
    assert _event(message)[0] == "REQUEST"


def test_no_show_is_told_to_the_firm_and_the_managers(
    frozen, alice, manager, instrument, mailoutbox, capture
):
    booking = _book(capture, alice, instrument)
    mailoutbox.clear()
    frozen.move_to(at(DAY, 10, 30))
    capture(booking_mark_no_show, actor=manager, booking=booking, reason="未到场")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW
    for user in (alice, manager):
        (message,) = _to(mailoutbox, user)
        assert "Booking marked as a no-show" in message.subject
        assert "Reason: 未到场" in message.body and "Status: No-show" in message.body
        assert message.attachments == []  # nothing changes in a calendar for a past session


def test_instrument_feed_names_firm_and_booker_and_shows_blackouts_as_busy(
    frozen, alice, manager, instrument
):
    alice.full_name = "李娜"
    alice.save()
    firm = alice.memberships.get().organisation
    BookingFactory(instrument=instrument, firm=firm, booked_by=alice)
    Blackout.objects.create(instrument=instrument, start_at=at(DAY, 13), end_at=at(DAY, 15),
                            reason="年度校准")  # fmt: skip
    token = feed_token_get_or_create(user=manager, instrument=instrument)
    cal = Calendar.from_ical(Client().get(f"/feeds/{token.token}.ics").content)
    events = {str(e["uid"]).split("-")[0]: e for e in cal.walk("VEVENT")}
    booking = events["booking"]
    assert firm.name in str(booking["summary"]) and "李娜" in str(booking["summary"])
    assert alice.email in str(booking["description"])
    blackout = events["blackout"]
    assert str(blackout["transp"]) == "OPAQUE" and "年度校准" in str(blackout["summary"])
    assert blackout.decoded("dtstart") == at(DAY, 13)
    # the firm's own feed names neither other firms nor the instrument's blackouts
    own = Calendar.from_ical(
        Client().get(f"/feeds/{feed_token_get_or_create(user=alice).token}.ics").content
    )
    assert [str(e["uid"]).split("-")[0] for e in own.walk("VEVENT")] == ["booking"]


def test_confirmation_and_reminder_carry_a_request_for_the_same_event(
    frozen, alice, manager, instrument, mailoutbox, capture
):
    booking = _book(capture, alice, instrument)
    (confirmed,) = _to(mailoutbox, alice)
    assert "Booking confirmed" in confirmed.subject
    assert "Time: 2026-12-01 09:00–10:00 (Beijing time)" in confirmed.body
    assert f"/bookings/{booking.pk}/" in confirmed.body
    _method, _type, first = _event(confirmed)
    mailoutbox.clear()
    capture(send_reminders)
    (reminder,) = _to(mailoutbox, alice)
    assert "Reminder: your instrument session" in reminder.subject
    assert "Instrument: " in reminder.body and "Status: Approved" in reminder.body
    method, _type, event = _event(reminder)
    assert method == "REQUEST" and str(event["uid"]) == str(first["uid"])
    assert int(event["sequence"]) == int(first["sequence"])  # nothing changed since
    assert event.decoded("dtstart") == at(DAY, 9)
