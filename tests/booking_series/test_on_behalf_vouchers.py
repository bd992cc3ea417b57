"""A lab manager booking for a firm applies the firm's own vouchers through the same hold
as the firm's own booking, and sees the split before confirming. Service, API, page."""

import pytest
from rest_framework.test import APIClient

from booking.models import Booking
from booking.services.lab_actions import booking_create_for_firm
from config.errors import NotFound
from tests.booking_series.conftest import tuesday
from tests.conftest import client_for
from tests.factories.accounts import make_reviewer
from tests.factories.booking import at
from tests.vouchers.conftest import make_programme
from vouchers.models import OrderVoucherHold
from vouchers.services import issuing

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet(frozen, firm_a, firm_b):
    reviewer = make_reviewer("330000", email="reviewer@example.cn")
    programme = make_programme(reviewer)

    def _issue(firm):
        return issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=firm.pk,
                                     amount_fen=1_000_00)  # fmt: skip

    return _issue(firm_a), _issue(firm_b)


def test_the_manager_books_with_the_firms_voucher(wallet, manager, firm_a, instrument):
    own, _other = wallet
    booking = booking_create_for_firm(
        actor=manager, firm=firm_a.pk, instrument=instrument.pk, start_at=at(tuesday(1), 9),
        end_at=at(tuesday(1), 10), purpose="phone", voucher_ids=[own.pk],
    )  # fmt: skip
    hold = OrderVoucherHold.objects.get(order_id=booking.pk)
    assert (hold.voucher_id, hold.held_fen, hold.state) == (own.pk, 200_00, "held")
    own.refresh_from_db()
    assert own.available_fen == 800_00


def test_another_firms_voucher_is_refused_and_nothing_is_booked(wallet, manager, firm_a,
                                                                instrument):  # fmt: skip
    _own, other = wallet
    with pytest.raises(NotFound) as caught:
        booking_create_for_firm(
            actor=manager, firm=firm_a.pk, instrument=instrument.pk, start_at=at(tuesday(1), 9),
            end_at=at(tuesday(1), 10), purpose="phone", voucher_ids=[other.pk],
        )  # fmt: skip
    assert caught.value.code == "voucher_not_found"
    assert not Booking.objects.exists()


def test_the_api_takes_the_firms_vouchers(wallet, manager, firm_a, instrument):
    own, _other = wallet
    client = APIClient()
    client.force_authenticate(manager)
    r = client.post("/api/v1/bookings/on-behalf/", {
        "firm": firm_a.pk, "instrument": instrument.pk, "start": at(tuesday(1), 9).isoformat(),
        "end": at(tuesday(1), 10).isoformat(), "purpose": "phone", "vouchers": [own.pk]},
        format="json")  # fmt: skip
    assert r.status_code == 201, r.json()
    assert OrderVoucherHold.objects.get(order_id=r.json()["id"]).voucher_id == own.pk


def test_the_page_shows_the_split_then_books_with_the_ticked_voucher(wallet, manager, firm_a,
                                                                     alice, instrument):  # fmt: skip
    own, other = wallet
    client = client_for(manager)
    data = {"instrument": instrument.pk, "firm_code": firm_a.firm.uscc, "member_email": "",
            "day": tuesday(1).isoformat(), "start_time": "09:00", "end_time": "11:00",
            "purpose": "walk-in", "step": "quote"}  # fmt: skip
    r = client.post("/lab/book-for-firm/", data)
    body = r.content.decode()
    assert r.status_code == 200 and 'data-testid="on-behalf-quote"' in body
    assert f'data-testid="voucher-{own.pk}"' in body  # the firm's wallet only
    assert f'data-testid="voucher-{other.pk}"' not in body
    # what the voucher would pay of this order, but not the wallet's balance
    assert 'data-testid="voucher-available"' not in body and "¥1,000.00" not in body
    assert not Booking.objects.exists()
    r = client.post("/lab/book-for-firm/", {**data, "vouchers": [own.pk]})
    body = r.content.decode()
    assert 'data-testid="payment-split"' in body and 'data-testid="on-behalf-book"' in body
    assert not Booking.objects.exists()
    r = client.post("/lab/book-for-firm/", {**data, "vouchers": [own.pk], "step": "book"})
    booking = Booking.objects.get()
    assert r.status_code == 302 and booking.firm_id == firm_a.pk
    assert OrderVoucherHold.objects.get(order_id=booking.pk).held_fen == 400_00


def test_the_api_quotes_the_split_before_booking(wallet, manager, firm_a, bob, instrument):
    own, other = wallet
    client = APIClient()
    client.force_authenticate(manager)
    body = {"firm": firm_a.pk, "instrument": instrument.pk, "start": at(tuesday(1), 9).isoformat(),
            "end": at(tuesday(1), 11).isoformat(), "purpose": "phone", "vouchers": [own.pk]}  # fmt: skip
    r = client.post("/api/v1/bookings/on-behalf/quote/", body, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["quote_fen"] == 400_00
    assert r.json()["payment"]["voucher_fen"] == 400_00 and r.json()["payment"]["firm_fen"] == 0
    assert not Booking.objects.exists()
    r = client.post("/api/v1/bookings/on-behalf/quote/", {**body, "vouchers": [other.pk]},
                    format="json")  # fmt: skip
    assert r.status_code == 404 and r.json()["code"] == "voucher_not_found"
    firm_member = APIClient()
    firm_member.force_authenticate(bob)  # not the instrument's lab
    assert firm_member.post("/api/v1/bookings/on-behalf/quote/", body,
                            format="json").status_code == 404  # fmt: skip
