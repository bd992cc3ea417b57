"""Bookings API: create (idempotent), list/detail through the scope, lifecycle actions,
an instrument's availability, and the user's notifications."""

from __future__ import annotations

import copy
import datetime as dt

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.acting import ACTING_PARAMETER, FIRM_FIELD_HELP, acting_firm_id
from booking.api.lab_actions import LabActions
from booking.api.payment import PaymentField, PaymentsPrefetch
from booking.models import Booking, Notification
from booking.notifications import mark_read, unread_count
from booking.selectors import bookings as selectors
from booking.selectors.availability import free_intervals
from booking.services import bookings as services
from config.bounds import BoundedDateTimeField
from config.fields import StrictIntegerField, StrictModelSerializer
from config.idempotency import idempotent
from config.routers import ApiRouter
from config.serializing import represent, validated

MAX_AVAILABILITY_DAYS = 31


class BookingSerializer(StrictModelSerializer):
    """A booking as the API shows it. DRF rebuilds a ModelSerializer's fields from model
    introspection on every instance (~0.8 ms, a sixth of the Python time of a booking
    creation); they are built once per class here and copied, as DRF copies declared fields."""

    start = BoundedDateTimeField(source="start_at")
    end = BoundedDateTimeField(source="end_at")
    instrument_name = serializers.CharField(source="instrument.name")
    firm_name = serializers.CharField(source="firm.name")
    payment = PaymentField("booking")

    class Meta:
        model = Booking
        fields = [
            "id", "instrument", "instrument_name", "firm", "firm_name", "start", "end",
            "purpose", "status", "client_group", "rate_per_hour_fen", "quote_fen", "fee_fen",
            "created_at", "updated_at", "payment", "series",
        ]  # fmt: skip
        read_only_fields = fields

    def get_fields(self):
        cls = type(self)
        if "_built_fields" not in cls.__dict__:
            cls._built_fields = super().get_fields()
        return copy.deepcopy(cls._built_fields)


class BookingCreateSerializer(serializers.Serializer):
    instrument = StrictIntegerField()
    start = BoundedDateTimeField()
    end = BoundedDateTimeField()
    purpose = serializers.CharField(max_length=2000)
    firm = StrictIntegerField(required=False, help_text=FIRM_FIELD_HELP)
    vouchers = serializers.ListField(
        child=StrictIntegerField(), required=False, default=list, max_length=10,
        help_text="Vouchers to pay with, in the order they should pay.",
    )  # fmt: skip


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SessionSerializer(serializers.Serializer):
    """Times left out mean now; every time given lies between check-in's opening and now
    (the service refuses the rest). ``operator``: a member of the instrument's lab."""

    actual_start = BoundedDateTimeField(required=False)
    actual_end = BoundedDateTimeField(required=False)
    operator = StrictIntegerField(required=False, min_value=1)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BulkSerializer(serializers.Serializer):
    ids = serializers.ListField(child=StrictIntegerField(), max_length=200)


