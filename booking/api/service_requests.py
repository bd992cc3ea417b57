"""``/api/v1/service-requests/``: order testing, follow it, move it along, get the report.

Thin: parse input, fetch through the scoping selector (not yours → 404), call one
service, answer. Illegal state changes come back as 409 from the service.
"""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.acting import ACTING_PARAMETER, FIRM_FIELD_HELP, acting_firm
from accounts.scoping import scope_of
from booking import reports
from booking.api.payment import PaymentField, PaymentsPrefetch
from booking.models import ServiceRequest
from booking.selectors import service_requests as selectors
from booking.services import service_requests as services
from config.bad_input import LimitedJSONParser
from config.bounds import BoundedDateField, BoundedDateTimeField
from config.errors import NotFound
from config.fields import StrictIntegerField, StrictModelSerializer
from config.idempotency import idempotent
from config.routers import ApiRouter
from config.text import LONG_TEXT, SHORT_TEXT


class ServiceRequestChangeSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.display_name", default=None)
    reason = serializers.CharField()
    at = BoundedDateTimeField()


class ServiceRequestSerializer(StrictModelSerializer):
    service_name = serializers.CharField(source="service.name", read_only=True)
    provider = StrictIntegerField(source="service.provider_id", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, default=False)
    has_report = serializers.SerializerMethodField()
    payment = PaymentField("service_request")

    class Meta:
        model = ServiceRequest
        fields = [
            "id", "service", "service_name", "provider", "firm", "status", "sample_count",
            "sample_description", "standards", "delivery", "tracking_number", "desired_date",
            "quote_fen", "fee_fen", "due_on", "due_on_provisional", "is_overdue", "sample_condition",
            "samples_received_at", "report_number", "report_accreditation", "reported_at",
            "has_report", "created_at", "updated_at", "payment",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_report(self, obj) -> bool:
        return bool(obj.report_file)


class ServiceRequestCreateSerializer(serializers.Serializer):
    service = StrictIntegerField()
    firm = StrictIntegerField(required=False, help_text=FIRM_FIELD_HELP)
    sample_count = StrictIntegerField(min_value=1, max_value=services.MAX_SAMPLES)
    sample_description = serializers.CharField(max_length=LONG_TEXT)
    standards = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=SHORT_TEXT
    )
    delivery = serializers.ChoiceField(choices=ServiceRequest.Delivery.choices)
    tracking_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=60
    )
    desired_date = BoundedDateField(required=False, allow_null=True, default=None)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    vouchers = serializers.ListField(
        child=StrictIntegerField(), required=False, default=list, max_length=10,
        help_text="Vouchers to pay with, in the order they should pay.",
    )  # fmt: skip


class ServiceRequestReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ServiceRequestReceiveSerializer(serializers.Serializer):
    condition = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ServiceRequestReportSerializer(serializers.Serializer):
    report_number = serializers.CharField(max_length=60)
    report_file = serializers.FileField()
    marks = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="Accreditation marks the report carries, comma-separated (cma, cnas); "
        "left out: every mark whose valid certificate covers the service; blank: none.",
    )


class ServiceQuoteSerializer(serializers.Serializer):
    service = StrictIntegerField()
    sample_count = StrictIntegerField()
    price_fen = StrictIntegerField()
    price_unit = serializers.CharField()
    quote_fen = StrictIntegerField()
    turnaround_days = StrictIntegerField()
    estimated_due_on = BoundedDateField()
    estimated_due_provisional = serializers.BooleanField(
        help_text="True when the holiday schedule of a year counted is not announced yet."
    )


def _one_state_change(name: str, request_serializer, call, *, parsers=None):
    """Build a POST action ``/{id}/<name>/`` that calls ``call(actor, sr, data)``."""

    def view(self, request, pk=None):
        sr = selectors.service_request_get(scope=scope_of(request), pk=pk)
        data = request_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        call(request.user, sr, data.validated_data)
        fresh = selectors.service_request_get(scope=scope_of(request), pk=pk)
        return Response(ServiceRequestSerializer(fresh).data)

    # The router maps the route to the method by this name, so set it before @action.
    view.__name__ = view.__qualname__ = name.replace("-", "_")
    decorate = action(
        detail=True,
        methods=["post"],
        url_path=name,
        parser_classes=parsers or [LimitedJSONParser, FormParser, MultiPartParser],
    )
    return extend_schema(request=request_serializer, responses={200: ServiceRequestSerializer})(
        decorate(view)
    )


