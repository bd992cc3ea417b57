"""Corrections and expiry: the movements no order makes."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from config.errors import Invalid, NotFound
from vouchers.ledger import ledger_move, vouchers_lock
from vouchers.models import LedgerEntry, OrderVoucherHold, Voucher
from vouchers.services.access import programme_for_review

K = LedgerEntry.Kind


def voucher_expire(*, voucher_id: int) -> int:
    """Expire what is still available of an expired voucher (the beat task's unit of work);
    live holds are left alone, to be captured or released with their orders. Returns the
    fen expired (0 when not due or nothing left). Idempotent."""
    now = timezone.now()
    with transaction.atomic():
        voucher = vouchers_lock([voucher_id]).get(voucher_id)
        if voucher is None or voucher.expires_at > now or voucher.available_fen <= 0:
            return 0
        amount = voucher.available_fen
        ledger_move(voucher, kind=K.EXPIRE, amount_fen=amount, at=now)
        return amount


def vouchers_due_for_expiry(limit: int = 1000) -> list[int]:
    """Ids of expired vouchers that still have an available balance."""
    return list(
        Voucher.objects.filter(expires_at__lte=timezone.now(), available_fen__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def capture_reverse(*, actor: User, hold_id: int, amount_fen: int, reason: str) -> LedgerEntry:
    """Give back ``amount_fen`` of a captured hold to its voucher (a correction by the
    issuer's reviewer), as a new ``reverse`` entry; nothing is edited.
    Errors: NotFound, Invalid ``reason_required`` / ``bad_amount``."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Please give a reason."), code="reason_required",
                      fields={"reason": [str(_("Please give a reason."))]})  # fmt: skip
    hold = OrderVoucherHold.objects.select_related("voucher").filter(pk=hold_id).first()
    if hold is None:
        raise NotFound(_("Not found."))
    programme_for_review(actor, hold.voucher.programme_id)
    with transaction.atomic():
        voucher = vouchers_lock([hold.voucher_id])[hold.voucher_id]
        hold = OrderVoucherHold.objects.select_for_update().get(pk=hold_id)
        left = hold.captured_fen - hold.reversed_fen
        if hold.state != OrderVoucherHold.State.CAPTURED or not 0 < amount_fen <= left:
            message = _("Reverse a positive amount, at most what is still captured.")
            raise Invalid(message, code="bad_amount", fields={"amount_fen": [str(message)]})
        hold.reversed_fen += amount_fen
        hold.save(update_fields=["reversed_fen"])
        return ledger_move(voucher, kind=K.REVERSE, amount_fen=amount_fen, actor_id=actor.pk,
                           order_kind=hold.order_kind, order_id=hold.order_id,
                           version_id=hold.programme_version_id, note=reason)  # fmt: skip
