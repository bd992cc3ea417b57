"""Which firms are a provider's clients: they have booked its instruments or ordered its
testing services (the catalogue asks through ``facilities.trainees``)."""

from __future__ import annotations

from django.db.models import QuerySet

from booking.models import Booking, ServiceRequest


def provider_client_firm_ids(provider_id: int) -> list[QuerySet]:
    """Subqueries of firm ids (two, rather than a UNION: each becomes an indexed IN)."""
    return [
        Booking.objects.filter(instrument__provider_id=provider_id).values("firm_id"),
        ServiceRequest.objects.filter(service__provider_id=provider_id).values("firm_id"),
    ]
