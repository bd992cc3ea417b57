"""Celery tasks of the catalogue: thin, idempotent."""

from celery import shared_task

from facilities.services.free_time import BATCH, instruments_free_time_refresh

__all__ = ["refresh_free_time"]


@shared_task(name="facilities.tasks.refresh_free_time", ignore_result=True)
def refresh_free_time(batches: int = 10) -> int:
    """Stale instruments' free time in the next 7 days, at most ``batches`` × 500 per run
    (every 5 minutes: 60,000 instruments an hour)."""
    written = 0
    for _ in range(batches):
        n = instruments_free_time_refresh(limit=BATCH)
        written += n
        if n < BATCH:
            break
    return written
