"""A stateful property test: random sequences of issue, hold, release, capture, expire and
reverse, through the real services, against a simple reference model; every invariant is
checked after each step."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from booking.order_events import OrderEvent
from config.errors import DomainError
from tests.factories.facilities import InstrumentFactory
from tests.vouchers.conftest import ledger_agrees, make_programme
from vouchers.models import OrderVoucherHold, Voucher
from vouchers.services import balances, issuing
from vouchers.services.order_money import on_order_event

pytestmark = pytest.mark.django_db
FLAT = {"tiers": [{"up_to_fen": None, "ratio_bp": 10_000}], "voucher_valid_days": 365}


def make_machine(reviewer, firm, instrument, programme):
    class LedgerMachine(RuleBasedStateMachine):
        """Reference: per voucher (available, held, captured, expired); per order its hold."""

        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.model: dict[int, dict[str, int]] = {}
            self.holds: dict[
                int, dict
            ] = {}  # order id → {voucher, held, state, captured, reversed}
            self.next_order = 1

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def event(self, order_id, to, fee, voucher_ids=()):
            return OrderEvent(order_kind="booking", order_id=order_id, from_status="" if voucher_ids else "approved",
                              to_status=to, fee_fen=fee, actor_id=None, at=timezone.now(), firm_id=firm.pk,
                              provider_id=instrument.provider_id, voucher_ids=tuple(voucher_ids),
                              order=SimpleNamespace(instrument_id=instrument.pk))  # fmt: skip

        @rule(amount=st.integers(1, 50_000))
        def issue(self, amount):
            v = issuing.voucher_issue(
                actor=reviewer, programme_id=programme.pk, firm_id=firm.pk, amount_fen=amount
            )
            self.model[v.pk] = {
                "available": amount,
                "held": 0,
                "captured": 0,
                "expired": 0,
                "live": True,
            }

        @precondition(lambda self: self.model)
        @rule(data=st.data(), fee=st.integers(0, 60_000))
        def hold(self, data, fee):
            pk = data.draw(st.sampled_from(sorted(self.model)))
            m, order = self.model[pk], self.next_order
            self.next_order += 1
            want = min(fee, m["available"])
            try:
                with transaction.atomic():
                    on_order_event(self.event(order, "approved", fee, [pk]))
            except DomainError:
                assert want == 0 or not m["live"]
                return
            assert m["live"] and want > 0
            m["available"] -= want
            m["held"] += want
            self.holds[order] = {
                "voucher": pk,
                "held": want,
                "state": "held",
                "captured": 0,
                "reversed": 0,
            }

        def _open(self):
            return sorted(o for o, h in self.holds.items() if h["state"] == "held")

        @precondition(lambda self: any(h["state"] == "held" for h in self.holds.values()))
        @rule(data=st.data())
        def release(self, data):
            order = data.draw(st.sampled_from(self._open()))
            h = self.holds[order]
            with transaction.atomic():
                on_order_event(self.event(order, "cancelled", 0))
            m = self.model[h["voucher"]]
            m["held"] -= h["held"]
            m["available"] += h["held"]
            h["state"] = "released"

        @precondition(lambda self: any(h["state"] == "held" for h in self.holds.values()))
        @rule(data=st.data(), fee=st.integers(0, 60_000), twice=st.booleans())
        def capture(self, data, fee, twice):
            order = data.draw(st.sampled_from(self._open()))
            h = self.holds[order]
            for _ in range(2 if twice else 1):  # a retried completion moves nothing more
                with transaction.atomic():
                    on_order_event(self.event(order, "completed", fee))
            amount = min(fee, h["held"])
            m = self.model[h["voucher"]]
            m["held"] -= h["held"]
            m["captured"] += amount
            m["available"] += h["held"] - amount
            h.update(state="captured", captured=amount)

        @precondition(lambda self: any(m["live"] for m in self.model.values()))
        @rule(data=st.data())
        def expire(self, data):
            pk = data.draw(st.sampled_from(sorted(k for k, m in self.model.items() if m["live"])))
            Voucher.objects.filter(pk=pk).update(
                expires_at=timezone.now() - dt.timedelta(seconds=1)
            )
            balances.voucher_expire(voucher_id=pk)
            m = self.model[pk]
            m["expired"] += m["available"]
            m["available"] = 0
            m["live"] = False

        @precondition(lambda self: any(h["state"] == "captured" and h["captured"] > h["reversed"]
                                       for h in self.holds.values()))  # fmt: skip
        @rule(data=st.data(), part=st.floats(0.01, 1))
        def reverse(self, data, part):
            order = data.draw(st.sampled_from(sorted(
                o for o, h in self.holds.items() if h["state"] == "captured" and h["captured"] > h["reversed"])))  # fmt: skip
            h = self.holds[order]
            amount = max(1, int((h["captured"] - h["reversed"]) * part))
            hold = OrderVoucherHold.objects.get(order_id=order, voucher_id=h["voucher"])
            balances.capture_reverse(
                actor=reviewer, hold_id=hold.pk, amount_fen=amount, reason="更正"
            )
            h["reversed"] += amount
            m = self.model[h["voucher"]]
            m["captured"] -= amount
            m["available"] += amount
            if not m["live"]:  # an expired voucher's returned money expires at the next sweep
                balances.voucher_expire(voucher_id=h["voucher"])
                m["expired"] += m["available"]
                m["available"] = 0

        @invariant()
        def rows_equal_model_and_ledger(self):
            for pk, m in self.model.items():
                v = Voucher.objects.get(pk=pk)
                assert (v.available_fen, v.held_fen, v.captured_fen, v.expired_fen) == (
                    m["available"], m["held"], m["captured"], m["expired"])  # fmt: skip
                ledger_agrees(v)
                open_held = sum(
                    h["held"]
                    for h in self.holds.values()
                    if h["voucher"] == pk and h["state"] == "held"
                )
                assert v.held_fen == open_held

    return LedgerMachine


def test_ledger_state_machine(reviewer, firm_a, provider):
    programme = make_programme(reviewer, rules=FLAT, budget_yuan=10_000_000)
    machine = make_machine(reviewer, firm_a, InstrumentFactory(provider=provider), programme)
    machine.TestCase.settings = settings(
        max_examples=25, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )  # fmt: skip
    machine.TestCase().runTest()
