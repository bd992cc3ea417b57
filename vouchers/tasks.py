"""Celery beat: expire the unused balances of expired vouchers (never a live hold)."""

from __future__ import annotations

from celery import shared_task

from vouchers.services.balances import voucher_expire, vouchers_due_for_expiry


@shared_task
def expire_vouchers() -> int:
    """Expire each due voucher in its own short transaction; returns the count expired."""
    return sum(1 for pk in vouchers_due_for_expiry() if voucher_expire(voucher_id=pk))
