"""Voucher money follows its order (the "vouchers.money" order-events subscriber).

    created with voucher_ids   → hold the voucher part (or refuse: the order is not placed)
    rejected, cancelled, no_show → release the holds
    completed                  → capture the part of the actual fee, release the excess

Runs inside the order's transaction, after the order's own locks, and locks the voucher
rows in ascending id (docs/locking.md). Idempotent per (order, voucher): the hold's state
moves by compare-and-set, and ``ledger_once_per_order`` makes a second hold, release or
capture of one order on one voucher a constraint violation, never a second movement.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.order_events import CreationRead, OrderEvent, OrderKind
from vouchers.facts import item_id_of, order_facts
from vouchers.ledger import holds_place, ledger_move, lock_facts_read, vouchers_lock
from vouchers.models import LedgerEntry, OrderVoucherHold
from vouchers.pricing import price_order, refusal_error
from vouchers.rules import capture_split, rules_parse
from vouchers.selectors.payments import payment_forget, payment_known

H = OrderVoucherHold.State
K = LedgerEntry.Kind
RELEASE_ON = frozenset({"rejected", "cancelled", "no_show"})
CAPTURE_ON = frozenset({"completed"})


def on_order_event(event: OrderEvent) -> None:
    if event.is_creation:
        if event.voucher_ids:
            order_hold(event)
        else:
            payment_known(event.order, [])
        return
    payment_forget(event.order)
    if event.to_status in RELEASE_ON:
        order_release(event)
    elif event.to_status in CAPTURE_ON:
        order_capture(event)


def hold_read(
    order_kind: str, firm_id: int, voucher_ids: tuple[int, ...], item_id: int
) -> CreationRead | None:
    """The hold's voucher lock, for booking to run inside the new order's INSERT (the
    creation read, registered in vouchers.apps): the rows ``order_hold`` would lock
    first, locked by that statement after the order's own locks. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return None
    sql, params = lock_facts_read(voucher_ids, firm_id=firm_id, item_id=item_id,
                                  service=order_kind != OrderKind.BOOKING)  # fmt: skip
    return CreationRead(sql, params)


def order_hold(event: OrderEvent) -> None:
    """Hold what each chosen voucher pays of the new order; raise (refusing the order) if
    any chosen voucher cannot pay. The vouchers are locked by the order's INSERT when it
    ran ``hold_read`` (``event.read``), else here."""
    result, (programme, vouchers) = price_order(
        voucher_ids=list(event.voucher_ids), order_kind=event.order_kind,
        item_id=item_id_of(event.order_kind, event.order), firm_id=event.firm_id,
        fee_fen=event.fee_fen, at=event.at, lock=True, read=event.read,
    )  # fmt: skip
    if result.refusals:
        raise refusal_error(result.refusals[0])
    holds_place(vouchers, [(ln.voucher_id, ln.amount_fen, ln.trace) for ln in result.lines],
                order_kind=event.order_kind, order_id=event.order_id,
                version_id=programme.current_version_id, actor_id=event.actor_id, at=event.at)  # fmt: skip
    payment_known(event.order, [
        {"voucher": ln.voucher_id, "voucher_code": vouchers[ln.voucher_id].code, "state": H.HELD,
         "held_fen": ln.amount_fen, "amount_fen": ln.amount_fen, "trace": ln.trace}
        for ln in sorted(result.lines, key=lambda ln: ln.voucher_id)
    ])  # fmt: skip


def _open_holds(event: OrderEvent) -> list[OrderVoucherHold]:
    return list(
        OrderVoucherHold.objects.filter(
            order_kind=event.order_kind, order_id=event.order_id, state=H.HELD
        ).order_by("voucher_id")
    )


def _settle(hold: OrderVoucherHold, *, to: str, captured_fen: int, trace=None) -> bool:
    """Compare-and-set held → ``to``; False when another call settled it first."""
    changes = {"state": to, "captured_fen": captured_fen, "settled_at": timezone.now()}
    if trace is not None:
        changes["trace"] = trace
    updated = OrderVoucherHold.objects.filter(pk=hold.pk, state=H.HELD).update(**changes)
    return updated == 1


def order_release(event: OrderEvent) -> None:
    """Give every open hold of the order back to its voucher."""
    holds = _open_holds(event)
    if not holds:
        return
    vouchers = vouchers_lock(h.voucher_id for h in holds)
    for hold in holds:
        if _settle(hold, to=H.RELEASED, captured_fen=0):
            ledger_move(vouchers[hold.voucher_id], kind=K.RELEASE, amount_fen=hold.held_fen,
                        actor_id=event.actor_id, order_kind=event.order_kind,
                        order_id=event.order_id, version_id=hold.programme_version_id,
                        at=event.at)  # fmt: skip


def order_capture(event: OrderEvent) -> None:
    """Capture the voucher part of the actual fee (``event.fee_fen``) under the rules
    version that priced the holds, never more than held; release the rest."""
    holds = _open_holds(event)
    if not holds:
        return
    vouchers = vouchers_lock(h.voucher_id for h in holds)
    first = holds[0]
    version = first.programme_version
    rules = rules_parse(version.rules)
    facts = order_facts(order_kind=event.order_kind, item_id=item_id_of(event.order_kind, event.order),
                        firm_id=event.firm_id, fee_fen=event.fee_fen,
                        programme=vouchers[first.voucher_id].programme)  # fmt: skip
    parts = capture_split(rules, facts, [(h.pk, h.held_fen) for h in holds])
    for hold, (_pk, amount, trace) in zip(holds, parts, strict=True):
        if not _settle(hold, to=H.CAPTURED, captured_fen=amount, trace=trace):
            continue
        voucher = vouchers[hold.voucher_id]
        common = {"actor_id": event.actor_id, "order_kind": event.order_kind,
                  "order_id": event.order_id, "version_id": hold.programme_version_id,
                  "at": event.at}  # fmt: skip
        if amount:
            ledger_move(voucher, kind=K.CAPTURE, amount_fen=amount, **common)
        if hold.held_fen - amount:
            ledger_move(voucher, kind=K.RELEASE, amount_fen=hold.held_fen - amount,
                        note=str(_("Excess of the hold over the actual fee")), **common)  # fmt: skip
