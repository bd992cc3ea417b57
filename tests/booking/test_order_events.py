"""Every move of an order publishes one order event inside its own transaction, and the
system's paths (no-show beat, bulk approval, auto-completion) publish the same events as
a person's click."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking, ServiceRequest
from booking.order_events import (
    CreationRead,
    OrderKind,
    creation_read_register,
    order_events_subscribe,
    order_events_subscribers,
    order_events_unsubscribe,
)
from booking.services import bookings as booking_services
from booking.tasks.bookings import mark_no_shows
from config.errors import Conflict
from tests.booking.conftest import DAY
from tests.factories.booking import BookingFactory, at

pytestmark = pytest.mark.django_db
B = Booking.Status


class Refused(Conflict):
    pass


@pytest.fixture(name="events")
def events_fixture():
    """The events published while the test runs, each with what the subscriber saw of the
    database at that moment (inside the transaction, the order's new status)."""
    seen = []

    def record(event):
        model = Booking if event.order_kind == OrderKind.BOOKING else ServiceRequest
        stored = model.objects.filter(pk=event.order_id).values_list("status", flat=True).first()
        seen.append((event, connection.in_atomic_block, stored))

    order_events_subscribe("test.recorder", record)
    yield seen
    order_events_unsubscribe("test.recorder")


@pytest.fixture
def no_voucher_money():
    """Booking's own events alone: the test passes made-up voucher ids, which the vouchers
    app's subscriber would refuse. The subscriber list is put back as it was, in order."""
    from booking import order_events

    saved = list(order_events._subscriptions), list(order_events._creation_reader)
    order_events_unsubscribe("vouchers.money")
    order_events.creation_read_register(None)
    yield
    order_events._subscriptions[:], order_events._creation_reader[:] = saved


def moves(events):
    return [(e.from_status, e.to_status) for e, _, _ in events]


def test_subscribers_are_pinned_in_order():
    # booking's own waitlist first (booking's ready() runs first; it only offers freed
    # time), then vouchers hold/release/capture before the tracker counts: the tracker's
    # usage event carries the voucher part the capture just computed.
    assert order_events_subscribers() == ["booking.waitlist", "vouchers.money", "tracker.usage"]


def test_booking_life_publishes_one_event_per_move_inside_the_transaction(
    frozen, no_voucher_money, events, alice, manager, instrument
):
    firm = alice.memberships.get().organisation
    booking = booking_services.booking_create(
        actor=alice, firm=firm, instrument=instrument, start_at=at(DAY, 9),
        end_at=at(DAY, 11), purpose="XRD", voucher_ids=[7, 3],
    )  # fmt: skip
    frozen.move_to(at(DAY, 9))
    booking_services.booking_check_in(actor=manager, booking=booking)
    frozen.move_to(at(DAY, 10))
    booking_services.booking_check_out(actor=manager, booking=booking)

    assert moves(events) == [("", B.APPROVED), (B.APPROVED, B.CHECKED_IN),
                             (B.CHECKED_IN, B.COMPLETED)]  # fmt: skip
    created, checked_in, completed = (e for e, _, _ in events)
    assert created.is_creation and created.voucher_ids == (7, 3)
    assert created.fee_fen == booking.quote_fen == 400_00
    assert completed.fee_fen == 200_00  # from the session log: one hour used
    assert {e.order_kind for e, _, _ in events} == {OrderKind.BOOKING}
    assert {e.order_id for e, _, _ in events} == {booking.pk}
    assert {e.firm_id for e, _, _ in events} == {firm.pk}
    assert {e.provider_id for e, _, _ in events} == {instrument.provider_id}
    assert [e.actor_id for e, _, _ in events] == [alice.pk, manager.pk, manager.pk]
    assert all(inside for _, inside, _ in events)
    assert [stored for _, _, stored in events] == [B.APPROVED, B.CHECKED_IN, B.COMPLETED]


def test_a_creation_read_rides_in_the_bookings_insert(
    frozen, no_voucher_money, events, alice, instrument
):
    """A registered creation read runs inside the new booking's INSERT on PostgreSQL and
    its rows reach the subscriber as ``event.read``; elsewhere the event carries none."""
    asked = []

    def reader(order_kind, firm_id, voucher_ids, item_id):
        asked.append((order_kind, firm_id, voucher_ids, item_id))
        return CreationRead("SELECT %s::bigint AS n, %s::text AS word", (len(voucher_ids), "x"))

    creation_read_register(reader)
    firm = alice.memberships.get().organisation
    with CaptureQueriesContext(connection) as queries:
        booking_services.booking_create(
            actor=alice, firm=firm, instrument=instrument, start_at=at(DAY, 9),
            end_at=at(DAY, 11), purpose="XRD", voucher_ids=[7, 3],
        )  # fmt: skip
    ((created, _inside, _stored),) = events
    if connection.vendor == "postgresql":
        assert asked == [(OrderKind.BOOKING, firm.pk, (7, 3), instrument.pk)]
        assert created.read == ((2, "x"),)
        (read_in,) = [q["sql"] for q in queries.captured_queries if "::bigint AS n" in q["sql"]]
        assert "INSERT INTO" in read_in  # the same statement as the booking's INSERT
    else:
        assert created.read is None


def test_no_creation_read_without_vouchers(frozen, no_voucher_money, events, alice, instrument):
    creation_read_register(lambda *args: pytest.fail("asked for a read without vouchers"))
    firm = alice.memberships.get().organisation
    booking_services.booking_create(actor=alice, firm=firm, instrument=instrument,
                                    start_at=at(DAY, 9), end_at=at(DAY, 11), purpose="XRD")  # fmt: skip
    ((created, _inside, _stored),) = events
    assert created.read is None


def test_a_refusing_subscriber_rolls_the_booking_back(frozen, alice, instrument):
    def refuse(event):
        raise Refused("no", code="voucher_exhausted")

    order_events_subscribe("test.refuse", refuse)
    try:
        with pytest.raises(Refused):
            booking_services.booking_create(
                actor=alice, firm=alice.memberships.get().organisation, instrument=instrument,
                start_at=at(DAY, 9), end_at=at(DAY, 10), purpose="x",
            )  # fmt: skip
    finally:
        order_events_unsubscribe("test.refuse")
    assert not Booking.objects.exists()


def test_a_refusing_subscriber_rolls_a_move_back_and_the_instance_agrees(manager):
    booking = BookingFactory(
        status=B.REQUESTED, instrument__provider=manager.memberships.get().organisation
    )

    def refuse(event):
        raise Refused("no")

    order_events_subscribe("test.refuse", refuse)
    try:
        with pytest.raises(Refused):
            booking_services.booking_approve(actor=manager, booking=booking)
    finally:
        order_events_unsubscribe("test.refuse")
    assert booking.status == B.REQUESTED
    booking.refresh_from_db()
    assert booking.status == B.REQUESTED and booking.history.count() == 0


def test_no_show_task_publishes_what_a_managers_click_does(frozen, events, manager):
    provider = manager.memberships.get().organisation
    by_task = BookingFactory(instrument__provider=provider, start_at=at(DAY, 9),
                             end_at=at(DAY, 10))  # fmt: skip
    by_click = BookingFactory(instrument=by_task.instrument, start_at=at(DAY, 10),
                              end_at=at(DAY, 11))  # fmt: skip
    frozen.move_to(at(DAY, 11, 40))
    booking_services.booking_mark_no_show(actor=manager, booking=by_click)
    assert mark_no_shows() == 1
    (click, *_), (task, *_) = events
    assert (click.from_status, click.to_status) == (task.from_status, task.to_status)
    assert (click.to_status, click.actor_id, task.actor_id) == (B.NO_SHOW, manager.pk, None)
    assert task.order_id == by_task.pk


def test_bulk_approve_publishes_one_event_per_booking(events, manager):
    provider = manager.memberships.get().organisation
    first = BookingFactory(status=B.REQUESTED, instrument__provider=provider)
    second = BookingFactory(status=B.REQUESTED, instrument=first.instrument,
                            start_at=first.end_at, end_at=first.end_at + dt.timedelta(hours=1))  # fmt: skip
    result = booking_services.bookings_bulk_approve(actor=manager, bookings=[first, second])
    assert result["approved"] == [first.pk, second.pk]
    assert [(e.order_id, e.to_status) for e, _, _ in events] == [
        (first.pk, B.APPROVED), (second.pk, B.APPROVED)
    ]  # fmt: skip
