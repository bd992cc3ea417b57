"""A move to another instrument asks the vouchers whether the held voucher still pays
there (its programme's categories and providers); if not, the move is refused and the
booking, its hold and its voucher stay as they were. Service, API and page."""

import pytest

from booking.models import Booking, BookingMove
from booking.services.booking_moves import booking_move
from booking.services.bookings import booking_create
from config.errors import Invalid
from tests.booking_series.conftest import tuesday
from tests.conftest import client_for
from tests.factories.accounts import make_reviewer
from tests.factories.booking import at
from tests.factories.facilities import CategoryFactory, InstrumentFactory
from tests.vouchers.conftest import RULES, make_programme
from vouchers.models import OrderVoucherHold
from vouchers.services import issuing

pytestmark = pytest.mark.django_db


@pytest.fixture
def covered(provider):
    return InstrumentFactory(provider=provider, horizon_days=400,
                             category=CategoryFactory(code="OPTIC"))  # fmt: skip


@pytest.fixture
def elsewhere(provider):
    """Of the same provider, but of a category the programme does not pay for."""
    return InstrumentFactory(provider=provider, horizon_days=400, name="核磁共振波谱仪",
                             category=CategoryFactory(code="NMR"))  # fmt: skip


@pytest.fixture
def held(frozen, alice, firm_a, covered, elsewhere):
    reviewer = make_reviewer("330000", email="reviewer@example.cn")
    programme = make_programme(reviewer, rules={**RULES, "categories_included": ["OPTIC"]})
    voucher = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk,
                                    firm_id=firm_a.pk, amount_fen=1_000_00)  # fmt: skip
    return booking_create(actor=alice, firm=firm_a, instrument=covered,
                          start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 10),
                          purpose="FTIR", voucher_ids=[voucher.pk])  # fmt: skip


def _unchanged(booking, instrument):
    row = Booking.objects.get(pk=booking.pk)
    assert (row.instrument_id, row.start_at) == (instrument.pk, at(tuesday(1), 9))
    assert not BookingMove.objects.exists()
    assert OrderVoucherHold.objects.get(order_id=booking.pk).state == "held"


def test_a_move_where_the_voucher_does_not_pay_is_refused(held, alice, covered, elsewhere):
    with pytest.raises(Invalid) as caught:
        booking_move(actor=alice, booking=held, instrument=elsewhere.pk,
                     start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 10))  # fmt: skip
    assert caught.value.code == "voucher_not_applicable_there"
    assert caught.value.data["reason"] == "category_not_included"
    assert "核磁共振波谱仪" in str(caught.value.message)
    _unchanged(held, covered)


def test_a_move_the_voucher_still_covers_keeps_the_hold(held, alice, provider, covered):
    twin = InstrumentFactory(provider=provider, horizon_days=400,
                             category=CategoryFactory(code="OPTIC"))  # fmt: skip
    booking_move(actor=alice, booking=held, instrument=twin.pk,
                 start_at=at(tuesday(1), 9), end_at=at(tuesday(1), 10))  # fmt: skip
    assert Booking.objects.get(pk=held.pk).instrument_id == twin.pk
    assert OrderVoucherHold.objects.get(order_id=held.pk).state == "held"


def test_a_move_in_time_on_the_same_instrument_is_not_asked_again(held, alice, covered):
    booking_move(actor=alice, booking=held, start_at=at(tuesday(1), 14),
                 end_at=at(tuesday(1), 15))  # fmt: skip
    assert Booking.objects.get(pk=held.pk).start_at == at(tuesday(1), 14)


def test_the_api_refuses_with_the_reason(held, alice, covered, elsewhere):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(alice)
    r = client.post(f"/api/v1/bookings/{held.pk}/move/", {
        "start": at(tuesday(1), 9).isoformat(), "end": at(tuesday(1), 10).isoformat(),
        "instrument": elsewhere.pk}, format="json")  # fmt: skip
    assert r.status_code == 400, r.json()
    assert r.json()["code"] == "voucher_not_applicable_there"
    assert "instrument" in r.json()["fields"]
    _unchanged(held, covered)


def test_the_page_shows_the_refusal_on_the_move_form(held, alice, covered, elsewhere):
    data = {"day": tuesday(1).isoformat(), "start_time": "09:00", "end_time": "10:00",
            "instrument": elsewhere.pk}  # fmt: skip
    r = client_for(alice).post(f"/bookings/{held.pk}/move/", data)
    assert r.status_code == 400 and b'data-testid="move-error"' in r.content
    assert "核磁共振波谱仪" in r.content.decode()
    _unchanged(held, covered)
