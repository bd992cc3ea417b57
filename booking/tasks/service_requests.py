"""Periodic work on testing requests (Celery beat, see config/celery.py)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from booking.models import ServiceRequest
from booking.services.service_requests import service_request_auto_complete

__all__ = ["auto_complete_service_requests"]

BATCH = 500


@shared_task(name="booking.tasks.auto_complete_service_requests")
def auto_complete_service_requests() -> int:
    """Complete reported requests the firm has not confirmed in time. Idempotent: each
    request moves with a compare-and-set, so a rerun or a parallel worker skips it."""
    cutoff = timezone.now() - dt.timedelta(days=settings.SERVICE_REQUEST_AUTO_COMPLETE_DAYS)
    ids = list(
        ServiceRequest.objects.filter(
            status=ServiceRequest.Status.REPORTED, reported_at__lte=cutoff
        ).values_list("pk", flat=True)[:BATCH]
    )
    return sum(service_request_auto_complete(request_id=pk) for pk in ids)
