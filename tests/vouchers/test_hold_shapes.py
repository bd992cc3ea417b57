"""The hold's two statements come in two shapes on PostgreSQL (issue 11's speed): one
voucher with scalar parameters (the common case), several with arrays. Both lock the same
rows, write the same ledger entry, hold and balances, and are refused by the same
constraints."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.vouchers.conftest import YUAN, ledger_agrees
from vouchers import ledger
from vouchers.models import LedgerEntry, OrderVoucherHold

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the two shapes are PostgreSQL's"),
]
TRACE = [{"step": "coverage", "amount_fen": 300 * YUAN}, {"step": "balance", "available_fen": 1}]


def hold(voucher, order_id, amount, *, one, trace=TRACE):
    """Lock ``voucher`` and hold ``amount`` of it for booking ``order_id`` in the given shape."""
    lock_params = {"firm": voucher.firm_id, "item": 0}
    lock_params |= {"id": voucher.pk} if one else {"ids": [voucher.pk]}
    sql = ledger._lock_sql(True, "booking", one=one)
    locked, _facts = ledger._locked(sql, lock_params, hold=True)
    real = ledger._holds_statement

    def forced(lines, params, **_kwargs):
        return real(lines, params, one=one)

    lines = [(voucher.pk, amount, trace)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ledger, "_holds_statement", forced)
        ledger.holds_place(locked, lines, order_kind="booking", order_id=order_id,
                           version_id=voucher.programme.current_version_id, actor_id=None,
                           at=timezone.now())  # fmt: skip
    return locked[voucher.pk]


def test_one_voucher_and_the_array_shape_write_the_same(issue, firm_a):
    one_v, many_v = issue(firm_a), issue(firm_a)
    with transaction.atomic():
        after_one = hold(one_v, 9001, 300 * YUAN, one=True)
        after_many = hold(many_v, 9002, 300 * YUAN, one=False)
    assert (after_one.available_fen, after_one.held_fen) == (700 * YUAN, 300 * YUAN)
    assert (after_many.available_fen, after_many.held_fen) == (700 * YUAN, 300 * YUAN)

    def written(voucher):
        voucher.refresh_from_db()
        entry = LedgerEntry.objects.get(voucher=voucher, kind="hold")
        h = OrderVoucherHold.objects.get(voucher=voucher)
        return (
            (voucher.available_fen, voucher.held_fen, voucher.captured_fen),
            (entry.amount_fen, entry.order_kind, entry.programme_version_id, entry.actor_id,
             entry.note),
            (h.order_kind, h.held_fen, h.captured_fen, h.reversed_fen, h.state, h.trace,
             h.programme_version_id, h.settled_at),
        )  # fmt: skip

    assert written(one_v) == written(many_v)
    assert OrderVoucherHold.objects.get(voucher=one_v).trace == TRACE
    assert LedgerEntry.objects.get(voucher=one_v, kind="hold").order_id == 9001
    ledger_agrees(one_v)
    ledger_agrees(many_v)


def test_the_lock_shapes_read_the_same(voucher, firm_a, firm_b, instrument):
    """Both shapes of the hold's lock read the same vouchers, columns and facts; the
    hold's lock selects only the hold's columns and defers the rest."""
    with transaction.atomic():
        params = {"firm": firm_a.pk, "item": instrument.pk}
        one, one_facts = ledger._locked(ledger._lock_sql(True, "booking", one=True),
                                        {**params, "id": voucher.pk}, hold=True)  # fmt: skip
        many, many_facts = ledger._locked(ledger._lock_sql(True, "booking", one=False),
                                          {**params, "ids": [voucher.pk]}, hold=True)  # fmt: skip
        assert list(one) == list(many) == [voucher.pk]
        assert one_facts == many_facts and one_facts is not None
        a, b = one[voucher.pk], many[voucher.pk]
        for name in ledger.HOLD_VOUCHER_FIELDS:
            assert getattr(a, name) == getattr(b, name) == getattr(voucher, name), name
        for name in ledger.HOLD_PROGRAMME_FIELDS:
            assert getattr(a.programme, name) == getattr(voucher.programme, name), name
        assert a.get_deferred_fields() == {"application_id", "issued_at"}
        assert "description" in a.programme.get_deferred_fields()
        with CaptureQueriesContext(connection) as reads:  # a deferred field still reads
            assert a.issued_at == voucher.issued_at
        assert len(reads.captured_queries) == 1
        # another firm's voucher: neither locked nor read, in both shapes
        assert ledger._locked(ledger._lock_sql(True, "booking", one=True),
                              {**params, "firm": firm_b.pk, "id": voucher.pk}, hold=True) == ({}, None)  # fmt: skip
        assert ledger.vouchers_lock([voucher.pk], firm_id=firm_b.pk) == {}
        assert list(ledger.vouchers_lock([voucher.pk])) == [voucher.pk]
        assert not ledger.vouchers_lock([voucher.pk])[voucher.pk].get_deferred_fields()


@pytest.mark.parametrize("one", [True, False])
def test_both_shapes_refuse_a_negative_balance(issue, firm_a, one):
    voucher = issue(firm_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        hold(voucher, 9003, 1_000 * YUAN + 1, one=one)
    voucher.refresh_from_db()
    assert (voucher.available_fen, voucher.held_fen) == (1_000 * YUAN, 0)
    assert not LedgerEntry.objects.filter(voucher=voucher, kind="hold").exists()
    ledger_agrees(voucher)


@pytest.mark.parametrize("one", [True, False])
def test_both_shapes_hold_once_per_order_and_voucher(issue, firm_a, one):
    voucher = issue(firm_a)
    with transaction.atomic():
        hold(voucher, 9004, 100 * YUAN, one=one)
    with pytest.raises(IntegrityError), transaction.atomic():
        hold(voucher, 9004, 100 * YUAN, one=one)
    voucher.refresh_from_db()
    assert (voucher.available_fen, voucher.held_fen) == (900 * YUAN, 100 * YUAN)
    assert OrderVoucherHold.objects.filter(voucher=voucher).count() == 1
    ledger_agrees(voucher)


def _shapes_seen(monkeypatch) -> list[bool]:
    """The ``one`` of every holds statement the booking path builds, in order."""
    seen = []
    real = ledger._holds_statement

    def spy(lines, params, *, one):
        seen.append(one)
        return real(lines, params, one=one)

    monkeypatch.setattr(ledger, "_holds_statement", spy)
    return seen


def test_a_booking_with_one_voucher_uses_the_scalar_shape(book, voucher, monkeypatch):
    """The booking path picks the scalar statements for one voucher (and they hold)."""
    seen = _shapes_seen(monkeypatch)
    booking = book([voucher], start_hour=9, hours=1)
    assert seen == [True]
    assert OrderVoucherHold.objects.get(order_id=booking.pk).held_fen == 200 * YUAN
    ledger_agrees(voucher)


def test_a_booking_with_two_vouchers_uses_the_array_shape(book, issue, firm_a, monkeypatch):
    """Two vouchers of one programme: the array statements, the first voucher's balance
    limiting it and the second paying the rest of the ¥550 covered."""
    small, big = issue(firm_a, yuan=300), issue(firm_a)
    seen = _shapes_seen(monkeypatch)
    booking = book([small, big], start_hour=9, hours=3)
    assert seen == [False]
    holds = {h.voucher_id: h.held_fen for h in OrderVoucherHold.objects.filter(order_id=booking.pk)}
    assert holds == {small.pk: 300 * YUAN, big.pk: 250 * YUAN}
    ledger_agrees(small)
    ledger_agrees(big)
