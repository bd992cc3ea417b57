"""The accounts API: thin views that parse, fetch through selectors and call one service."""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts import serializers as s
from accounts.lockout import lockout_response
from accounts.models import ApiToken, FirmProfile, Organisation
from config.errors import Invalid, NotFound
from config.throttling import ScopedRateThrottle

ERRORS = {400: s.ErrorSerializer, 404: s.ErrorSerializer, 409: s.ErrorSerializer}


class TokenObtainView(APIView):
    """Exchange an email and password for a new API token (counted by the axes lockout)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token_obtain"

    @extend_schema(
        tags=["auth"],
        request=s.TokenObtainSerializer,
        responses={200: s.TokenObtainedSerializer, 400: s.ErrorSerializer, 429: s.ErrorSerializer},
        auth=[],
    )
    def post(self, request):
        data = s.TokenObtainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].strip().lower()
        http_request = request._request  # axes reads and marks the plain HttpRequest
        user = authenticate(http_request, email=email, password=data.validated_data["password"])
        if getattr(http_request, "axes_locked_out", False):
            return lockout_response(http_request)
        if user is None:
            raise Invalid(
                _("The email address or password is not correct."),
                code="invalid_credentials",
            )
        if not user.emailaddress_set.filter(verified=True).exists() and not user.is_superuser:
            raise Invalid(
                _("Confirm your email address first; we sent you a link when you signed up."),
                code="email_unverified",
            )
        _token, key = services.api_token_create(actor=user, name=_("Signed in through the API"))
        return Response({"token": key})


class MeView(GenericAPIView):
    serializer_class = s.MeSerializer

    def _me(self, request):
        # request.user is a lazy wrapper for a browser session, so not type(request.user).
        user = (
            get_user_model()
            .objects.prefetch_related("memberships__organisation")
            .get(pk=request.user.pk)
        )
        return Response(s.MeSerializer(user).data)

    @extend_schema(tags=["me"], responses={200: s.MeSerializer})
    def get(self, request):
        return self._me(request)

    @extend_schema(
        tags=["me"],
        request=s.MeUpdateSerializer,
        responses={200: s.MeSerializer, 400: s.ErrorSerializer},
    )
    def patch(self, request):
        data = s.MeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.user_profile_update(actor=request.user, **data.validated_data)
        return self._me(request)


@extend_schema_view(
    list=extend_schema(tags=["organisations"], summary="My organisations"),
    retrieve=extend_schema(
        tags=["organisations"], responses={200: s.OrganisationSerializer, 404: s.ErrorSerializer}
    ),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.OrganisationSerializer
    queryset = Organisation.objects.none()

    def get_queryset(self):
        return selectors.organisation_list(actor=self.request.user)

    def get_object(self):
        return selectors.organisation_get(actor=self.request.user, organisation_id=self._pk())

    def _pk(self) -> int:
        return _int_or_404(self.kwargs["pk"])


def _int_or_404(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise NotFound() from None


VERIFICATION_PARAM = OpenApiParameter(
    "verification", enum=FirmProfile.Verification.values, required=False
)


@extend_schema_view(
    list=extend_schema(
        tags=["firms"],
        summary="My firms; for a reviewer, the firms in their region",
        parameters=[VERIFICATION_PARAM],
    ),
    retrieve=extend_schema(
        tags=["firms"], responses={200: s.FirmSerializer, 404: s.ErrorSerializer}
    ),
)
class FirmViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.FirmSerializer
    queryset = FirmProfile.objects.none()
    filterset_fields = ["verification"]
    # The firm's id is its organisation's id; name it so in the URL and the schema.
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return selectors.firm_list(actor=self.request.user)

    def get_object(self):
        return selectors.firm_get(actor=self.request.user, firm_id=_int_or_404(self.kwargs["id"]))

    @extend_schema(
        tags=["firms"],
        summary="Register a small or micro firm (pending verification)",
        request=s.FirmRegisterSerializer,
        responses={201: s.FirmSerializer, **ERRORS},
    )
    def create(self, request):
        data = s.FirmRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = services.firm_register(actor=request.user, **data.validated_data)
        return Response(s.FirmSerializer(registration.firm).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["firms"],
        summary="Verify a pending firm (reviewer of its region)",
        request=s.FirmDecisionSerializer,
        responses={200: s.FirmSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, **kwargs):
        data = s.FirmDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        firm = services.firm_verify(
            actor=request.user,
            firm_id=_int_or_404(kwargs["id"]),
            note=data.validated_data.get("note", ""),
        )
        return Response(s.FirmSerializer(firm).data)

    @extend_schema(
        tags=["firms"],
        summary="Reject a pending firm with a note (reviewer of its region)",
        request=s.FirmDecisionSerializer,
        responses={200: s.FirmSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, **kwargs):
        data = s.FirmDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        firm = services.firm_reject(
            actor=request.user,
            firm_id=_int_or_404(kwargs["id"]),
            note=data.validated_data.get("note", ""),
        )
        return Response(s.FirmSerializer(firm).data)

    @extend_schema(
        tags=["firms"],
        summary="Correct a rejected registration and send it for verification again (firm admin)",
        request=s.FirmResubmitSerializer,
        responses={200: s.FirmSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def resubmit(self, request, **kwargs):
        data = s.FirmResubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = services.firm_resubmit(
            actor=request.user, firm_id=_int_or_404(kwargs["id"]), **data.validated_data
        )
        return Response(s.FirmSerializer(registration.firm).data)

    @extend_schema(
        tags=["firms"],
        summary="The firm's verification history: who registered, verified, rejected or "
        "resubmitted it, when and why, oldest first",
        responses={200: s.FirmVerificationChangeSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], url_path="verification-history", pagination_class=None)
    def verification_history(self, request, **kwargs):
        history = selectors.firm_verification_history(
            actor=request.user, firm_id=_int_or_404(kwargs["id"])
        )
        return Response(s.FirmVerificationChangeSerializer(history, many=True).data)


@extend_schema_view(
    list=extend_schema(tags=["tokens"], summary="My API tokens"),
    retrieve=extend_schema(
        tags=["tokens"], responses={200: s.ApiTokenSerializer, 404: s.ErrorSerializer}
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ApiTokenSerializer
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        return selectors.api_token_list(actor=self.request.user)

    def get_object(self):
        return selectors.api_token_get(
            actor=self.request.user, token_id=_int_or_404(self.kwargs["pk"])
        )

    @extend_schema(
        tags=["tokens"],
        summary="Create a token; the key is returned once",
        request=s.ApiTokenCreateSerializer,
        responses={201: s.ApiTokenCreatedSerializer, **ERRORS},
    )
    def create(self, request):
        data = s.ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_create(actor=request.user, name=data.validated_data["name"])
        token.key = key
        return Response(s.ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["tokens"],
        summary="Revoke a token",
        request=None,
        responses={200: s.ApiTokenSerializer, 404: s.ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.api_token_revoke(actor=request.user, token_id=_int_or_404(pk))
        return Response(s.ApiTokenSerializer(token).data)
