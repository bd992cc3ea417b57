"""An actual controller declared while orders of the group are being placed is serialised
with them: under a per-controller yearly cap no order prices with the group as it was
before the declaration and commits after it (PostgreSQL, real threads)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from tests.factories.accounts import make_provider
from tests.factories.booking import at
from tests.factories.facilities import InstrumentFactory
from tests.vouchers.conftest import YUAN, day_after_tomorrow, ledger_agrees, make_programme
from vouchers import pricing
from vouchers.models import OrderVoucherHold, RelatedParty
from vouchers.services import issuing, parties

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
CONTROLLER = "330102198001011234"
# 100% of the fee, ¥700 a year for all the firms of one actual controller.
RULES = {"tiers": [{"up_to_fen": None, "ratio_bp": 10_000}], "voucher_valid_days": 90,
         "cap_per_year_fen": 700 * YUAN, "cap_per_controller": True}  # fmt: skip


class Gate:
    """Wraps a function: each call runs it, then waits (up to 20 s) until opened."""

    def __init__(self, fn):
        self.fn, self.arrived, self.opened = fn, threading.Semaphore(0), threading.Event()

    def __call__(self, *args, **kwargs):
        result = self.fn(*args, **kwargs)
        self.arrived.release()
        self.opened.wait(20)
        return result

    def wait_for(self, n: int) -> None:
        for _ in range(n):
            assert self.arrived.acquire(timeout=20), "an order never reached the gate"


def in_thread(job) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def run():
        try:
            out["result"] = job()
        except Exception as exc:  # noqa: BLE001 (reported by the assertions)
            out["result"] = exc
        finally:
            out["done_at"] = time.monotonic()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@pytest.fixture
def group(reviewer, alice, bob, firm_a, firm_b):
    """firm_a has declared the controller and already spent ¥200 of the year's ¥700;
    firm_b has not declared it yet. Each holds a ¥700 voucher."""
    programme = make_programme(reviewer, rules=RULES)
    vouchers = {firm.pk: issuing.voucher_issue(actor=reviewer, programme_id=programme.pk,
                                               firm_id=firm.pk, amount_fen=700 * YUAN)
                for firm in (firm_a, firm_b)}  # fmt: skip
    RelatedParty.objects.create(organisation=firm_a, role=RelatedParty.Role.ACTUAL_CONTROLLER,
                                name="张三", identifier=CONTROLLER)  # fmt: skip
    provider = make_provider()
    start = at(day_after_tomorrow(), 9)

    def order(user, firm, minutes):
        instrument = InstrumentFactory(provider=provider)  # ¥200 an hour

        def job():
            client = APIClient()
            client.force_authenticate(user)
            body = {"instrument": instrument.pk, "start": start.isoformat(),
                    "end": (start + dt.timedelta(minutes=minutes)).isoformat(),
                    "purpose": "XRD", "vouchers": [vouchers[firm.pk].pk]}  # fmt: skip
            response = client.post("/api/v1/bookings/", body, format="json")
            return response.status_code, response.json().get("payment", {}).get("voucher_fen")

        return job

    assert order(alice, firm_a, 60)() == (201, 200 * YUAN)
    declare = lambda: parties.related_party_declare(  # noqa: E731
        actor=bob, organisation_id=firm_b.pk, role="actual_controller", name="张三",
        identifier=CONTROLLER)  # fmt: skip
    return programme, vouchers, order, declare


def group_spent(programme) -> int:
    return sum(OrderVoucherHold.objects.filter(voucher__programme=programme)
               .values_list("held_fen", flat=True))  # fmt: skip


def test_orders_racing_a_declaration_stay_within_the_shared_cap(group, alice, bob, firm_a,
                                                                 firm_b, monkeypatch):  # fmt: skip
    """Both orders have locked their vouchers when firm_b declares the controller; then
    both price. Before the fix each read its group before the locks (firm_a alone, firm_b
    alone), counted the group's spending as of after the declaration, and both passed."""
    programme, vouchers, order, declare = group
    # The vouchers were locked by the booking's INSERT (the hold's creation read); the
    # gate holds each order just after, where the hold takes the locked rows.
    gate = Gate(pricing.locked_from_rows)
    monkeypatch.setattr(pricing, "locked_from_rows", gate)
    a = in_thread(order(alice, firm_a, 90))
    b = in_thread(order(bob, firm_b, 90))
    gate.wait_for(2)
    d = in_thread(declare)
    d[0].join(10)
    gate.opened.set()
    for thread, _out in (a, b, d):
        thread.join(60)
    assert isinstance(d[1]["result"], RelatedParty), d[1]
    results = sorted([a[1]["result"], b[1]["result"]])
    assert all(status == 201 for status, _fen in results), results
    # One order pays ¥300; the other, seeing it, pays what is left of the ¥700: ¥200.
    assert [fen for _s, fen in results] == [200 * YUAN, 300 * YUAN]
    assert group_spent(programme) == 700 * YUAN
    for voucher in vouchers.values():
        ledger_agrees(voucher)


def test_a_declaration_waits_for_an_order_being_priced(group, bob, firm_b, monkeypatch):
    """firm_b's order is between its reads and its hold: the declaration that would change
    its group waits for it (before the fix it committed at once, under the order's feet)."""
    programme, vouchers, order, declare = group
    gate = Gate(pricing.split)
    monkeypatch.setattr(pricing, "split", gate)
    b = in_thread(order(bob, firm_b, 90))
    gate.wait_for(1)
    d = in_thread(declare)
    d[0].join(1.0)
    declared_while_pricing = not d[0].is_alive()
    gate.opened.set()
    for thread, _out in (b, d):
        thread.join(60)
    assert not declared_while_pricing, "the declaration did not wait for the order"
    assert b[1]["result"] == (201, 300 * YUAN)
    assert isinstance(d[1]["result"], RelatedParty), d[1]
    assert group_spent(programme) == 500 * YUAN
    # After the declaration the group shares the cap: firm_a has ¥200 left of it.
    order_after = order(bob, firm_b, 120)()
    assert order_after == (201, 200 * YUAN)
    for voucher in vouchers.values():
        ledger_agrees(voucher)
