"""Celery tasks of the waitlist: thin, idempotent."""

from celery import shared_task

from booking.services.waitlist import waitlist_expire_offers

__all__ = ["expire_waitlist_offers"]


@shared_task(name="booking.tasks.expire_waitlist_offers")
def expire_waitlist_offers() -> int:
    """Offers whose claim window passed; a second run finds nothing left to expire."""
    return waitlist_expire_offers()
