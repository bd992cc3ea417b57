"""Waitlist API: join a taken range, list your entries, claim an offer, leave."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.acting import ACTING_PARAMETER, FIRM_FIELD_HELP, acting_firm_id
from booking.api.bookings import BookingSerializer
from booking.models import WaitlistEntry
from booking.selectors import waitlist as selectors
from booking.services import waitlist as services
from config.bounds import BoundedDateTimeField
from config.fields import StrictIntegerField, StrictModelSerializer
from config.routers import ApiRouter
from config.serializing import represent, validated


class WaitlistEntrySerializer(StrictModelSerializer):
    start = BoundedDateTimeField(source="start_at")
    end = BoundedDateTimeField(source="end_at")
    instrument_name = serializers.CharField(source="instrument.name")
    firm_name = serializers.CharField(source="firm.name")

    class Meta:
        model = WaitlistEntry
        fields = [
            "id", "instrument", "instrument_name", "firm", "firm_name", "start", "end",
            "purpose", "status", "offered_at", "offer_expires_at", "booking", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class WaitlistJoinSerializer(serializers.Serializer):
    instrument = StrictIntegerField()
    start = BoundedDateTimeField()
    end = BoundedDateTimeField()
    purpose = serializers.CharField(max_length=2000)
    firm = StrictIntegerField(required=False, help_text=FIRM_FIELD_HELP)


class WaitlistClaimSerializer(serializers.Serializer):
    vouchers = serializers.ListField(
        child=StrictIntegerField(), required=False, default=list, max_length=10,
        help_text="Vouchers to pay the booking with, in the order they should pay.",
    )  # fmt: skip


class WaitlistViewSet(viewsets.ReadOnlyModelViewSet):
    """``POST /waitlist/`` joins (409 ``slot_free`` when the time can simply be booked);
    an offer is claimed with ``POST /waitlist/{id}/claim/`` (201 with the booking; 409
    ``slot_taken`` when another firm was first, ``offer_expired``, ``offer_not_open``)."""

    serializer_class = WaitlistEntrySerializer
    filterset_fields = ["status", "instrument", "firm"]
    queryset = WaitlistEntry.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WaitlistEntry.objects.none()
        return selectors.waitlist_list(actor=self.request.user)

    def get_object(self):
        return selectors.waitlist_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(
        request=WaitlistJoinSerializer, responses={201: WaitlistEntrySerializer},
        parameters=[ACTING_PARAMETER],
    )  # fmt: skip
    def create(self, request):
        data = validated(WaitlistJoinSerializer, request.data)
        entry = services.waitlist_join(
            actor=request.user,
            firm=acting_firm_id(request, given=data.get("firm")),
            instrument=data["instrument"],
            start_at=data["start"],
            end_at=data["end"],
            purpose=data["purpose"],
        )
        entry = selectors.waitlist_get(actor=request.user, pk=entry.pk)
        return Response(represent(WaitlistEntrySerializer, entry), status=status.HTTP_201_CREATED)

    @extend_schema(request=WaitlistClaimSerializer, responses={201: BookingSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        data = validated(WaitlistClaimSerializer, request.data)
        booking = services.waitlist_claim(
            actor=request.user, entry=self.get_object(), voucher_ids=data["vouchers"]
        )
        return Response(represent(BookingSerializer, booking), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=WaitlistEntrySerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        entry = services.waitlist_leave(actor=request.user, entry=self.get_object())
        return Response(represent(WaitlistEntrySerializer, entry))


router = ApiRouter()
router.include_root_view = False
router.register("waitlist", WaitlistViewSet, basename="waitlist")
urlpatterns = router.urls
