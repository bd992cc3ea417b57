"""Celery tasks of the tracker: thin, idempotent."""

from celery import shared_task

__all__ = ["reconcile_nightly"]


@shared_task(name="tracker.tasks.reconcile_nightly")
def reconcile_nightly() -> int:
    """All time, report only: a difference is logged and shown on the dashboard for a
    person to look at (``tracker_reconcile --repair``) rather than silently rewritten."""
    from tracker.services.reconciliation import reconciliation_run

    return reconciliation_run().differences
