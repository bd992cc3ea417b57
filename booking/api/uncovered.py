"""Future bookings whose booker's qualification no longer covers the session, for the
instrument's lab managers: ``GET /api/v1/uncovered-bookings/?instrument=ID`` lists them,
``POST /api/v1/uncovered-bookings/{id}/cancel/`` cancels one with a reason."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from booking.api.bookings import BookingSerializer, ReasonSerializer
from booking.payments import payments_for
from booking.selectors.uncovered import booking_uncovered_get, bookings_uncovered
from booking.services.uncovered import booking_cancel_uncovered
from config.fields import StrictIntegerField
from config.routers import ApiRouter
from config.serializing import represent, validated
from facilities.selectors import instrument_get_for_manage


class InstrumentQuery(serializers.Serializer):
    instrument = StrictIntegerField(min_value=1)


class UncoveredBookingViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[InstrumentQuery],  # documented with its bounds (an id from 1)
        responses=BookingSerializer(many=True),
    )
    def list(self, request):
        query = validated(InstrumentQuery, request.query_params)
        instrument = instrument_get_for_manage(actor=request.user, pk=query["instrument"])
        rows = bookings_uncovered(instrument=instrument)
        context = {"request": request, "payments": payments_for("booking", rows)}
        return Response(BookingSerializer(rows, many=True, context=context).data)

    @extend_schema(request=ReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = validated(ReasonSerializer, request.data)["reason"]
        booking = booking_uncovered_get(actor=request.user, pk=int(pk))
        booking = booking_cancel_uncovered(actor=request.user, booking=booking, reason=reason)
        return Response(represent(BookingSerializer, booking))


router = ApiRouter()
router.include_root_view = False
router.register("uncovered-bookings", UncoveredBookingViewSet, basename="uncovered-booking")
urlpatterns = router.urls
