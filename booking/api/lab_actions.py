"""Moving a booking and the lab manager's actions for firms, in the API: the ``move``,
``lab-cancel`` and ``on-behalf`` actions of /bookings/, and a blackout over bookings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.order_events import OrderKind
from booking.payments import payment_quote
from booking.selectors import bookings as selectors
from booking.services import booking_moves, lab_actions
from config.bounds import BoundedDateTimeField
from config.fields import StrictIntegerField
from config.idempotency import idempotent
from config.serializing import represent, validated
from facilities.models import Blackout


class _Range(serializers.Serializer):
    start = BoundedDateTimeField()
    end = BoundedDateTimeField()

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": _("The end must be after the start.")})
        return attrs


class MoveSerializer(_Range):
    instrument = StrictIntegerField(
        required=False, min_value=1, help_text="Another instrument of the same provider."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class OnBehalfSerializer(_Range):
    firm = StrictIntegerField(min_value=1, help_text="The firm the booking is for.")
    instrument = StrictIntegerField(min_value=1)
    purpose = serializers.CharField(max_length=2000)
    member = StrictIntegerField(
        required=False, min_value=1,
        help_text="The firm's member who will use the instrument (needed if it requires training).",
    )  # fmt: skip
    vouchers = serializers.ListField(
        child=StrictIntegerField(min_value=1), required=False, default=list, max_length=20,
        help_text="Vouchers of the firm's own wallet the firm asked to pay with (in its order).",
    )  # fmt: skip


class LabReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="The firm reads it.")


class BlackoutOverSerializer(_Range):
    reason = serializers.CharField(max_length=2000)
    kind = serializers.ChoiceField(choices=Blackout.Kind.choices, default=Blackout.Kind.MAINTENANCE)
    confirm = serializers.BooleanField(
        default=False,
        help_text="false: list the bookings it would cancel; true: add it and cancel them.",
    )


_ON_BEHALF_QUOTE = inline_serializer(
    "OnBehalfQuote",
    {
        "minutes": StrictIntegerField(),
        "client_group": serializers.CharField(),
        "rate_per_hour_fen": StrictIntegerField(),
        "quote_fen": StrictIntegerField(),
        "payment": serializers.DictField(),
    },
)


class LabActions:
    """Mixed into BookingViewSet (``serializer_class`` renders the booking)."""

    @extend_schema(request=MoveSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the booking to another free range or instrument of the same provider: the
        firm before the cut-off, a lab manager any time; approval again only for a firm's
        move onto an instrument that needs it."""
        data = validated(MoveSerializer, request.data)
        booking = booking_moves.booking_move(
            actor=request.user, booking=self.get_object(), start_at=data["start"],
            end_at=data["end"], instrument=data.get("instrument"), reason=data["reason"],
        )  # fmt: skip
        return Response(represent(self.serializer_class, booking))

    @extend_schema(request=LabReasonSerializer, responses=None)
    @action(detail=True, methods=["post"], url_path="lab-cancel")
    def lab_cancel(self, request, pk=None):
        """A lab manager cancels an open booking with a reason the firm reads."""
        data = validated(LabReasonSerializer, request.data)
        booking = lab_actions.booking_cancel_by_manager(
            actor=request.user, booking=self.get_object(), reason=data["reason"]
        )
        return Response(represent(self.serializer_class, booking))

    @extend_schema(
        request=OnBehalfSerializer,
        responses=None,
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
        ],
    )
    @action(detail=False, methods=["post"], url_path="on-behalf")
    @idempotent
    def on_behalf(self, request):
        """A lab manager books the instrument for a firm (phone or walk-in request)."""
        data = validated(OnBehalfSerializer, request.data)
        booking = lab_actions.booking_create_for_firm(
            actor=request.user, firm=data["firm"], instrument=data["instrument"],
            start_at=data["start"], end_at=data["end"], purpose=data["purpose"],
            member=data.get("member"), voucher_ids=data["vouchers"],
        )  # fmt: skip
        return Response(represent(self.serializer_class, booking), status=status.HTTP_201_CREATED)

    @extend_schema(request=OnBehalfSerializer, responses=_ON_BEHALF_QUOTE)
    @action(detail=False, methods=["post"], url_path="on-behalf/quote")
    def on_behalf_quote(self, request):
        """Before booking for a firm: the price at the firm's rate and what the named vouchers
        of the firm's wallet would pay of it (nothing is booked or held)."""
        data = validated(OnBehalfSerializer, request.data)
        quote = lab_actions.booking_quote_for_firm(
            actor=request.user, firm=data["firm"], instrument=data["instrument"],
            start_at=data["start"], end_at=data["end"], member=data.get("member"),
        )  # fmt: skip
        payment = payment_quote(
            actor=request.user, firm_id=data["firm"], voucher_ids=data["vouchers"],
            order_kind=OrderKind.BOOKING, item_id=data["instrument"], fee_fen=quote["quote_fen"],
        )  # fmt: skip
        return Response({**quote, "payment": payment})


_AFFECTED = inline_serializer(
    "BlackoutOverBookings",
    {
        "blackout": StrictIntegerField(allow_null=True),
        "bookings": serializers.ListField(child=serializers.DictField()),
    },
)


class BlackoutOverBookingsView(APIView):
    """A blackout over existing bookings: preview the bookings it cancels, then confirm."""

    @extend_schema(request=BlackoutOverSerializer, responses=_AFFECTED)
    def post(self, request, pk: int):
        data = validated(BlackoutOverSerializer, request.data)
        instrument = selectors.managed_instrument_get(actor=request.user, pk=pk)
        iso = BoundedDateTimeField().to_representation
        if not data["confirm"]:
            affected = lab_actions.blackout_affected(
                actor=request.user, instrument=instrument, start_at=data["start"],
                end_at=data["end"],
            )  # fmt: skip
            rows = [{"id": b.pk, "firm": b.firm.name, "start": iso(b.start_at),
                     "end": iso(b.end_at), "status": b.status} for b in affected]  # fmt: skip
            return Response({"blackout": None, "bookings": rows})
        blackout, affected = lab_actions.blackout_create_over_bookings(
            actor=request.user, instrument=instrument, start_at=data["start"],
            end_at=data["end"], reason=data["reason"], kind=data["kind"],
        )  # fmt: skip
        rows = [
            {"id": a.booking.pk, "firm": a.booking.firm.name, "start": iso(a.booking.start_at),
             "end": iso(a.booking.end_at), "status": a.booking.status,
             "alternatives": [{"start": iso(s), "end": iso(e)} for s, e in a.alternatives]}
            for a in affected
        ]  # fmt: skip
        return Response({"blackout": blackout.pk, "bookings": rows}, status=status.HTTP_201_CREATED)
