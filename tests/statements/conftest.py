"""Statements build on the vouchers fixtures: a province programme, firm_a with a voucher,
an instrument of ``provider`` at ¥200/h (100% covered up to ¥500), and bookings of it."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from booking.services import bookings as booking_services
from statements.services import statement_issue
from tests.vouchers.conftest import (  # noqa: F401  (fixtures)
    YUAN,
    book,
    department_of,
    instrument,
    issue,
    programme,
    reviewer,
    voucher,
)

# A valid credit code (DESIGN.md's public examples) to put on invoices.
TAX_NUMBER = "91330100799655058B"
DETAILS = {"title": "杭州甲公司", "tax_number": TAX_NUMBER, "address": "杭州市西湖区文三路 1 号 0571-88888888",
           "bank": "中国银行杭州分行 1234 5678 9012"}  # fmt: skip


def complete(booking, manager, *, minutes=None):
    """Check the booking in and out at its own times (the voucher capture happens then)."""
    start = booking.start_at
    end = start + dt.timedelta(minutes=minutes) if minutes else booking.end_at
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        booking_services.booking_check_in(actor=manager, booking=booking, actual_start_at=start)
    with time_machine.travel(end, tick=False):
        booking_services.booking_check_out(actor=manager, booking=booking, actual_end_at=end)
    booking.refresh_from_db()
    return booking


@pytest.fixture
def completed(book, voucher, manager):  # noqa: F811
    """``completed(n)``: n bookings of ``hours`` each on their own hours of the day after
    tomorrow, paid with the voucher unless ``vouchers=[]``, completed."""

    def _completed(n=3, vouchers=None, hours=1, start_hour_from=8, **kwargs):
        return [complete(book(voucher_list if (voucher_list := vouchers) is not None else [voucher],
                              hours=hours, start_hour=start_hour_from + i * hours, **kwargs), manager)
                for i in range(n)]  # fmt: skip

    return _completed


@pytest.fixture
def later():
    """``with later():`` a week from now, when the completed bookings' days are over."""
    return lambda: time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=7), tick=True)


def month_of(booking) -> dt.date:
    return timezone.localtime(booking.start_at).date().replace(day=1)


@pytest.fixture
def issue_now(manager, provider, firm_a):
    def _issue(month, firm=None):
        return statement_issue(actor=manager, provider_id=provider.pk,
                               firm_id=(firm or firm_a).pk, month=month)  # fmt: skip

    return _issue
