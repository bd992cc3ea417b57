"""``/api/v1/statements/`` and ``/api/v1/invoice-requests/``. Thin: parse, fetch through
the scoping selector (not yours → 404), call one service, answer."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scoping import scope_of
from config.bounds import BoundedDateField
from config.errors import Invalid
from config.fields import StrictIntegerField, StrictModelSerializer
from config.routers import ApiRouter
from statements import documents, invoices, selectors, services
from statements.models import InvoiceChange, InvoiceRequest, Statement, StatementLine


class LineSerializer(StrictModelSerializer):
    class Meta:
        model = StatementLine
        fields = ["id", "kind", "order_kind", "order_id", "completed_at", "item_name", "minutes",
                  "samples", "fee_fen", "voucher_fen", "firm_fen"]  # fmt: skip
        read_only_fields = fields


class StatementSerializer(StrictModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    invoice_status = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = ["id", "number", "provider", "provider_name", "firm", "firm_name", "month",
                  "issued_at", "issued_by", "line_count", "fee_fen", "voucher_fen", "firm_fen",
                  "invoice_status"]  # fmt: skip
        read_only_fields = fields

    def get_invoice_status(self, obj) -> str | None:
        """The live invoice request's status (requested / issued), or null."""
        live = getattr(obj, "live_invoices", None)
        if live is None:
            live = list(obj.invoice_requests.filter(status__in=InvoiceRequest.LIVE))
        return live[0].status if live else None


class StatementDetailSerializer(StatementSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]
        read_only_fields = fields

    def get_lines(self, obj) -> list[dict]:
        return LineSerializer(selectors.statement_lines(obj), many=True).data


class StatementIssueSerializer(serializers.Serializer):
    provider = StrictIntegerField(
        required=False, help_text="Needed only for managers of several providers."
    )
    firm = StrictIntegerField()
    month = BoundedDateField(help_text="Any day of the month; the month must have begun.")


class ChangeSerializer(StrictModelSerializer):
    class Meta:
        model = InvoiceChange
        fields = ["from_status", "to_status", "actor", "reason", "at"]
        read_only_fields = fields


class InvoiceRequestSerializer(StrictModelSerializer):
    changes = ChangeSerializer(many=True, read_only=True)

    class Meta:
        model = InvoiceRequest
        fields = ["id", "statement", "status", "amount_fen", "title", "tax_number", "address",
                  "bank", "invoice_number", "requested_by", "created_at", "updated_at",
                  "changes"]  # fmt: skip
        read_only_fields = fields


class InvoiceCreateSerializer(serializers.Serializer):
    statement = StrictIntegerField()
    title = serializers.CharField(max_length=200)
    tax_number = serializers.CharField(max_length=30)
    address = serializers.CharField(max_length=300, help_text="Address and phone (地址、电话).")
    bank = serializers.CharField(max_length=300, help_text="Bank and account (开户行及账号).")


class InvoiceIssueSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=40)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class InvoiceReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def acting_provider_id(user, provider_id) -> int:
    """The provider the manager acts for: the one named, else their only provider."""
    provider_ids = scope_of(user).provider_ids
    if provider_id is None and len(provider_ids) == 1:
        provider_id = next(iter(provider_ids))
    if provider_id is None or provider_id not in provider_ids:
        raise Invalid(_("Name the provider that issues the statement."), code="provider_required",
                      fields={"provider": [str(_("Not one of your providers."))]})  # fmt: skip
    return provider_id


def download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def statement_file(statement: Statement, kind: str) -> HttpResponse:
    lines = list(selectors.statement_lines(statement))
    if kind == "pdf":
        return download(documents.statement_pdf(statement, lines),
                        filename=f"{statement.number}.pdf", content_type=PDF_TYPE)  # fmt: skip
    return download(documents.statement_xlsx(statement, lines),
                    filename=f"{statement.number}.xlsx", content_type=XLSX_TYPE)  # fmt: skip


@extend_schema(parameters=[
    OpenApiParameter("provider", int, description="Only this provider's statements."),
    OpenApiParameter("firm", int, description="Only this firm's statements."),
    OpenApiParameter("month", OpenApiTypes.DATE, description="Only this month (any day of it)."),
])  # fmt: skip
class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = StatementSerializer

    def _int(self, name):
        value = self.request.query_params.get(name)
        if value in (None, ""):
            return None
        field = BoundedDateField() if name == "month" else StrictIntegerField()
        try:
            return field.to_internal_value(value)
        except serializers.ValidationError as exc:
            raise Invalid(_("Please correct the filter."), code="bad_filter",
                          fields={name: [str(m) for m in exc.detail]}) from exc  # fmt: skip

    def get_queryset(self):
        return selectors.statement_list(actor=self.request.user, firm_id=self._int("firm"),
                                        provider_id=self._int("provider"),
                                        month=self._int("month"))  # fmt: skip

    def get_object(self):
        return selectors.statement_get(actor=self.request.user, statement_id=self.kwargs["pk"])

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    @extend_schema(request=StatementIssueSerializer, responses={201: StatementDetailSerializer})
    @action(detail=False, methods=["post"])
    def issue(self, request):
        data = StatementIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        statement = services.statement_issue(
            actor=request.user, provider_id=acting_provider_id(request.user, values.get("provider")),
            firm_id=values["firm"], month=values["month"],
        )  # fmt: skip
        statement = selectors.statement_get(actor=request.user, statement_id=statement.pk)
        return Response(StatementDetailSerializer(statement).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, PDF_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return statement_file(self.get_object(), "pdf")

    @extend_schema(responses={(200, XLSX_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        return statement_file(self.get_object(), "xlsx")


class InvoiceRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):  # fmt: skip
    serializer_class = InvoiceRequestSerializer

    def get_queryset(self):
        statements = selectors.statement_list(actor=self.request.user).values("pk")
        return InvoiceRequest.objects.filter(statement__in=statements).prefetch_related("changes")

    def get_object(self):
        return invoices.invoice_request_get(actor=self.request.user, request_id=self.kwargs["pk"])

    def _answer(self, request_id, code=status.HTTP_200_OK):
        obj = invoices.invoice_request_get(actor=self.request.user, request_id=request_id)
        return Response(InvoiceRequestSerializer(obj).data, status=code)

    def _act(self, request, request_id, serializer_class, service):
        """One invoice action: validate the body, call the service, answer the request."""
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        service(actor=request.user, request_id=request_id, **data.validated_data)
        return self._answer(request_id)

    @extend_schema(request=InvoiceCreateSerializer, responses={201: InvoiceRequestSerializer})
    def create(self, request):
        data = InvoiceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        made = invoices.invoice_request_create(
            actor=request.user, statement_id=values["statement"], title=values["title"],
            tax_number=values["tax_number"], address=values["address"], bank=values["bank"],
        )  # fmt: skip
        return self._answer(made.pk, status.HTTP_201_CREATED)

    @extend_schema(request=InvoiceIssueSerializer, responses={200: InvoiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._act(request, pk, InvoiceIssueSerializer, invoices.invoice_issue)

    @extend_schema(request=InvoiceReasonSerializer, responses={200: InvoiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, pk, InvoiceReasonSerializer, invoices.invoice_reject)

    @extend_schema(request=InvoiceReasonSerializer, responses={200: InvoiceRequestSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, pk, InvoiceReasonSerializer, invoices.invoice_withdraw)


router = ApiRouter()
router.include_root_view = False
router.register("statements", StatementViewSet, basename="statement")
router.register("invoice-requests", InvoiceRequestViewSet, basename="invoice-request")
urlpatterns = [*router.urls]
