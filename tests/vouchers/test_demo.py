"""The vouchers demo runs on the existing demo, twice, through the services."""

import pytest

from accounts import demo as accounts_demo
from booking import demo as booking_demo
from facilities import demo as facilities_demo
from tests.vouchers.conftest import ledger_agrees
from vouchers.demo import seed_vouchers_demo
from vouchers.models import LedgerEntry, OrderVoucherHold, Programme, Voucher, VoucherApplication

pytestmark = pytest.mark.django_db


def test_vouchers_demo_runs_twice_and_shows_every_state():
    accounts_demo.seed()
    facilities_demo.seed()
    booking_demo.seed()
    seed_vouchers_demo()
    counts = (Programme.objects.count(), Voucher.objects.count(), LedgerEntry.objects.count())
    seed_vouchers_demo()
    assert (
        Programme.objects.count(),
        Voucher.objects.count(),
        LedgerEntry.objects.count(),
    ) == counts
    assert set(Programme.objects.values_list("status", flat=True)) == {"published", "closed"}
    firm = Voucher.objects.filter(firm__name=accounts_demo.DEMO_FIRM_NAME)
    assert set(OrderVoucherHold.objects.values_list("state", flat=True)) == {"held", "captured"}
    assert firm.filter(expired_fen__gt=0).exists()
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds == {"issue", "hold", "capture", "release", "expire"}
    assert set(VoucherApplication.objects.values_list("status", flat=True)) == {
        "approved",
        "submitted",
    }
    for voucher in Voucher.objects.all():
        ledger_agrees(voucher)
