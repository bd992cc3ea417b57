"""Kiosk and interlock API.

``/kiosk/…`` is called by the box at one instrument with ``Authorization: Instrument
<key>`` (an instrument token); it knows no other credential, and an instrument token
opens nothing else. Lab managers make and revoke tokens at ``/instrument-tokens/``; a firm
gets its one-time code at ``/bookings/{id}/kiosk-code/``.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import authentication, exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api.bookings import BookingSerializer
from booking.models import InstrumentToken, KioskCode
from booking.selectors import bookings as booking_selectors
from booking.selectors import waitlist as selectors
from booking.services import kiosk as services
from config.bounds import BoundedDateTimeField
from config.fields import StrictIntegerField, StrictModelSerializer
from config.routers import ApiRouter
from config.serializing import represent, validated


class InstrumentTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Instrument <key>``: 401 for an unknown or revoked key."""

    keyword = "Instrument"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token = services.instrument_token_authenticate(parts[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return AnonymousUser(), token

    def authenticate_header(self, request) -> str:
        return self.keyword


class InstrumentTokenScheme(OpenApiAuthenticationExtension):
    target_class = InstrumentTokenAuthentication
    name = "instrumentToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Instrument <key>"}  # fmt: skip


class IsInstrumentToken(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, InstrumentToken)


class KioskCredentialSerializer(serializers.Serializer):
    badge = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
    code = serializers.CharField(required=False, allow_blank=True, default="", max_length=12)


class _KioskView(APIView):
    authentication_classes = [InstrumentTokenAuthentication]
    permission_classes = [IsInstrumentToken]


class KioskCheckInView(_KioskView):
    """Check the session of the person at the instrument in (their badge or one-time
    code); 400 ``check_in_not_open`` before the window, 404 ``kiosk_no_booking``."""

    @extend_schema(request=KioskCredentialSerializer, responses=BookingSerializer)
    def post(self, request):
        data = validated(KioskCredentialSerializer, request.data)
        booking = services.kiosk_check_in(token=request.auth, badge=data["badge"],
                                          code=data["code"])  # fmt: skip
        return Response(represent(BookingSerializer, booking))


class KioskCheckOutView(_KioskView):
    """Check the checked-in session out now; the fee follows actual use."""

    @extend_schema(request=KioskCredentialSerializer, responses=BookingSerializer)
    def post(self, request):
        data = validated(KioskCredentialSerializer, request.data)
        booking = services.kiosk_check_out(token=request.auth, badge=data["badge"],
                                           code=data["code"])  # fmt: skip
        return Response(represent(BookingSerializer, booking))


def _slot(booking) -> dict | None:
    if booking is None:
        return None
    iso = BoundedDateTimeField().to_representation
    return {"booking": booking.pk, "status": booking.status, "firm_name": booking.firm.name,
            "booked_by": booking.booked_by.display_name, "start": iso(booking.start_at),
            "end": iso(booking.end_at)}  # fmt: skip


class KioskNowView(_KioskView):
    """Who may use the instrument now (the checked-in session, or the booking whose
    check-in window is open), and the next booking."""

    @extend_schema(
        responses=inline_serializer(
            "KioskNow",
            {"instrument": StrictIntegerField(),
             "instrument_name": serializers.CharField(),
             "now": BoundedDateTimeField(),
             "current": serializers.DictField(allow_null=True),
             "next": serializers.DictField(allow_null=True)},
        )
    )  # fmt: skip
    def get(self, request):
        instrument = request.auth.instrument
        state = services.kiosk_now(instrument=instrument)
        return Response(
            {"instrument": instrument.pk, "instrument_name": instrument.name,
             "now": BoundedDateTimeField().to_representation(state["now"]),
             "current": _slot(state["current"]), "next": _slot(state["next"])}
        )  # fmt: skip


class InstrumentTokenSerializer(StrictModelSerializer):
    instrument_name = serializers.CharField(source="instrument.name")
    created_by = serializers.CharField(source="created_by.display_name")

    class Meta:
        model = InstrumentToken
        fields = ["id", "instrument", "instrument_name", "name", "prefix", "created_by",
                  "created_at", "last_used_at", "revoked_at"]  # fmt: skip
        read_only_fields = fields


class InstrumentTokenCreatedSerializer(InstrumentTokenSerializer):
    key = serializers.CharField(help_text="Shown only in this answer; keep it on the box.")

    class Meta(InstrumentTokenSerializer.Meta):
        fields = [*InstrumentTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class InstrumentTokenCreateSerializer(serializers.Serializer):
    instrument = StrictIntegerField()
    name = serializers.CharField(max_length=100)


class InstrumentTokenViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Lab managers' instrument tokens; the key is in the creation's answer only."""

    serializer_class = InstrumentTokenSerializer
    filterset_fields = ["instrument"]
    queryset = InstrumentToken.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InstrumentToken.objects.none()
        return selectors.instrument_token_list(actor=self.request.user)

    def get_object(self):
        return selectors.instrument_token_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(
        request=InstrumentTokenCreateSerializer, responses={201: InstrumentTokenCreatedSerializer}
    )
    def create(self, request):
        data = validated(InstrumentTokenCreateSerializer, request.data)
        instrument = booking_selectors.managed_instrument_get(
            actor=request.user, pk=data["instrument"]
        )
        token, key = services.instrument_token_create(
            actor=request.user, instrument=instrument, name=data["name"]
        )
        token.key = key
        return Response(
            represent(InstrumentTokenCreatedSerializer, token), status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=InstrumentTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.instrument_token_revoke(actor=request.user, token=self.get_object())
        return Response(represent(InstrumentTokenSerializer, token))


class KioskCodeSerializer(StrictModelSerializer):
    class Meta:
        model = KioskCode
        fields = ["booking", "code", "created_at"]
        read_only_fields = fields


class KioskCodeView(APIView):
    """A fresh one-time code for one of the firm's approved bookings (the old one stops
    working)."""

    @extend_schema(request=None, responses={201: KioskCodeSerializer})
    def post(self, request, pk: int):
        booking = booking_selectors.booking_get(actor=request.user, pk=pk)
        code = services.kiosk_code_issue(actor=request.user, booking=booking)
        return Response(represent(KioskCodeSerializer, code), status=status.HTTP_201_CREATED)


router = ApiRouter()
router.include_root_view = False
router.register("instrument-tokens", InstrumentTokenViewSet, basename="instrument-token")

urlpatterns = [
    path("kiosk/check-in/", KioskCheckInView.as_view(), name="kiosk-check-in"),
    path("kiosk/check-out/", KioskCheckOutView.as_view(), name="kiosk-check-out"),
    path("kiosk/now/", KioskNowView.as_view(), name="kiosk-now"),
    path("bookings/<int:pk>/kiosk-code/", KioskCodeView.as_view(), name="booking-kiosk-code"),
    *router.urls,
]
