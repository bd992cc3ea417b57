"""The money of completed orders as it stands now: the fee from the order, the voucher part
from the vouchers ledger's holds (captured less reversed, which is what the ledger's capture
and reverse entries of the order add up to). Statements freeze these numbers; a later
difference between the two becomes a correction line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, Sum

from booking.models import Booking, ServiceRequest
from vouchers.models import OrderVoucherHold

OrderKey = tuple[str, int]
ORDER_MODELS = {"booking": Booking, "service_request": ServiceRequest}


def orders_money(keys: Iterable[OrderKey]) -> dict[OrderKey, tuple[int, int]]:
    """``{(order kind, id): (fee, voucher part)}`` in at most four queries for any number of
    orders. Only captured holds count: a completed order's open holds were settled."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, pk in keys:
        by_kind[kind].add(pk)
    fees: dict[OrderKey, int] = {}
    vouchers: dict[OrderKey, int] = defaultdict(int)
    for kind, ids in by_kind.items():
        rows = ORDER_MODELS[kind].objects.filter(pk__in=ids).values_list("pk", "fee_fen")
        fees.update({(kind, pk): fee or 0 for pk, fee in rows})
        spent = (
            OrderVoucherHold.objects.filter(
                order_kind=kind, order_id__in=ids, state=OrderVoucherHold.State.CAPTURED
            )
            .values_list("order_id")
            .annotate(s=Sum(F("captured_fen") - F("reversed_fen")))
        )
        for order_id, total in spent:
            vouchers[(kind, order_id)] = total or 0
    return {key: (fee, vouchers.get(key, 0)) for key, fee in fees.items()}
