"""Paying with vouchers on the booking page and the testing-request form, and the voucher
part shown on placed orders. The amounts and the reasons come from
vouchers.selectors.payments (quote before the order) and booking.payments (placed
orders); these helpers only arrange them for the templates."""

from __future__ import annotations

from typing import Any

from booking.payments import payments_for
from config.errors import DomainError
from vouchers.selectors.payments import order_quote, voucher_options


def chosen_voucher_ids(data) -> list[int]:
    """The vouchers ticked on the form, in the order shown (the firm's order)."""
    return list(dict.fromkeys(int(v) for v in data.getlist("vouchers") if str(v).isdigit()))


def voucher_context(
    *, actor, firm_id: int | None, order_kind: str, item_id: int, fee_fen: int, chosen: list[int]
) -> dict[str, Any]:
    """The firm's live vouchers for this order (what each alone would pay, or why not) and,
    when some are ticked, the split of the fee: each voucher's part with its rule trace,
    the firm's own part, and why a ticked voucher pays nothing."""
    if firm_id is None:
        return {}
    try:
        options = voucher_options(
            actor=actor, firm_id=firm_id, order_kind=order_kind, item_id=item_id, fee_fen=fee_fen
        )
    except DomainError:
        return {}
    by_id = {o["voucher"].pk: o for o in options}
    for option in options:
        option["checked"] = option["voucher"].pk in chosen
        option["usable"] = option["amount_fen"] > 0
    context: dict[str, Any] = {"voucher_options": options}
    chosen = [pk for pk in chosen if pk in by_id]
    if chosen:
        try:
            payment = order_quote(
                actor=actor, firm_id=firm_id, voucher_ids=chosen, order_kind=order_kind,
                item_id=item_id, fee_fen=fee_fen,
            )  # fmt: skip
        except DomainError as exc:
            context["payment_error"] = str(exc.message)
        else:
            for row in (*payment["lines"], *payment["refusals"]):
                row["option"] = by_id.get(row["voucher"])
            context["payment"] = payment
    return context


def payment_of(order_kind: str, order) -> dict[str, Any]:
    """The placed order's payment (fee, voucher part per voucher with its trace, the firm's
    part), as the ledger's holds say."""
    return payments_for(order_kind, [order])[order.pk]


def payments_of(order_kind: str, orders) -> dict[int, dict[str, Any]]:
    """The payments of a page of orders, in one query (no N+1 on busy lists)."""
    return payments_for(order_kind, list(orders))
