"""Pricing an order with vouchers: the facts gathered, the rules applied, nothing written.

Used by the hold (with ``lock=True``, inside the order's transaction) and by the quote
(without locks). The rows read are the vouchers' own; the order's are already locked by
booking when the hold runs.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, DomainError, Invalid, NotFound
from vouchers.facts import order_facts, spending_group_voucher_ids, year_used_fen
from vouchers.ledger import vouchers_lock
from vouchers.models import ProgrammeBlock, Voucher
from vouchers.rules import Refusal, Split, VoucherFacts, refusal_text, rules_parse, split


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


def price_order(
    *, voucher_ids: list[int], order_kind: str, item_id: int, firm_id: int, fee_fen: int,
    at, lock: bool,
) -> tuple[Split, object]:  # fmt: skip
    """The split of ``fee_fen`` over the firm's ``voucher_ids`` (in the firm's order) and
    the programme; with ``lock`` the vouchers' rows (and, under a yearly cap, all of the
    spending group's vouchers of the programme) are locked first, in ascending id."""
    chosen = list(dict.fromkeys(voucher_ids))
    found = {v.pk: v for v in Voucher.objects.select_related("programme")
             .filter(pk__in=chosen, firm_id=firm_id)}  # fmt: skip
    missing = [pk for pk in chosen if pk not in found]
    if missing:
        raise NotFound(refusal_text("voucher_not_found"), code="voucher_not_found",
                       fields={"vouchers": [refusal_text("voucher_not_found")]},
                       data={"voucher": missing[0]})  # fmt: skip
    programmes = {v.programme_id for v in found.values()}
    if len(programmes) > 1:
        raise refusal_error(Refusal(chosen[-1], "voucher_not_applicable", "mixed_programmes"))
    programme = found[chosen[0]].programme
    rules = rules_parse(programme.rules)
    if lock:
        group = spending_group_voucher_ids(rules, programme.pk, firm_id)
        locked = vouchers_lock([*chosen, *group])
        found = {pk: locked[pk] for pk in chosen}
        programme = found[chosen[0]].programme
        rules = rules_parse(programme.rules)  # as it is now that the rows are locked
    facts = order_facts(order_kind=order_kind, item_id=item_id, firm_id=firm_id,
                        fee_fen=fee_fen, programme=programme)  # fmt: skip
    blocked_refuse(programme.pk, (firm_id, facts.provider_id), chosen[0])
    result = split(
        rules, facts,
        [VoucherFacts(pk, found[pk].available_fen, found[pk].expires_at) for pk in chosen],
        programme_status=programme.status,
        year_used_fen=year_used_fen(rules, programme.pk, firm_id, at), now=at,
    )  # fmt: skip
    return result, (programme, found)