@extend_schema_view(
    move=extend_schema(responses=BookingSerializer),
    lab_cancel=extend_schema(responses=BookingSerializer),
    on_behalf=extend_schema(responses={201: BookingSerializer}),
)
class BookingViewSet(LabActions, PaymentsPrefetch, viewsets.ReadOnlyModelViewSet):
    serializer_class = BookingSerializer
    payment_order_kind = "booking"
    filterset_fields = ["status", "instrument", "firm"]

    def get_queryset(self):
        return selectors.booking_list(actor=self.request.user).order_by("-start_at", "-pk")

    def get_object(self):
        return selectors.booking_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer},
        parameters=[
            ACTING_PARAMETER,
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False),
        ],
    )
    @idempotent
    def create(self, request):
        data = _valid(BookingCreateSerializer, request)
        booking = services.booking_create(
            actor=request.user,
            firm=acting_firm_id(request, given=data.get("firm")),
            instrument=data["instrument"],
            start_at=data["start"],
            end_at=data["end"],
            purpose=data["purpose"],
            voucher_ids=data["vouchers"],
        )
        return Response(represent(BookingSerializer, booking), status=status.HTTP_201_CREATED)

    def _act(self, request, service, **kwargs):
        booking = service(actor=request.user, booking=self.get_object(), **kwargs)
        return Response(represent(BookingSerializer, booking))

    @extend_schema(request=ReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(request, services.booking_approve, reason=_reason(request))

    @extend_schema(request=ReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, services.booking_reject, reason=_reason(request))

    @extend_schema(request=ReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(request, services.booking_cancel, reason=_reason(request))

    @extend_schema(request=ReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._act(request, services.booking_mark_no_show, reason=_reason(request))

    @extend_schema(request=SessionSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        data = _valid(SessionSerializer, request)
        return self._act(
            request,
            services.booking_check_in,
            actual_start_at=data.get("actual_start"),
            operator=data.get("operator"),
            notes=data.get("notes", ""),
        )

    @extend_schema(request=SessionSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        data = _valid(SessionSerializer, request)
        return self._act(
            request,
            services.booking_check_out,
            actual_start_at=data.get("actual_start"),
            actual_end_at=data.get("actual_end"),
            operator=data.get("operator"),
            notes=data.get("notes", ""),
        )

    @extend_schema(
        request=BulkSerializer,
        responses=inline_serializer(
            "BulkApproveResult",
            {"approved": serializers.ListField(child=StrictIntegerField()),
             "failed": serializers.ListField(child=StrictIntegerField())},
        ),
    )  # fmt: skip
    @action(detail=False, methods=["post"], url_path="bulk-approve")
    def bulk_approve(self, request):
        ids = _valid(BulkSerializer, request)["ids"]
        found = list(
            selectors.booking_list(actor=request.user).filter(pk__in=ids).order_by("start_at", "pk")
        )
        result = services.bookings_bulk_approve(actor=request.user, bookings=found)
        result["failed"] += sorted(set(ids) - {b.pk for b in found})
        return Response(result)


def _valid(serializer_class, request) -> dict:
    return validated(serializer_class, request.data)


def _reason(request) -> str:
    return _valid(ReasonSerializer, request)["reason"]


class AvailabilityView(APIView):
    """Free, bookable intervals of one instrument between ``start`` and ``end``."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description="ISO 8601 with offset"),
            OpenApiParameter("end", str, required=True, description="ISO 8601, ≤ 31 days later"),
        ],
        responses=inline_serializer(
            "Availability",
            {"instrument": StrictIntegerField(), "start": BoundedDateTimeField(),
             "end": BoundedDateTimeField(),
             "free": serializers.ListField(child=serializers.DictField())},
        ),
    )  # fmt: skip
    def get(self, request, pk: int):
        window = _Window(data=request.query_params)
        window.is_valid(raise_exception=True)
        start, end = window.validated_data["start"], window.validated_data["end"]
        instrument = selectors.instrument_get_for_booking(pk=pk)
        free = free_intervals(instrument=instrument, start=start, end=end, for_user=request.user)
        iso = BoundedDateTimeField().to_representation
        return Response(
            {
                "instrument": instrument.pk,
                "start": iso(start),
                "end": iso(end),
                "slot_minutes": instrument.slot_minutes,
                "free": [{"start": iso(s), "end": iso(e)} for s, e in free],
            }
        )


class _Window(serializers.Serializer):
    start = BoundedDateTimeField()
    end = BoundedDateTimeField()

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": _("The end must be after the start.")})
        if attrs["end"] - attrs["start"] > dt.timedelta(days=MAX_AVAILABILITY_DAYS):
            raise serializers.ValidationError(
                {"end": _("Ask for %(n)s days at most.") % {"n": MAX_AVAILABILITY_DAYS}}
            )
        return attrs


class NotificationSerializer(StrictModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer

    queryset = Notification.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notification_list(actor=self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = unread_count(request.user)
        return response

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request, pk=None):
        notification = self.get_object()
        mark_read(request.user, notification_ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None, responses=inline_serializer("ReadAll", {"marked": StrictIntegerField()})
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": mark_read(request.user)})


router = ApiRouter()
router.include_root_view = False  # the API root is the catalogue router's (config/urls.py)
router.register("bookings", BookingViewSet, basename="booking")
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = [
    path(
        "instruments/<int:pk>/availability/",
        AvailabilityView.as_view(),
        name="instrument-availability",
    ),
    *router.urls,
]
