"""What vouchers pay of orders: a quote before the order, and the payment of placed ones."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.scoping import Scope
from booking.order_events import OrderKind
from config.errors import DomainError, NotFound
from facilities.models import Instrument
from vouchers.models import OrderVoucherHold, Voucher
from vouchers.pricing import price_order
from vouchers.rules import trace_text, trace_texts


def trace_out(
    trace: list[dict[str, Any]], texts: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """A trace with each step's sentence, for the API and the pages (``texts``: the
    templates of the active language, when the caller renders several traces)."""
    if texts is None:
        texts = trace_texts()
    return [{**step, "text": trace_text(step, texts)} for step in trace]


def _require_may_quote(actor: User, firm_id: int, order_kind: str, item_id: int) -> None:
    """The firm's own members, or a lab manager of the booked instrument's provider booking
    on the firm's behalf (booking.services.lab_actions); NotFound otherwise."""
    scope = Scope.for_user(actor)
    if scope.can_act_for_firm(firm_id):
        return
    if order_kind == OrderKind.BOOKING and scope.can_manage_provider(
        Instrument.objects.filter(pk=item_id).values_list("provider_id", flat=True).first() or 0
    ):
        return
    raise NotFound(code="firm_not_found")


def order_quote(
    *, actor: User, firm_id: int, voucher_ids: list[int], order_kind: str, item_id: int,
    fee_fen: int,
) -> dict[str, Any]:  # fmt: skip
    """What ``voucher_ids`` would pay of an order of ``fee_fen`` (nothing is held): the
    split, its lines with their traces, and each refusal with its reason. Raises
    NotFound when the firm is not the actor's (nor booked for by the instrument's lab
    manager) or a voucher is not the firm's."""
    _require_may_quote(actor, firm_id, order_kind, item_id)
    lines, refusals, voucher_fen = [], [], 0
    if voucher_ids:
        result, _ = price_order(voucher_ids=voucher_ids, order_kind=order_kind, item_id=item_id,
                                firm_id=firm_id, fee_fen=fee_fen, at=timezone.now(), lock=False)  # fmt: skip
        voucher_fen = result.voucher_fen
        lines = [{"voucher": ln.voucher_id, "amount_fen": ln.amount_fen, "trace": trace_out(ln.trace)}
                 for ln in result.lines]  # fmt: skip
        refusals = [{"voucher": r.voucher_id, "code": r.error, "reason": r.reason, "detail": r.message}
                    for r in result.refusals]  # fmt: skip
    return {"fee_fen": fee_fen, "voucher_fen": voucher_fen, "firm_fen": fee_fen - voucher_fen,
            "lines": lines, "refusals": refusals}  # fmt: skip


def voucher_options(
    *, actor: User, firm_id: int, order_kind: str, item_id: int, fee_fen: int
) -> list[dict[str, Any]]:
    """Each live voucher of the firm with what it alone would pay of this order and why,
    or why it cannot (for the booking page's picker, and the lab's booking for a firm)."""
    _require_may_quote(actor, firm_id, order_kind, item_id)
    options = []
    live = Voucher.objects.filter(
        firm_id=firm_id, expires_at__gt=timezone.now(), available_fen__gt=0
    )
    for voucher in live.select_related("programme").order_by("expires_at", "pk"):
        try:
            quote = order_quote(actor=actor, firm_id=firm_id, voucher_ids=[voucher.pk],
                                order_kind=order_kind, item_id=item_id, fee_fen=fee_fen)  # fmt: skip
        except DomainError as exc:
            quote = {"voucher_fen": 0, "lines": [], "refusals": [
                {"voucher": voucher.pk, "code": exc.code, "reason": exc.code, "detail": str(exc.message)}]}  # fmt: skip
        options.append({"voucher": voucher, "amount_fen": quote["voucher_fen"],
                        "lines": quote["lines"], "refusals": quote["refusals"]})  # fmt: skip
    return options


# The holds an order's creation just wrote, kept on the order instance by the vouchers
# subscriber (vouchers.services.order_money) so the creation's response does not read back
# what the same transaction wrote; dropped on the order's next event (its holds move).
_KNOWN = "_voucher_payment_lines"


def payment_known(order, lines: list[dict[str, Any]]) -> None:
    """Record on ``order`` (just created) its payment lines, as ``payments_read`` builds
    them but with the raw trace."""
    if order is not None:
        order.__dict__[_KNOWN] = lines


def payment_forget(order) -> None:
    if order is not None:
        order.__dict__.pop(_KNOWN, None)


def payments_read(order_kind: str, orders: list) -> dict[int, dict[str, Any]]:
    """The payment of each order in one query for the whole page (none for orders whose
    creation in this request said what they hold): fee (or quote), the voucher part (held
    while open, captured once completed), the firm's part, and a line per voucher with its
    amount and rule trace. Registered as booking's payment reader."""
    holds = defaultdict(list)
    ids = [o.pk for o in orders if _KNOWN not in o.__dict__]
    rows = OrderVoucherHold.objects.filter(order_kind=order_kind, order_id__in=ids).select_related(
        "voucher"
    ).order_by("order_id", "voucher_id") if ids else ()  # fmt: skip
    for hold in rows:
        holds[hold.order_id].append({
            "voucher": hold.voucher_id, "voucher_code": hold.voucher.code, "state": hold.state,
            "held_fen": hold.held_fen, "amount_fen": hold.spent_fen, "trace": hold.trace,
        })  # fmt: skip
    result, texts = {}, None
    for order in orders:
        fee = order.fee_fen if order.fee_fen is not None else order.quote_fen
        known = order.__dict__.get(_KNOWN)
        lines = known if known is not None else holds.get(order.pk, [])
        if lines and texts is None:
            texts = trace_texts()  # once per page, not per step
        lines = [{**line, "trace": trace_out(line["trace"], texts)} for line in lines]
        voucher_fen = sum(line["amount_fen"] for line in lines)
        result[order.pk] = {"fee_fen": fee, "voucher_fen": voucher_fen,
                            "firm_fen": fee - voucher_fen, "lines": lines}  # fmt: skip
    return result
