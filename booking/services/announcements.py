"""The booking outbox: queue an announcement inside the change's transaction, deliver later.

Publishing a Celery message per booking from the web request cost a fifth of a booking's
CPU (kombu builds and serialises a message and talks to Redis each time) and could lose the
message if the process died between commit and publish. Instead the change writes an
``Announcement`` row in its own transaction, and ``announcements_deliver`` (run by the Celery
task ``booking.tasks.deliver_announcements``) turns rows into notifications. The courier is
woken at most once a second per web process (at once on a quiet platform; under load one message carries a whole batch), and Celery beat
sweeps every few seconds in case a wake-up was skipped or lost. With eager Celery (the
embedded default, the tests) every commit delivers at once.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import transaction

from booking.models import Announcement
from booking.services import booking_notices

logger = logging.getLogger(__name__)

BATCH = 200
WAKE_INTERVAL_SECONDS = 1.0

_wake_lock = threading.Lock()
_last_wake = 0.0


def announcement_queue(*, booking_id: int, event: str, reason: str = "") -> None:
    """Announce ``event`` of a booking once the surrounding transaction commits."""
    Announcement.objects.create(booking_id=booking_id, event=event, reason=reason)
    announcement_wake_on_commit()


def announcement_wake_on_commit() -> None:
    """Wake the courier once the surrounding transaction has committed an announcement."""
    transaction.on_commit(_wake_courier)


# The Celery task that runs ``announcements_deliver``. Tasks call services, not the
# reverse: booking's AppConfig.ready() hands the task in, so this module never imports
# booking.tasks.
_courier = None


def announcement_courier_set(task) -> None:
    """Name the Celery task that wakes the courier (``booking.apps`` calls this once)."""
    global _courier
    _courier = task


def _wake_courier() -> None:
    global _last_wake
    if _courier is None:  # booking's ready() has not run: the beat's sweep delivers
        return
    eager = _courier.app.conf.task_always_eager
    with _wake_lock:
        now = time.monotonic()
        if not eager and now - _last_wake < WAKE_INTERVAL_SECONDS:
            return  # a wake-up is on its way; it delivers this row too
        _last_wake = now
    try:
        _courier.apply_async(ignore_result=True)
    except Exception:  # the broker is down: the row waits for the beat's sweep
        if eager:
            raise
        logger.warning("could not wake the announcement courier", exc_info=True)


def announcements_deliver(*, limit: int = BATCH) -> int:
    """Deliver up to ``limit`` queued announcements, oldest first; returns how many.

    Rows are claimed with SKIP LOCKED, so parallel couriers share the queue without
    delivering anything twice; the notifications are written in the same transaction that
    deletes the rows, so a courier that dies delivers nothing and loses nothing.
    """
    with transaction.atomic():
        batch = list(
            Announcement.objects.select_for_update(skip_locked=True).order_by("pk")[:limit]
        )
        audience = booking_notices.audience_for(item.booking_id for item in batch)
        for item in batch:
            try:
                with transaction.atomic():
                    booking_notices.announce(
                        item.booking_id, item.event, item.reason, audience=audience
                    )
            except Exception:  # one broken announcement must not hold up the queue
                logger.exception("announcement %s of booking %s failed", item.pk, item.booking_id)
        Announcement.objects.filter(pk__in=[item.pk for item in batch]).delete()
    return len(batch)
