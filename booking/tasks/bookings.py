"""Celery tasks of instrument booking: thin, by id, idempotent."""

from celery import shared_task

__all__ = ["announce_booking", "mark_no_shows", "send_reminders"]


@shared_task(name="booking.tasks.announce_booking")
def announce_booking(booking_id: int, event: str, reason: str = "") -> int:
    from booking.services.booking_notices import announce

    return announce(booking_id, event, reason)


@shared_task(name="booking.tasks.mark_no_shows")
def mark_no_shows() -> int:
    from booking.services.bookings import bookings_mark_no_shows

    return bookings_mark_no_shows()


@shared_task(name="booking.tasks.send_reminders")
def send_reminders() -> int:
    from booking.services.bookings import bookings_send_reminders

    return bookings_send_reminders()
