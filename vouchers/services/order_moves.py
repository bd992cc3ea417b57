"""A held booking moved to another instrument: do its vouchers still pay there?

Registered with booking as its move check (``booking.payments.move_check_register`` in
``VouchersConfig.ready``); booking calls it inside the move's transaction, after its own
locks. Only what depends on the item is asked again — the programme's order kinds,
categories, providers, statutory testing, a related party: the rules that decided whether
the programme pays for *this* instrument. The hold itself stays as it was (amount, rules
version: docs/booking-series.md, "Moving a booking"), so nothing is written here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.errors import Invalid
from facilities.models import Instrument
from vouchers.facts import order_facts
from vouchers.models import OrderVoucherHold, Programme
from vouchers.rules import order_refusal, refusal_text, rules_parse

H = OrderVoucherHold.State


def order_move_check(order_kind: str, order, *, item_id: int, fee_fen: int) -> None:
    """Invalid ``voucher_not_applicable_there`` when a voucher held for ``order`` would not
    pay for ``item_id``: the move is refused (the firm keeps its booking and its voucher
    where they are), with the voucher's reason in words and as data."""
    held = list(
        OrderVoucherHold.objects.filter(order_kind=order_kind, order_id=order.pk, state=H.HELD)
        .values_list("voucher_id", "voucher__programme_id")
        .order_by("voucher_id")
    )
    if not held:
        return
    programmes = {p.pk: p for p in Programme.objects.filter(pk__in={p for _v, p in held})}
    for voucher_id, programme_id in held:
        programme = programmes[programme_id]
        facts = order_facts(order_kind=order_kind, item_id=item_id, firm_id=order.firm_id,
                            fee_fen=fee_fen, programme=programme)  # fmt: skip
        # "published": a programme paused since the hold still pays what it held.
        reason = order_refusal(rules_parse(programme.rules), facts, "published")
        if reason:
            name = Instrument.objects.filter(pk=item_id).values_list("name", flat=True).first()
            message = _(
                "The voucher paying for this booking does not cover %(instrument)s: %(why)s "
                "Move it to an instrument the voucher covers, or cancel it and book again "
                "paying the whole fee yourself."
            ) % {"instrument": name, "why": refusal_text(reason)}
            raise Invalid(message, code="voucher_not_applicable_there",
                          fields={"instrument": [str(message)]},
                          data={"voucher": voucher_id, "reason": reason})  # fmt: skip
