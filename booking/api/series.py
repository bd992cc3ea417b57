"""Recurring series API: preview every occurrence, book the series (idempotent), read it
with its occurrences, cancel all or this-and-following."""

from __future__ import annotations

from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.acting import ACTING_PARAMETER, FIRM_FIELD_HELP, acting_firm_id
from accounts.scoping import Scope
from booking.api.bookings import BookingSerializer
from booking.api.lab_actions import BlackoutOverBookingsView
from booking.models import BookingSeries
from booking.payments import payments_for
from booking.selectors import bookings as selectors
from booking.services import series as services
from booking.services.series_rules import MAX_OCCURRENCES, SeriesRule
from config.bounds import BoundedDateField, BoundedDateTimeField
from config.fields import StrictIntegerField, StrictModelSerializer
from config.idempotency import idempotent
from config.routers import ApiRouter
from config.serializing import validated

F = BookingSeries.Frequency


class SeriesRuleSerializer(serializers.Serializer):
    instrument = StrictIntegerField(min_value=1)
    start = BoundedDateTimeField(help_text="The first occurrence's start (ISO 8601 with offset).")
    end = BoundedDateTimeField(help_text="The first occurrence's end: every one lasts as long.")
    frequency = serializers.ChoiceField(choices=F.choices)
    interval = StrictIntegerField(
        min_value=1, max_value=30, default=1, help_text="Every n weeks (weekly) or n days."
    )
    weekdays = serializers.ListField(
        child=StrictIntegerField(min_value=0, max_value=6), required=False, default=list,
        max_length=7, help_text="Weekly: 0 = Monday … 6 = Sunday; empty = the start's weekday.",
    )  # fmt: skip
    until = BoundedDateField(required=False, help_text="Last local date (inclusive).")
    count = StrictIntegerField(required=False, min_value=1, max_value=MAX_OCCURRENCES)

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": _("The end must be after the start.")})
        if ("until" in attrs) == ("count" in attrs):
            raise serializers.ValidationError(
                {"until": _("End the series with a last date or a number of times.")}
            )
        return attrs


class SeriesCreateSerializer(SeriesRuleSerializer):
    purpose = serializers.CharField(max_length=2000)
    mode = serializers.ChoiceField(choices=BookingSeries.Mode.choices)
    firm = StrictIntegerField(required=False, help_text=FIRM_FIELD_HELP)
    vouchers = serializers.ListField(
        child=StrictIntegerField(), required=False, default=list, max_length=10
    )


class OccurrenceSerializer(serializers.Serializer):
    start = BoundedDateTimeField(source="start_at")
    end = BoundedDateTimeField(source="end_at")
    quote_fen = StrictIntegerField()
    problem = serializers.CharField(help_text='"" bookable, "clash" taken, "rule" refused')
    code = serializers.CharField()
    message = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    rrule = serializers.CharField()
    rate_per_hour_fen = StrictIntegerField()
    total_fen = StrictIntegerField(help_text="The free occurrences' quotes together.")
    free = serializers.SerializerMethodField()
    occurrences = OccurrenceSerializer(many=True)

    def get_free(self, preview) -> int:
        return len(preview.free)


class SeriesSerializer(StrictModelSerializer):
    class Meta:
        model = BookingSeries
        fields = ["id", "instrument", "firm", "rrule", "first_start_at", "minutes", "purpose",
                  "mode", "created_at"]  # fmt: skip
        read_only_fields = fields


class SeriesDetailSerializer(SeriesSerializer):
    occurrences = serializers.SerializerMethodField()

    class Meta(SeriesSerializer.Meta):
        fields = [*SeriesSerializer.Meta.fields, "occurrences"]
        read_only_fields = fields

    def get_occurrences(self, series) -> list[dict]:
        return _bookings(list(services.series_occurrences(series)))


class SeriesCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    from_booking = StrictIntegerField(
        required=False, min_value=1, help_text="Cancel this occurrence and the following ones."
    )


def _bookings(bookings: list) -> list[dict]:
    """Many bookings with their payments read in one call (not one per occurrence)."""
    payments = payments_for("booking", bookings)
    return BookingSerializer(bookings, many=True, context={"payments": payments}).data


def _rule(data: dict) -> SeriesRule:
    return SeriesRule(
        frequency=data["frequency"], first_start_at=data["start"],
        minutes=int((data["end"] - data["start"]).total_seconds() // 60),
        interval=data["interval"], weekdays=tuple(data["weekdays"]), until=data.get("until"),
        count=data.get("count"),
    )  # fmt: skip


class BookingSeriesViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SeriesSerializer
    queryset = BookingSeries.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BookingSeries.objects.none()
        scope = Scope.for_user(self.request.user)
        visible = BookingSeries.objects.filter(
            Q(firm_id__in=scope.firm_ids) | Q(instrument__provider_id__in=scope.provider_ids)
        )
        return visible.order_by("-created_at", "-pk")

    def get_object(self):
        return services.series_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def retrieve(self, request, pk=None):
        return Response(SeriesDetailSerializer(self.get_object()).data)

    @extend_schema(request=SeriesRuleSerializer, responses=PreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        data = validated(SeriesRuleSerializer, request.data)
        instrument = selectors.instrument_get_for_booking(pk=data["instrument"])
        preview = services.series_preview(actor=request.user, instrument=instrument,
                                          rule=_rule(data))  # fmt: skip
        return Response(PreviewSerializer(preview).data)

    @extend_schema(
        request=SeriesCreateSerializer,
        responses={201: inline_serializer("SeriesCreated", {
            "series": SeriesSerializer(), "booked": BookingSerializer(many=True),
            "skipped": OccurrenceSerializer(many=True)})},
        parameters=[
            ACTING_PARAMETER,
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False),
        ],
    )  # fmt: skip
    @idempotent
    def create(self, request):
        data = validated(SeriesCreateSerializer, request.data)
        result = services.series_create(
            actor=request.user, firm=acting_firm_id(request, given=data.get("firm")),
            instrument=data["instrument"], rule=_rule(data), purpose=data["purpose"],
            mode=data["mode"], voucher_ids=data["vouchers"],
        )  # fmt: skip
        body = {
            "series": SeriesSerializer(result.series).data,
            "booked": _bookings(result.booked),
            "skipped": OccurrenceSerializer(result.skipped, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SeriesCancelSerializer,
        responses=inline_serializer("SeriesCancelled", {
            "cancelled": serializers.ListField(child=StrictIntegerField()),
            "kept": serializers.ListField(child=StrictIntegerField())}),
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        series = self.get_object()
        data = validated(SeriesCancelSerializer, request.data)
        pivot = None
        if data.get("from_booking"):
            pivot = selectors.booking_get(actor=request.user, pk=data["from_booking"])
        return Response(services.series_cancel(actor=request.user, series=series,
                                               reason=data["reason"], from_booking=pivot))  # fmt: skip


router = ApiRouter()
router.include_root_view = False
router.register("booking-series", BookingSeriesViewSet, basename="booking-series")
urlpatterns = [
    path(
        "instruments/<int:pk>/blackouts-over-bookings/",
        BlackoutOverBookingsView.as_view(),
        name="instrument-blackout-over-bookings",
    ),
    *router.urls,
]
