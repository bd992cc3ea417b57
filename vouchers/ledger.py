"""The only code that moves a voucher's money: one LedgerEntry and one update of the
voucher row per movement, in the caller's transaction, with the voucher row already
locked by the caller (``vouchers_lock``). The voucher's check constraints are the last
word: a movement that would make a balance negative fails rather than stores it.

    movement  available  held  captured  expired
    hold         −x       +x
    release      +x       −x
    capture               −x      +x
    expire       −x                         +x
    reverse      +x               −x
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from vouchers.models import LedgerEntry, Voucher

K = LedgerEntry.Kind
DELTAS: dict[str, dict[str, int]] = {
    K.HOLD: {"available_fen": -1, "held_fen": +1},
    K.RELEASE: {"available_fen": +1, "held_fen": -1},
    K.CAPTURE: {"held_fen": -1, "captured_fen": +1},
    K.EXPIRE: {"available_fen": -1, "expired_fen": +1},
    K.REVERSE: {"available_fen": +1, "captured_fen": -1},
}


def vouchers_lock(voucher_ids: Iterable[int]) -> dict[int, Voucher]:
    """Lock the vouchers' rows in ascending id (the fixed order: two orders spending the
    same two vouchers cannot deadlock) and return them, programme joined, by id."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Lock vouchers inside a transaction.")
    rows = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("programme")
        .filter(pk__in=sorted(set(voucher_ids)))
        .order_by("pk")
    )
    return {v.pk: v for v in rows}


def ledger_move(
    voucher: Voucher,
    *,
    kind: str,
    amount_fen: int,
    actor_id: int | None = None,
    order_kind: str = "",
    order_id: int | None = None,
    version_id: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> LedgerEntry:
    """Move ``amount_fen`` (> 0) of ``voucher`` (locked) and record it. Updates the
    instance too, so a caller moving the same voucher twice sees the new balances."""
    if amount_fen <= 0:
        raise ValueError("a movement moves a positive amount")
    deltas = DELTAS[kind]
    Voucher.objects.filter(pk=voucher.pk).update(
        **{name: F(name) + sign * amount_fen for name, sign in deltas.items()}
    )
    for name, sign in deltas.items():
        setattr(voucher, name, getattr(voucher, name) + sign * amount_fen)
    return LedgerEntry.objects.create(
        voucher=voucher,
        kind=kind,
        amount_fen=amount_fen,
        actor_id=actor_id,
        order_kind=order_kind,
        order_id=order_id,
        programme_version_id=version_id,
        note=note[:300],
        at=at or timezone.now(),
    )


def ledger_issue(voucher: Voucher, *, actor_id: int | None, version_id, note="") -> LedgerEntry:
    """The first entry of a voucher just inserted with its whole face value available."""
    return LedgerEntry.objects.create(
        voucher=voucher,
        kind=K.ISSUE,
        amount_fen=voucher.face_fen,
        actor_id=actor_id,
        programme_version_id=version_id,
        note=note[:300],
        at=voucher.issued_at,
    )
