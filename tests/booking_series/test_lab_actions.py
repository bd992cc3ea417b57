import datetime as dt

import pytest

from booking.models import Announcement, Booking, Notification
from booking.services.announcements import announcements_deliver
from booking.services.lab_actions import (
    blackout_affected,
    blackout_create_over_bookings,
    booking_cancel_by_manager,
    booking_create_for_firm,
)
from config.errors import Forbidden, Invalid, NotFound
from facilities.models import Blackout
from tests.booking_series.conftest import DAY
from tests.factories.accounts import UserFactory, join
from tests.factories.booking import BookingFactory, at, qualify

pytestmark = pytest.mark.django_db


def test_manager_books_for_a_firm_at_the_firm_rate(frozen, manager, alice, firm_a, instrument):
    booking = booking_create_for_firm(actor=manager, firm=firm_a.pk, instrument=instrument.pk,
                                      start_at=at(DAY, 9), end_at=at(DAY, 10),
                                      purpose="walk-in", member=alice.pk)  # fmt: skip
    assert (booking.firm_id, booking.booked_by, booking.client_group) == (
        firm_a.pk, manager, "external_firm")  # fmt: skip
    assert booking.quote_fen == 200_00  # not the lab's internal ¥80/h


def test_only_the_instruments_managers_book_for_firms(frozen, alice, firm_a, instrument):
    with pytest.raises(NotFound):
        booking_create_for_firm(actor=alice, firm=firm_a.pk, instrument=instrument.pk,
                                start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="x")  # fmt: skip


def test_on_behalf_checks_the_member_and_training(frozen, manager, bob, firm_a, instrument):
    with pytest.raises(Invalid) as err:
        booking_create_for_firm(actor=manager, firm=firm_a.pk, instrument=instrument.pk,
                                start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="x",
                                member=bob.pk)  # fmt: skip
    assert err.value.code == "member_not_in_firm"
    instrument.requires_training = True
    instrument.save()
    with pytest.raises(Invalid) as err:
        booking_create_for_firm(actor=manager, firm=firm_a.pk, instrument=instrument.pk,
                                start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="x")  # fmt: skip
    assert err.value.code == "training_required"
    trained = UserFactory()
    join(trained, firm_a)
    qualify(trained, instrument)
    booking_create_for_firm(actor=manager, firm=firm_a.pk, instrument=instrument.pk,
                            start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="x",
                            member=trained.pk)  # fmt: skip


def test_manager_cancels_any_time_and_the_firm_reads_why(frozen, manager, alice, firm_a,
                                                          instrument):  # fmt: skip
    booking = BookingFactory(instrument=instrument, firm=firm_a, booked_by=manager,
                             start_at=at(DAY, 9), end_at=at(DAY, 10))  # fmt: skip
    booking_cancel_by_manager(actor=manager, booking=booking, reason="laser broken")
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    announcements_deliver()
    note = Notification.objects.get(user=alice, kind="booking_cancelled_by_lab")
    assert "laser broken" in note.body


def test_a_firm_cannot_use_the_lab_cancel(frozen, alice, firm_a, instrument):
    booking = BookingFactory(instrument=instrument, firm=firm_a, start_at=at(DAY, 9),
                             end_at=at(DAY, 10))  # fmt: skip
    with pytest.raises(Forbidden):
        booking_cancel_by_manager(actor=alice, booking=booking, reason="x")


def test_blackout_over_bookings_lists_cancels_and_offers_alternatives(
    frozen, manager, firm_a, firm_b, instrument
):
    a = BookingFactory(instrument=instrument, firm=firm_a, start_at=at(DAY, 9), end_at=at(DAY, 11))
    b = BookingFactory(instrument=instrument, firm=firm_b, start_at=at(DAY, 13), end_at=at(DAY, 14))
    BookingFactory(instrument=instrument, start_at=at(DAY, 16), end_at=at(DAY, 17))  # outside
    start, end = at(DAY, 8), at(DAY, 15)
    assert blackout_affected(actor=manager, instrument=instrument, start_at=start,
                             end_at=end) == [a, b]  # fmt: skip
    blackout, affected = blackout_create_over_bookings(
        actor=manager, instrument=instrument, start_at=start, end_at=end, reason="calibration"
    )
    assert Blackout.objects.filter(pk=blackout.pk).exists()
    assert set(Booking.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        "cancelled"}  # fmt: skip
    first = affected[0]
    # Nearest free two hours: the same day after the blackout, 15:00–17:00 is cut by the
    # 16:00 booking, so the day's evening and the next morning come first.
    assert first.alternatives
    for s, e in first.alternatives:
        assert e - s == dt.timedelta(hours=2)
        assert not (s < end and e > start)
    reasons = list(Announcement.objects.filter(event="cancelled_by_lab").values_list("reason",
                                                                                     flat=True))  # fmt: skip
    assert len(reasons) == 2 and all(r.startswith("calibration") for r in reasons)


def test_blackout_over_bookings_needs_a_reason_and_a_manager(frozen, alice, manager, instrument):
    with pytest.raises(Invalid):
        blackout_create_over_bookings(actor=manager, instrument=instrument, start_at=at(DAY, 8),
                                      end_at=at(DAY, 9), reason=" ")  # fmt: skip
    with pytest.raises(NotFound):
        blackout_create_over_bookings(actor=alice, instrument=instrument, start_at=at(DAY, 8),
                                      end_at=at(DAY, 9), reason="x")  # fmt: skip
    assert not Blackout.objects.exists()
