"""Celery tasks of the tracker: thin, idempotent."""

from celery import shared_task

__all__ = ["fold_counters", "reconcile_nightly"]


@shared_task(name="tracker.tasks.reconcile_nightly")
def reconcile_nightly() -> int:
    """All time, report only: a difference is logged and shown on the dashboard for a
    person to look at (``tracker_reconcile --repair``) rather than silently rewritten."""
    from tracker.services.reconciliation import reconciliation_run

    return reconciliation_run().differences


@shared_task(name="tracker.tasks.fold_counters")
def fold_counters() -> int:
    """The queued usage events into the folded counters; a second folder waiting on the
    first would fold nothing new, so it returns at once instead."""
    from tracker.services.fold import counters_fold_all

    return counters_fold_all(wait=False)
