"""A bare DRF endpoint that only inserts a booking row: the floor under which the real
POST /api/v1/bookings/ cannot go. Same authentication, throttling and table (with its
exclusion constraint); no rules, no row lock, no history, no notifications."""

from __future__ import annotations

from django.db import IntegrityError
from django.utils.dateparse import parse_datetime
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.models import Booking


class BareBookingView(APIView):
    def post(self, request):
        data = request.data
        try:
            booking = Booking.objects.create(
                instrument_id=int(data["instrument"]),
                firm_id=int(data["firm"]),
                booked_by=request.user,
                start_at=parse_datetime(data["start"]),
                end_at=parse_datetime(data["end"]),
                purpose=data.get("purpose", ""),
            )
        except IntegrityError:
            return Response({"code": "slot_taken"}, status=409)
        return Response({"id": booking.pk, "status": booking.status}, status=201)
