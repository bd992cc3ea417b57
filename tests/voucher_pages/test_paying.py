"""Paying with vouchers on the booking page and the testing-request form, and the voucher
part shown on placed orders to the firm and to the provider."""

import pytest

from booking.models import Booking, ServiceRequest
from tests.conftest import client_for
from tests.voucher_pages.conftest import YUAN, slot
from vouchers.models import LedgerEntry, OrderVoucherHold
from vouchers.services.programmes import programme_pause

pytestmark = pytest.mark.django_db


def _range(hours=3):
    start, end = slot(hours=hours)
    return {"start": start.isoformat(), "end": end.isoformat()}


def test_the_quote_lists_the_firms_vouchers_and_splits_the_fee_with_reasons(
    alice, voucher, instrument
):
    client = client_for(alice)
    url = f"/instruments/{instrument.pk}/book/quote/"
    html = client.post(url, _range()).content.decode()
    assert 'data-testid="voucher-picker"' in html and voucher.code in html
    assert 'data-testid="voucher-available"' in html  # the firm sees its own balance
    assert "Would pay ¥550.00 of this order" in html  # ¥500 at 100% + ¥100 at 50%
    assert 'data-testid="payment-split"' not in html  # nothing ticked yet
    html = client.post(url, {**_range(), "vouchers": [voucher.pk]}).content.decode()
    assert 'data-testid="split-fee">¥600.00<' in html
    assert 'data-testid="split-voucher">−¥550.00<' in html
    assert 'data-testid="split-firm">¥50.00<' in html
    assert "100% of the part from ¥0.00 to ¥500.00" in html  # why: the tiers applied


def test_the_quote_says_which_cap_limited_the_voucher(alice, voucher, instrument):
    # 8 hours = ¥1,600: coverage ¥1,050, but the voucher holds only ¥1,000.
    html = (
        client_for(alice)
        .post(
            f"/instruments/{instrument.pk}/book/quote/",
            {**_range(hours=8), "vouchers": [voucher.pk]},
        )
        .content.decode()
    )
    assert "Limited to ¥1,000.00 by the voucher&#x27;s balance" in html or (
        "Limited to ¥1,000.00 by the voucher's balance" in html
    )


def test_booking_with_a_voucher_holds_its_part_and_the_pages_show_the_ledgers_split(
    alice, voucher, instrument, manager
):
    client = client_for(alice)
    r = client.post(f"/instruments/{instrument.pk}/book/",
                    {**_range(), "purpose": "FTIR", "vouchers": [voucher.pk]})  # fmt: skip
    assert r.status_code == 302
    booking = Booking.objects.get()
    hold = LedgerEntry.objects.get(voucher=voucher, kind="hold")
    assert hold.order_id == booking.pk and hold.amount_fen == 550 * YUAN
    for user in (alice, manager):  # the firm on its order, the provider on the same order
        html = client_for(user).get(f"/bookings/{booking.pk}/").content.decode()
        assert 'data-testid="payment-voucher">−¥550.00<' in html
        assert 'data-testid="payment-firm">¥50.00<' in html
    assert "vouchers ¥550.00" in client.get("/bookings/").content.decode()
    wallet = client.get("/vouchers/").content.decode()
    assert 'data-testid="held">¥550.00<' in wallet and 'data-testid="available">¥450.00<' in wallet


def test_the_lab_manager_sees_the_voucher_part_in_approvals(alice, voucher, manager, provider):
    from tests.factories.facilities import InstrumentFactory

    gated = InstrumentFactory(provider=provider, requires_approval=True)
    client_for(alice).post(f"/instruments/{gated.pk}/book/",
                           {**_range(), "purpose": "x", "vouchers": [voucher.pk]})  # fmt: skip
    html = client_for(manager).get("/lab/approvals/").content.decode()
    assert "vouchers ¥550.00, firm ¥50.00" in html


def test_a_voucher_that_cannot_pay_refuses_the_booking_on_the_form_keeping_the_input(
    alice, voucher, instrument, reviewer, programme
):
    programme_pause(actor=reviewer, programme_id=programme.pk)
    r = client_for(alice).post(f"/instruments/{instrument.pk}/book/",
                               {**_range(), "purpose": "保留的用途", "vouchers": [voucher.pk]})  # fmt: skip
    html = r.content.decode()
    assert 'data-testid="booking-error"' in html and "The voucher programme is paused." in html
    assert "保留的用途" in html and f'value="{voucher.pk}" checked' in html
    assert not Booking.objects.exists() and not OrderVoucherHold.objects.exists()


def test_another_firms_voucher_cannot_pay(bob, voucher, instrument):
    r = client_for(bob).post(f"/instruments/{instrument.pk}/book/",
                             {**_range(), "purpose": "x", "vouchers": [voucher.pk]})  # fmt: skip
    # Refusals answer their own status (another firm's voucher: not found), form re-shown.
    assert r.status_code == 404 and b"booking-error" in r.content
    assert voucher.code.encode() not in r.content and not Booking.objects.exists()


def test_testing_request_form_quotes_and_pays_with_a_voucher(alice, voucher, service, manager):
    client = client_for(alice)
    html = client.get(
        f"/services/{service.pk}/quote/?sample_count=2&vouchers={voucher.pk}"
    ).content.decode()
    assert 'form="order-form"' in html  # the picker sits beside the form, tied to it
    assert 'data-testid="split-voucher">−¥550.00<' in html  # ¥500 at 100% + ¥100 at 50%
    assert 'data-testid="split-firm">¥50.00<' in html
    r = client.post(f"/services/{service.pk}/order/", {
        "sample_count": 2, "sample_description": "铝合金", "delivery": "drop_off",
        "vouchers": [voucher.pk],
    })  # fmt: skip
    assert r.status_code == 302
    sr = ServiceRequest.objects.get()
    assert LedgerEntry.objects.get(kind="hold", order_id=sr.pk).amount_fen == 550 * YUAN
    for user in (alice, manager):
        html = client_for(user).get(f"/testing-requests/{sr.pk}/").content.decode()
        assert 'data-testid="payment-voucher">−¥550.00<' in html
    assert (
        "vouchers ¥550.00, firm ¥50.00"
        in client_for(manager).get("/lab/testing-queue/").content.decode()
    )


def test_a_voucher_that_does_not_apply_says_why_and_cannot_be_ticked(
    alice, firm_a, reviewer, instrument
):
    from tests.voucher_pages.conftest import RULES, make_programme
    from vouchers.services.issuing import voucher_issue

    testing_only = make_programme(reviewer, rules={**RULES, "order_kinds": ["service_request"]})
    voucher = voucher_issue(actor=reviewer, programme_id=testing_only.pk, firm_id=firm_a.pk,
                            amount_fen=1_000 * YUAN)  # fmt: skip
    html = (
        client_for(alice)
        .post(f"/instruments/{instrument.pk}/book/quote/", _range())
        .content.decode()
    )
    assert "This voucher does not pay for this kind of order." in html
    assert f'value="{voucher.pk}" disabled' in html
