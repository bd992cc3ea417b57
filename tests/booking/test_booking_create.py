import datetime as dt

import pytest
from django.db import connection

from booking.models import Booking, StateChange
from booking.services.bookings import booking_create
from config.errors import Conflict, Invalid, NotFound
from facilities.models import Blackout, Instrument, Price
from tests.booking.conftest import DAY
from tests.factories.accounts import join
from tests.factories.booking import BookingFactory, at, qualify

pytestmark = pytest.mark.django_db


def book(actor, firm, instrument, start, end, purpose="XRD"):
    return booking_create(
        actor=actor, firm=firm, instrument=instrument, start_at=start, end_at=end, purpose=purpose
    )


def test_instant_instrument_books_straight_to_approved_with_quote(
    frozen, alice, firm_a, instrument
):
    booking = book(alice, firm_a, instrument, at(DAY, 9), at(DAY, 10, 30))
    assert booking.status == Booking.Status.APPROVED
    assert booking.client_group == Price.ClientGroup.EXTERNAL_FIRM
    assert booking.quote_fen == 300_00  # 1.5 h × ¥200
    change = StateChange.objects.get(booking=booking)
    assert (change.from_status, change.to_status, change.actor) == ("", "approved", alice)


def test_approval_instrument_books_as_requested(frozen, alice, firm_a, instrument):
    Instrument.objects.filter(pk=instrument.pk).update(requires_approval=True)
    booking = book(alice, firm_a, instrument, at(DAY, 9), at(DAY, 10))
    assert booking.status == Booking.Status.REQUESTED


def test_provider_staff_pay_the_internal_rate(frozen, alice, firm_a, instrument, provider):
    join(alice, provider)
    booking = book(alice, firm_a, instrument, at(DAY, 9), at(DAY, 10))
    assert (booking.client_group, booking.quote_fen) == (Price.ClientGroup.INTERNAL, 80_00)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (at(DAY, 6), at(DAY, 8, 30), "outside_opening_hours"),
        (at(DAY, 19, 30), at(DAY, 21), "outside_opening_hours"),
        (at(DAY, 9, 10), at(DAY, 10), "not_aligned"),
        (
            at(DAY, 9),
            at(DAY, 9, 0) + dt.timedelta(minutes=0, hours=0, seconds=0),
            "end_before_start",
        ),
        (at(DAY, 8), at(DAY, 17, 30), "too_long"),
        (at(DAY - dt.timedelta(days=1), 11), at(DAY - dt.timedelta(days=1), 13), "lead_time"),
        (at(DAY + dt.timedelta(days=90), 9), at(DAY + dt.timedelta(days=90), 10), "beyond_horizon"),
    ],
)
def test_rule_breaks_are_invalid_and_named(frozen, alice, firm_a, instrument, start, end, code):
    with pytest.raises(Invalid) as info:
        book(alice, firm_a, instrument, start, end)
    assert info.value.code == code
    assert not Booking.objects.exists()


def test_too_short(frozen, alice, firm_a, instrument):
    Instrument.objects.filter(pk=instrument.pk).update(min_minutes=60)
    with pytest.raises(Invalid) as info:
        book(alice, firm_a, instrument, at(DAY, 9), at(DAY, 9, 30))
    assert info.value.code == "too_short"


def test_blackout_refuses(frozen, alice, firm_a, instrument):
    Blackout.objects.create(instrument=instrument, start_at=at(DAY, 9, 30), end_at=at(DAY, 11))
    with pytest.raises(Invalid) as info:
        book(alice, firm_a, instrument, at(DAY, 9), at(DAY, 10))
    assert info.value.code == "in_blackout"


def test_instrument_under_maintenance_refuses(frozen, alice, firm_a, instrument):
    Instrument.objects.filter(pk=instrument.pk).update(status=Instrument.Status.MAINTENANCE)
    with pytest.raises(Invalid) as info:
        book(alice, firm_a, instrument, at(DAY, 9), at(DAY, 10))
    assert info.value.code == "instrument_unavailable"


def test_overlapping_request_gets_slot_taken(frozen, alice, firm_a, instrument):
    BookingFactory(instrument=instrument, start_at=at(DAY, 9), end_at=at(DAY, 11))
    with pytest.raises(Conflict) as info:
        book(alice, firm_a, instrument, at(DAY, 10), at(DAY, 12))
    assert info.value.code == "slot_taken"
    assert "taken" in str(info.value.message)


def test_cancelled_booking_frees_the_slot(frozen, alice, firm_a, instrument):
    BookingFactory(
        instrument=instrument,
        start_at=at(DAY, 9),
        end_at=at(DAY, 11),
        status=Booking.Status.CANCELLED,
    )
    assert book(alice, firm_a, instrument, at(DAY, 9), at(DAY, 11)).pk


def test_another_firm_cannot_be_booked_for(frozen, alice, firm_b, instrument):
    with pytest.raises(NotFound):
        book(alice, firm_b, instrument, at(DAY, 9), at(DAY, 10))


class TestTrainingGate:
    @pytest.fixture
    def gated(self, instrument):
        Instrument.objects.filter(pk=instrument.pk).update(requires_training=True)
        instrument.refresh_from_db()
        return instrument

    def test_unqualified_user_is_told_how_to_get_qualified(self, frozen, alice, firm_a, gated):
        with pytest.raises(Invalid) as info:
            book(alice, firm_a, gated, at(DAY, 9), at(DAY, 10))
        assert info.value.code == "training_required"
        assert "Contact" in str(info.value.message)

    def test_qualified_user_books(self, frozen, alice, firm_a, gated):
        qualify(alice, gated, expires_on=DAY + dt.timedelta(days=30))
        assert book(alice, firm_a, gated, at(DAY, 9), at(DAY, 10)).pk

    @pytest.mark.parametrize(
        ("kwargs", "code"),
        [
            ({"revoked": True}, "qualification_revoked"),
            ({"expires_on": DAY - dt.timedelta(days=2)}, "qualification_expired"),
        ],
    )
    def test_revoked_or_expired_qualification_is_refused(
        self, frozen, alice, firm_a, gated, kwargs, code
    ):
        qualify(alice, gated, **kwargs)
        with pytest.raises(Invalid) as info:
            book(alice, firm_a, gated, at(DAY, 9), at(DAY, 10))
        assert info.value.code == code


def test_create_path_stays_lean(frozen, alice, firm_a, instrument, django_assert_num_queries):
    book(alice, firm_a, instrument, at(DAY, 8), at(DAY, 8, 30))  # warm the scope cache
    # savepoint, lock (+ rates, firm name), hours + blackout/clash probe, the insert (booking,
    # history and announcement: one statement on PostgreSQL, three on SQLite), release
    inserts = 1 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(4 + inserts):
        book(alice, firm_a, instrument, at(DAY, 9), at(DAY, 10))
