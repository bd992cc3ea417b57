"""What an order's payment looks like, without booking knowing about vouchers.

The vouchers app registers one *payment reader* in its ``ready()``: a function that,
given an order kind and a page of orders, returns each order's payment in a fixed number
of queries (one call per page, never one per order). Without a reader an order is paid
entirely by the firm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

PaymentReader = Callable[[str, list], dict[int, dict[str, Any]]]

_reader: list[PaymentReader] = []


def payment_reader_register(reader: PaymentReader) -> None:
    """Install ``reader`` (registering again replaces it: a re-run ``ready()`` is harmless)."""
    _reader[:] = [reader]


def _unpaid(order) -> dict[str, Any]:
    fee = order.fee_fen if order.fee_fen is not None else order.quote_fen
    return {"fee_fen": fee, "voucher_fen": 0, "firm_fen": fee, "lines": []}


def payments_for(order_kind: str, orders: Sequence) -> dict[int, dict[str, Any]]:
    """``{order id: payment}`` for ``orders`` (``order_kind`` "booking" or "service_request")."""
    orders = list(orders)
    if not orders:
        return {}
    if not _reader:
        return {o.pk: _unpaid(o) for o in orders}
    return _reader[0](order_kind, orders)


# ---- moves ---------------------------------------------------------------------------
# A booking moved to another instrument keeps its voucher hold (docs/booking-series.md);
# whether the held vouchers still pay there is the vouchers app's decision. It registers
# one *move check* in its ``ready()``: given the order kind, the order (before the move)
# and the item it moves to, it raises a domain error when what pays for the order would
# not pay there. Booking calls it inside the move's transaction, under its locks.

MoveCheck = Callable[..., None]

_move_check: list[MoveCheck] = []


def move_check_register(check: MoveCheck) -> None:
    """Install ``check`` (registering again replaces it)."""
    _move_check[:] = [check]


def payment_move_check(order_kind: str, order, *, item_id: int, fee_fen: int) -> None:
    """Raise the vouchers' error if the order's payment does not follow it to ``item_id``
    (at ``fee_fen``); nothing without a registered check."""
    for check in _move_check:
        check(order_kind, order, item_id=item_id, fee_fen=fee_fen)


# ---- quotes --------------------------------------------------------------------------
# What chosen vouchers would pay of an order not yet placed (the split shown before a
# booking is confirmed): the vouchers app registers its quote in ``ready()``; booking's
# API calls it for the lab's booking on a firm's behalf.

QuoteReader = Callable[..., dict[str, Any]]

_quote: list[QuoteReader] = []


def payment_quote_register(reader: QuoteReader) -> None:
    """Install ``reader`` (registering again replaces it)."""
    _quote[:] = [reader]


def payment_quote(
    *, actor, firm_id: int, voucher_ids: Sequence[int], order_kind: str, item_id: int,
    fee_fen: int,
) -> dict[str, Any]:  # fmt: skip
    """The split of ``fee_fen`` over ``voucher_ids`` ({fee_fen, voucher_fen, firm_fen, lines,
    refusals}); without a registered reader (or vouchers) the firm pays all."""
    if not _quote or not voucher_ids:
        return {"fee_fen": fee_fen, "voucher_fen": 0, "firm_fen": fee_fen, "lines": [],
                "refusals": []}  # fmt: skip
    return _quote[0](actor=actor, firm_id=firm_id, voucher_ids=list(voucher_ids),
                     order_kind=order_kind, item_id=item_id, fee_fen=fee_fen)  # fmt: skip
