"""Pricing an order with vouchers: the facts gathered, the rules applied, nothing written.

Used by the hold (with ``lock=True``, inside the order's transaction) and by the quote
(without locks). The rows read are the vouchers' own; the order's are already locked by
booking when the hold runs.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booking.order_events import OrderKind
from config.errors import Conflict, DomainError, Invalid, NotFound
from vouchers.facts import facts_of_row, order_facts_row, spending_group_firm_ids
from vouchers.ledger import (
    locked_from_rows,
    party_lock,
    programme_rules,
    spend_lock,
    vouchers_lock_facts,
)
from vouchers.models import ProgrammeBlock, Voucher
from vouchers.rules import Refusal, Split, VoucherFacts, refusal_text, split


def refusal_error(refusal: Refusal) -> DomainError:
    """The order's error for a voucher that cannot pay: 409 voucher_expired /
    voucher_exhausted, 400 voucher_not_applicable, with the reason in words and as data."""
    cls = Invalid if refusal.error == "voucher_not_applicable" else Conflict
    message = refusal.message
    return cls(message, code=refusal.error, fields={"vouchers": [message]},
               data={"voucher": refusal.voucher_id, "reason": refusal.reason})  # fmt: skip


def blocked_refuse(programme_id: int, organisation_ids, voucher_id: int) -> None:
    """Refuse (400 voucher_not_applicable, reason ``blocked``) when an audit finding barred
    the firm or the provider from the programme (vouchers.services.audits)."""
    if ProgrammeBlock.objects.filter(programme_id=programme_id,
                                     organisation_id__in=organisation_ids).exists():  # fmt: skip
        message = _("An audit finding bars this firm or provider from the programme.")
        raise Invalid(message, code="voucher_not_applicable", fields={"vouchers": [str(message)]},
                      data={"voucher": voucher_id, "reason": "blocked"})  # fmt: skip


def _not_found(missing: int) -> NotFound:
    return NotFound(refusal_text("voucher_not_found"), code="voucher_not_found",
                    fields={"vouchers": [refusal_text("voucher_not_found")]},
                    data={"voucher": missing})  # fmt: skip


def price_order(
    *, voucher_ids: list[int], order_kind: str, item_id: int, firm_id: int, fee_fen: int,
    at, lock: bool, read: tuple | None = None,
) -> tuple[Split, object]:  # fmt: skip
    """The split of ``fee_fen`` over the firm's ``voucher_ids`` (in the firm's order) and
    the programme. With ``lock`` (the hold, on the booking hot path) the chosen vouchers
    are locked (ascending id) with their programme, and on PostgreSQL the order's facts and
    audit block read in the same statement: without a yearly cap that is all it reads (one
    statement). Under a yearly cap it then takes the spending lock of the firm (or its
    controller group, whose membership the party lock holds still) and reads facts, audit
    block and the year's spending again, after those locks, in one statement. ``read``:
    the rows of that lock statement when the order's INSERT already ran it (the hold's
    creation read, ``vouchers.ledger.lock_facts_read``)."""
    chosen = list(dict.fromkeys(voucher_ids))
    row = None
    if lock and read is not None:
        found, row = locked_from_rows(read)
    elif lock:
        found, row = vouchers_lock_facts(chosen, firm_id=firm_id, item_id=item_id,
                                         service=order_kind != OrderKind.BOOKING)  # fmt: skip
    else:
        found = {v.pk: v for v in Voucher.objects.select_related("programme")
                 .filter(pk__in=chosen, firm_id=firm_id)}  # fmt: skip
    missing = [pk for pk in chosen if pk not in found]
    if missing:
        raise _not_found(missing[0])
    programmes = {v.programme_id for v in found.values()}
    if len(programmes) > 1:
        raise refusal_error(Refusal(chosen[-1], "voucher_not_applicable", "mixed_programmes"))
    programme = found[chosen[0]].programme
    rules = programme_rules(programme)
    if lock and rules.cap_per_year_fen is not None:
        if rules.cap_per_controller:
            party_lock(firm_id, shared=True)
        spend_lock(spending_group_firm_ids(rules, firm_id))
        row = None  # read again after the locks, with the year's spending
    if row is not None:
        facts, blocked, used = facts_of_row(row, order_kind=order_kind, fee_fen=fee_fen,
                                            programme=programme)  # fmt: skip
    else:
        facts, blocked, used = order_facts_row(order_kind=order_kind, item_id=item_id,
                                               firm_id=firm_id, fee_fen=fee_fen,
                                               programme=programme, rules=rules, at=at)  # fmt: skip
    if blocked:
        blocked_refuse(programme.pk, (firm_id, facts.provider_id), chosen[0])
    result = split(
        rules, facts,
        [VoucherFacts(pk, found[pk].available_fen, found[pk].expires_at) for pk in chosen],
        programme_status=programme.status, year_used_fen=used, now=at,
    )  # fmt: skip
    return result, (programme, found)