class ServiceRequestViewSet(
    PaymentsPrefetch, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ServiceRequestSerializer
    payment_order_kind = "service_request"
    parser_classes = [LimitedJSONParser, FormParser, MultiPartParser]
    filterset_fields = ["status", "service", "firm"]

    def get_queryset(self):
        return selectors.service_request_list(scope=scope_of(self.request)).order_by(
            "-created_at", "-pk"
        )

    def get_object(self):
        return selectors.service_request_get(scope=scope_of(self.request), pk=self.kwargs["pk"])

    @extend_schema(
        request={
            "multipart/form-data": ServiceRequestCreateSerializer,
            "application/json": ServiceRequestCreateSerializer,
        },
        responses={201: ServiceRequestSerializer},
        parameters=[
            ACTING_PARAMETER,
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False),
        ],
    )
    @idempotent
    def create(self, request):
        data = ServiceRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        service = selectors.orderable_service_get(pk=values["service"])
        sr = services.service_request_create(
            actor=request.user,
            firm=acting_firm(request, given=values.get("firm")),
            service=service,
            sample_count=values["sample_count"],
            sample_description=values["sample_description"],
            standards=values["standards"],
            delivery=values["delivery"],
            tracking_number=values["tracking_number"],
            desired_date=values["desired_date"],
            attachments=request.FILES.getlist("attachments"),
            voucher_ids=values["vouchers"],
        )
        fresh = selectors.service_request_get(scope=scope_of(request), pk=sr.pk)
        return Response(ServiceRequestSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("service", int, required=True),
            OpenApiParameter("samples", int, required=True),
        ],
        responses={200: ServiceQuoteSerializer},
    )
    @action(detail=False, methods=["get"])
    def quote(self, request):
        service = selectors.orderable_service_get(pk=request.query_params.get("service", ""))
        quote = selectors.service_quote(
            service=service, sample_count=request.query_params.get("samples")
        )
        return Response(ServiceQuoteSerializer(quote).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="report-file")
    def report_file(self, request, pk=None):
        sr = selectors.service_request_get(scope=scope_of(request), pk=pk)
        return report_response(sr)

    accept = _one_state_change(
        "accept",
        ServiceRequestReasonSerializer,
        lambda actor, sr, d: services.service_request_accept(
            actor=actor, sr=sr, reason=d["reason"]
        ),
    )
    reject = _one_state_change(
        "reject",
        ServiceRequestReasonSerializer,
        lambda actor, sr, d: services.service_request_reject(
            actor=actor, sr=sr, reason=d["reason"]
        ),
    )
    receive_samples = _one_state_change(
        "receive-samples",
        ServiceRequestReceiveSerializer,
        lambda actor, sr, d: services.service_request_receive_samples(
            actor=actor, sr=sr, condition=d["condition"]
        ),
    )
    refuse_samples = _one_state_change(
        "refuse-samples",
        ServiceRequestReasonSerializer,
        lambda actor, sr, d: services.service_request_refuse_samples(
            actor=actor, sr=sr, reason=d["reason"]
        ),
    )
    start_testing = _one_state_change(
        "start-testing",
        ServiceRequestReasonSerializer,
        lambda actor, sr, d: services.service_request_start_testing(
            actor=actor, sr=sr, reason=d["reason"]
        ),
    )
    report = _one_state_change(
        "report",
        ServiceRequestReportSerializer,
        lambda actor, sr, d: services.service_request_report(
            actor=actor,
            sr=sr,
            report_number=d["report_number"],
            report_file=d["report_file"],
            marks=d["marks"].split(",") if "marks" in d else None,
        ),
        parsers=[MultiPartParser, FormParser],
    )
    confirm = _one_state_change(
        "confirm",
        ServiceRequestReasonSerializer,
        lambda actor, sr, d: services.service_request_confirm(
            actor=actor, sr=sr, reason=d["reason"]
        ),
    )
    cancel = _one_state_change(
        "cancel",
        ServiceRequestReasonSerializer,
        lambda actor, sr, d: services.service_request_cancel(
            actor=actor, sr=sr, reason=d["reason"]
        ),
    )

    @extend_schema(responses={200: ServiceRequestChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list, as answered
    def history(self, request, pk=None):
        sr = selectors.service_request_get(scope=scope_of(request), pk=pk)
        return Response(
            ServiceRequestChangeSerializer(selectors.service_request_history(sr=sr), many=True).data
        )


def report_response(sr: ServiceRequest) -> FileResponse:
    """Stream the report of a request the caller may see (checked by the caller)."""
    if not sr.report_file:
        raise NotFound(_("This request has no report yet."), code="report_not_found")
    handle = reports.storage().open(sr.report_file.name, "rb")
    filename = f"{sr.report_number or 'report-' + str(sr.pk)}.pdf"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


router = ApiRouter()
router.include_root_view = False  # the API root is the catalogue router's (config/urls.py)
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
urlpatterns = [*router.urls]
