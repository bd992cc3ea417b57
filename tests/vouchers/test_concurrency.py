"""Invariant 3 under real concurrency: PostgreSQL, real threads, one connection each."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections
from rest_framework.test import APIClient

from booking.models import Booking
from booking.services import bookings as booking_services
from config.errors import DomainError
from tests.factories.accounts import UserFactory, join, make_provider
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory
from tests.vouchers.conftest import YUAN, day_after_tomorrow, ledger_agrees, make_programme
from vouchers.models import LedgerEntry, OrderVoucherHold, Programme, RelatedParty, Voucher
from vouchers.services import issuing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
THREADS = 20


def run_together(jobs):
    """Start every job at once (barrier); each one's result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 (a 500-style failure is what we look for)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_twenty_orders_on_one_voucher_never_overspend_it(reviewer, alice, firm_a):
    programme = make_programme(reviewer)
    voucher = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=firm_a.pk,
                                    amount_fen=1000 * YUAN)  # fmt: skip
    provider = make_provider()
    # One instrument per order: only the voucher's row serialises them.
    instruments = [InstrumentFactory(provider=provider) for _ in range(THREADS)]
    start = at(day_after_tomorrow(), 9)

    def order(instrument):
        def job():
            client = APIClient()
            client.force_authenticate(alice)
            body = {"instrument": instrument.pk, "start": start.isoformat(),
                    "end": (start + dt.timedelta(minutes=90)).isoformat(), "purpose": "XRD",
                    "vouchers": [voucher.pk]}  # fmt: skip
            response = client.post("/api/v1/bookings/", body, format="json")
            return response.status_code, response.json().get("code")

        return job

    results = run_together([order(i) for i in instruments])
    assert all(not isinstance(r, Exception) for r in results), results
    # ¥300 each, all covered: three orders take ¥900, a fourth gets the last ¥100.
    assert sorted(r for r in results if r[0] == 201) == [(201, None)] * 4
    assert [r for r in results if r[0] != 201] == [(409, "voucher_exhausted")] * (THREADS - 4)
    voucher.refresh_from_db()
    assert (voucher.available_fen, voucher.held_fen) == (0, 1000 * YUAN)
    assert sum(OrderVoucherHold.objects.values_list("held_fen", flat=True)) == 1000 * YUAN
    assert Booking.objects.count() == 4
    ledger_agrees(voucher)


def test_reviewers_issuing_at_once_never_exceed_the_budget(reviewer, firm_a, firm_b):
    programme = make_programme(reviewer, budget_yuan=1000)
    department = reviewer.memberships.get().organisation
    colleagues = [reviewer]
    for _ in range(5):
        user = UserFactory()
        join(user, department)
        colleagues.append(user)
    firms = [firm_a, firm_b] * 3

    def issue(user, firm):
        return lambda: issuing.voucher_issue(actor=user, programme_id=programme.pk, firm_id=firm.pk,
                                             amount_fen=300 * YUAN)  # fmt: skip

    results = run_together([issue(u, f) for u, f in zip(colleagues, firms, strict=True)])
    issued = [r for r in results if isinstance(r, Voucher)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(issued) == 3 and len(refused) == 3
    assert {e.code for e in refused} == {"over_budget"}
    assert Programme.objects.get(pk=programme.pk).issued_fen == 900 * YUAN
    assert LedgerEntry.objects.filter(kind="issue").count() == 3


def test_two_completions_of_one_order_capture_once(reviewer, alice, firm_a, manager, instrument):
    programme = make_programme(reviewer)
    voucher = issuing.voucher_issue(actor=reviewer, programme_id=programme.pk, firm_id=firm_a.pk,
                                    amount_fen=1000 * YUAN)  # fmt: skip
    start = at(day_after_tomorrow(), 9)
    booking = booking_services.booking_create(
        actor=alice, firm=firm_a, instrument=instrument, start_at=start,
        end_at=start + dt.timedelta(hours=2), purpose="XRD", voucher_ids=[voucher.pk],
    )  # fmt: skip
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        booking_services.booking_check_in(actor=manager, booking=booking, actual_start_at=start)

    def complete():
        fresh = Booking.objects.get(pk=booking.pk)
        return booking_services.booking_check_out(
            actor=manager, booking=fresh, actual_end_at=start + dt.timedelta(hours=1)
        )

    # The session is logged after it ended (time_machine moves every thread's clock).
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1), tick=False):
        results = run_together([complete, complete])
    assert sum(isinstance(r, Booking) for r in results) == 1
    assert all(isinstance(r, Booking | DomainError) for r in results), results
    assert LedgerEntry.objects.filter(voucher=voucher, kind="capture").count() == 1
    voucher.refresh_from_db()
    assert (voucher.captured_fen, voucher.held_fen) == (200 * YUAN, 0)
    ledger_agrees(voucher)


def test_firms_sharing_a_controller_never_spend_past_the_shared_yearly_cap(
    reviewer, alice, bob, firm_a, firm_b
):
    rules = {"tiers": [{"up_to_fen": None, "ratio_bp": 10_000}], "voucher_valid_days": 90,
             "cap_per_year_fen": 500 * YUAN, "cap_per_controller": True}  # fmt: skip
    programme = make_programme(reviewer, rules=rules)
    vouchers = {
        firm.pk: issuing.voucher_issue(
            actor=reviewer, programme_id=programme.pk, firm_id=firm.pk, amount_fen=500 * YUAN
        )  # fmt: skip
        for firm in (firm_a, firm_b)
    }
    # Declared after the issue, so each firm holds a full year's cap of its own: only the
    # spending side's lock on the whole group keeps the pair within one cap.
    for firm in (firm_a, firm_b):
        RelatedParty.objects.create(organisation=firm, role=RelatedParty.Role.ACTUAL_CONTROLLER,
                                    name="张三", identifier="330102198001011234")  # fmt: skip
    provider = make_provider()
    start = at(day_after_tomorrow(), 9)

    def order(user, firm):
        instrument = InstrumentFactory(provider=provider)

        def job():
            client = APIClient()
            client.force_authenticate(user)
            body = {"instrument": instrument.pk, "start": start.isoformat(),
                    "end": (start + dt.timedelta(minutes=90)).isoformat(), "purpose": "XRD",
                    "vouchers": [vouchers[firm.pk].pk]}  # fmt: skip
            response = client.post("/api/v1/bookings/", body, format="json")
            return response.status_code

        return job

    jobs = [order(alice, firm_a) if i % 2 else order(bob, firm_b) for i in range(10)]
    results = run_together(jobs)
    assert all(r in (201, 409) for r in results), results
    held = OrderVoucherHold.objects.filter(voucher__programme=programme)
    assert sum(held.values_list("held_fen", flat=True)) <= 500 * YUAN
    assert sum(held.values_list("held_fen", flat=True)) >= 300 * YUAN
    for voucher in vouchers.values():
        ledger_agrees(voucher)
