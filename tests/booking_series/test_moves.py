import datetime as dt

import pytest

from booking.models import Booking, BookingMove, StateChange
from booking.order_events import order_events_subscribe, order_events_unsubscribe
from booking.services.booking_moves import booking_move
from booking.services.bookings import booking_create
from config.errors import Conflict, Invalid, NotFound
from tests.booking_series.conftest import DAY
from tests.factories.accounts import make_provider
from tests.factories.booking import BookingFactory, at
from tests.factories.facilities import InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(frozen, alice, firm_a, instrument):
    # Two days ahead, so the firm is before the 24 h cut-off.
    day = DAY + dt.timedelta(days=1)
    return booking_create(actor=alice, firm=firm_a, instrument=instrument, start_at=at(day, 9),
                          end_at=at(day, 10), purpose="FTIR")  # fmt: skip


def test_firm_moves_to_a_free_range_in_place_with_history(booked, alice):
    events = []
    order_events_subscribe("test.move", events.append)
    try:
        moved = booking_move(actor=alice, booking=booked, start_at=at(DAY, 14),
                             end_at=at(DAY, 16), reason="sample late")  # fmt: skip
    finally:
        order_events_unsubscribe("test.move")
    row = Booking.objects.get(pk=booked.pk)
    assert (row.start_at, row.end_at, row.status) == (at(DAY, 14), at(DAY, 16), "approved")
    assert row.quote_fen == moved.quote_fen == 400_00
    move = BookingMove.objects.get(booking=booked)
    assert (move.from_start_at, move.to_start_at, move.actor) == (at(DAY + _d(1), 9),
                                                                  at(DAY, 14), alice)  # fmt: skip
    assert move.from_quote_fen == 200_00
    # Same order, same status: no creation, release or other event to count twice.
    assert events == []
    assert Booking.objects.count() == 1


def _d(n):
    return dt.timedelta(days=n)


def test_move_onto_a_taken_range_is_409_and_changes_nothing(booked, alice, instrument):
    BookingFactory(instrument=instrument, start_at=at(DAY, 14), end_at=at(DAY, 15))
    with pytest.raises(Conflict) as err:
        booking_move(actor=alice, booking=booked, start_at=at(DAY, 14), end_at=at(DAY, 16))
    assert err.value.code == "slot_taken"
    assert Booking.objects.get(pk=booked.pk).start_at == booked.start_at
    assert not BookingMove.objects.exists()


def test_shifting_over_its_own_range_is_allowed(booked, alice):
    day = DAY + _d(1)
    booking_move(actor=alice, booking=booked, start_at=at(day, 9, 30), end_at=at(day, 10, 30))
    assert Booking.objects.get(pk=booked.pk).start_at == at(day, 9, 30)


def test_firm_move_to_an_instrument_needing_approval_asks_again(booked, alice,
                                                                 second_instrument):  # fmt: skip
    events = []
    order_events_subscribe("test.move", events.append)
    try:
        booking_move(actor=alice, booking=booked, instrument=second_instrument.pk,
                     start_at=at(DAY + _d(1), 9), end_at=at(DAY + _d(1), 10))  # fmt: skip
    finally:
        order_events_unsubscribe("test.move")
    row = Booking.objects.get(pk=booked.pk)
    assert (row.instrument_id, row.status) == (second_instrument.pk, "requested")
    change = StateChange.objects.filter(booking=booked).last()
    assert (change.from_status, change.to_status, change.actor) == ("approved", "requested", alice)
    assert [(e.from_status, e.to_status) for e in events] == [("approved", "requested")]


def test_manager_move_keeps_approval(booked, manager, second_instrument):
    booking_move(actor=manager, booking=booked, instrument=second_instrument.pk,
                 start_at=at(DAY, 9), end_at=at(DAY, 10), reason="other FTIR free")  # fmt: skip
    assert Booking.objects.get(pk=booked.pk).status == "approved"


def test_firm_cannot_move_after_the_cut_off_but_the_lab_can(booked, alice, manager, frozen):
    frozen.move_to(at(DAY + _d(1), 0))
    with pytest.raises(Invalid) as err:
        booking_move(actor=alice, booking=booked, start_at=at(DAY + _d(1), 14),
                     end_at=at(DAY + _d(1), 15))  # fmt: skip
    assert err.value.code == "move_cutoff_passed"
    booking_move(actor=manager, booking=booked, start_at=at(DAY + _d(1), 14),
                 end_at=at(DAY + _d(1), 15))  # fmt: skip


def test_no_move_to_another_providers_instrument(booked, manager):
    other = InstrumentFactory(provider=make_provider(), horizon_days=400)
    with pytest.raises(Invalid) as err:
        booking_move(actor=manager, booking=booked, instrument=other.pk, start_at=at(DAY, 9),
                     end_at=at(DAY, 10))  # fmt: skip
    assert err.value.code == "other_provider"


def test_the_move_obeys_the_rules(booked, alice):
    with pytest.raises(Invalid) as err:
        booking_move(actor=alice, booking=booked, start_at=at(DAY, 19), end_at=at(DAY, 21))
    assert err.value.code == "outside_opening_hours"


def test_another_firm_cannot_move_it(booked, bob):
    with pytest.raises(NotFound):
        booking_move(actor=bob, booking=booked, start_at=at(DAY, 14), end_at=at(DAY, 15))
