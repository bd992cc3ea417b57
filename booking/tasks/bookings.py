"""Celery tasks of instrument booking: thin, by id, idempotent."""

from celery import shared_task

from booking.services.announcements import BATCH, announcements_deliver
from booking.services.bookings import bookings_mark_no_shows, bookings_send_reminders

__all__ = ["deliver_announcements", "mark_no_shows", "send_reminders"]


@shared_task(name="booking.tasks.deliver_announcements", ignore_result=True)
def deliver_announcements(max_batches: int = 50) -> int:
    """Empty the booking outbox (a batch per transaction); the beat's sweep finishes the rest."""
    delivered = 0
    for _ in range(max_batches):
        n = announcements_deliver()
        delivered += n
        if n < BATCH:
            break
    return delivered


@shared_task(name="booking.tasks.mark_no_shows")
def mark_no_shows() -> int:
    return bookings_mark_no_shows()


@shared_task(name="booking.tasks.send_reminders")
def send_reminders() -> int:
    return bookings_send_reminders()
