"""Claims build on the vouchers fixtures: a province programme, a firm with a voucher, an
instrument of ``provider`` at ¥200/h, and bookings paid partly with the voucher."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from booking.services import bookings as booking_services
from tests.factories.accounts import make_reviewer
from tests.vouchers.conftest import (  # noqa: F401  (fixtures)
    YUAN,
    book,
    department_of,
    instrument,
    issue,
    make_programme,
    programme,
    reviewer,
    voucher,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def pdf(name="invoice.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="proof.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def complete(booking, manager, *, hours=None):
    """Check the booking in and out at its own times (the capture happens then)."""
    start = booking.start_at
    end = start + dt.timedelta(hours=hours) if hours else booking.end_at
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        booking_services.booking_check_in(actor=manager, booking=booking, actual_start_at=start)
    with time_machine.travel(end, tick=False):
        booking_services.booking_check_out(actor=manager, booking=booking, actual_end_at=end)
    return booking


@pytest.fixture
def completed(book, voucher, manager):  # noqa: F811  (fixtures imported above)
    """``completed(n)``: n one-hour bookings (¥200 each, all paid by the voucher), each on
    its own hour of the day after tomorrow, completed."""

    def _completed(n=3, vouchers=None, hours=1, start_hour_from=8):
        return [complete(book(vouchers or [voucher], hours=hours, start_hour=start_hour_from + i),
                         manager) for i in range(n)]  # fmt: skip

    return _completed


@pytest.fixture
def later():
    """``with later():`` travels to a week from now, when the completed bookings' days are
    over (complete the orders first: they are booked relative to today)."""
    return lambda: time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=7), tick=True)


def period():
    """A period that covers the bookings of ``completed`` seen from ``later``."""
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "period_start": today - dt.timedelta(days=10),
        "period_end": today - dt.timedelta(days=1),
    }


@pytest.fixture
def other_reviewer(db):
    return make_reviewer("330200", email="ningbo@example.cn")
