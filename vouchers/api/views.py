"""``/api/v1/`` programmes, voucher applications, vouchers (+ ledger), bulk issue, quote.

Thin: parse, fetch through the scoping selectors (not yours → 404), call one service,
answer. Errors come back as ``{code, detail, fields}`` from config.api_errors.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.acting import acting_firm_id
from accounts.scoping import Scope
from booking.selectors.bookings import instrument_get_for_booking
from booking.selectors.service_requests import orderable_service_get
from booking.services.bookings import booking_quote
from config.errors import Invalid
from config.serializing import validated
from vouchers.api import serializers as s
from vouchers.selectors import payments
from vouchers.selectors import programmes as selectors
from vouchers.services import applications, bulk_issue, issuing, parties, programmes

YUHUAN_RULES = {
    "tiers": [{"up_to_fen": 1_000_000, "ratio_bp": 10_000}, {"up_to_fen": None, "ratio_bp": 5_000}],
    "cap_per_order_fen": 2_000_000, "cap_held_fen": 5_000_000, "cap_per_year_fen": 10_000_000,
    "voucher_valid_days": 90, "order_kinds": ["booking", "service_request"],
    "exclude_statutory": True, "providers": "all",
}  # fmt: skip


def acting_department_id(request, given: int | None) -> int:
    """The department a reviewer acts for: the one named, else their only one."""
    scope = Scope.for_user(request.user)
    if given is not None:
        return given
    if len(scope.department_ids) == 1:
        return next(iter(scope.department_ids))
    message = _("Say which department issues this programme.")
    raise Invalid(message, code="issuer_required", fields={"issuer": [str(message)]})


class ProgrammeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ProgrammeSerializer
    filterset_fields = ["status", "kind", "issuer"]

    def get_queryset(self):
        return selectors.programme_list(actor=self.request.user)

    def _detail(self, programme, code=status.HTTP_200_OK):
        programme = selectors.programme_get(actor=self.request.user, pk=programme.pk)
        context = {"figures": selectors.programme_figures(programme=programme)}
        return Response(s.ProgrammeDetailSerializer(programme, context=context).data, status=code)

    @extend_schema(responses=s.ProgrammeDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(selectors.programme_get(actor=request.user, pk=int(pk)))

    @extend_schema(
        request=s.ProgrammeWriteSerializer, responses={201: s.ProgrammeDetailSerializer},
        examples=[OpenApiExample("Yuhuan 2023 innovation vouchers", request_only=True, value={
            "region": "331083", "kind": "innovation", "name": "玉环市2023年度创新券",
            "budget_fen": 500_000_000, "valid_from": "2023-01-01", "valid_to": "2023-12-31",
            "rules": YUHUAN_RULES})],
    )  # fmt: skip
    def create(self, request):
        data = validated(s.ProgrammeWriteSerializer, request.data)
        programme = programmes.programme_create(
            actor=request.user, issuer_id=acting_department_id(request, data.pop("issuer", None)),
            region_code=data.pop("region"), **data,
        )  # fmt: skip
        return self._detail(programme, status.HTTP_201_CREATED)

    @extend_schema(request=s.ProgrammeUpdateSerializer, responses=s.ProgrammeDetailSerializer)
    def partial_update(self, request, pk=None):
        data = validated(s.ProgrammeUpdateSerializer, request.data)
        programme = programmes.programme_update(actor=request.user, programme_id=int(pk), **data)
        return self._detail(programme)

    def _move(self, request, pk, service):
        reason = validated(s.VoucherReasonSerializer, request.data)["reason"]
        return self._detail(service(actor=request.user, programme_id=int(pk), reason=reason))

    @extend_schema(request=s.VoucherReasonSerializer, responses=s.ProgrammeDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._move(request, pk, programmes.programme_publish)

    @extend_schema(request=s.VoucherReasonSerializer, responses=s.ProgrammeDetailSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._move(request, pk, programmes.programme_pause)

    @extend_schema(request=s.VoucherReasonSerializer, responses=s.ProgrammeDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(request, pk, programmes.programme_close)

    @extend_schema(request=s.IssueSerializer, responses={201: s.VoucherSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        data = validated(s.IssueSerializer, request.data)
        voucher = issuing.voucher_issue(actor=request.user, programme_id=int(pk), firm_id=data["firm"],
                                        amount_fen=data["amount_fen"], note=data["note"])  # fmt: skip
        voucher = selectors.voucher_get(actor=request.user, pk=voucher.pk)
        return Response(s.VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)


class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ApplicationSerializer
    filterset_fields = ["status", "programme", "firm"]

    def get_queryset(self):
        return selectors.application_list(actor=self.request.user)

    def _one(self, pk, code=status.HTTP_200_OK):
        application = selectors.application_get(actor=self.request.user, pk=pk)
        return Response(s.ApplicationSerializer(application).data, status=code)

    def retrieve(self, request, pk=None):
        return self._one(int(pk))

    @extend_schema(
        request=s.ApplicationCreateSerializer, responses={201: s.ApplicationSerializer},
        examples=[OpenApiExample("Quota for testing", request_only=True, value={
            "programme": 1, "amount_fen": 3_000_000, "purpose": "新型环保材料的性能检测"})],
    )  # fmt: skip
    def create(self, request):
        data = validated(s.ApplicationCreateSerializer, request.data)
        application = applications.application_submit(
            actor=request.user, programme_id=data["programme"],
            firm_id=acting_firm_id(request, given=data.get("firm")), amount_fen=data["amount_fen"],
            purpose=data["purpose"],
        )  # fmt: skip
        return self._one(application.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.ApproveSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = validated(s.ApproveSerializer, request.data)
        applications.application_approve(actor=request.user, application_id=int(pk),
                                         amount_fen=data.get("amount_fen"), reason=data["reason"])  # fmt: skip
        return self._one(int(pk))

    @extend_schema(request=s.VoucherReasonSerializer, responses=s.ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = validated(s.VoucherReasonSerializer, request.data)["reason"]
        applications.application_reject(actor=request.user, application_id=int(pk), reason=reason)
        return self._one(int(pk))


class VoucherViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.VoucherSerializer
    filterset_fields = ["programme", "firm"]

    def get_queryset(self):
        return selectors.voucher_list(actor=self.request.user).order_by("expires_at", "pk")

    def get_object(self):
        return selectors.voucher_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(responses=s.LedgerEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        entries = selectors.ledger_list(actor=request.user, voucher_id=int(pk)).select_related(
            "programme_version"
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(s.LedgerEntrySerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.BulkIssueSerializer},
        responses={200: dict, 201: dict},
        description="Preview (confirm=false): each row with its errors. Confirm: all rows or none.",
        examples=[OpenApiExample("Preview answer", response_only=True, value={
            "ok": False, "total_fen": 5_000_000, "issued": [],
            "rows": [{"line": 2, "uscc": "91330100799655058B", "amount_fen": 5_000_000,
                      "firm_id": None, "firm_name": "",
                      "errors": [{"code": "firm_unknown", "message": "没有以此信用代码注册的企业。"}]}]})],
    )  # fmt: skip
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk-issue",
        parser_classes=[MultiPartParser, FormParser],
    )
    def bulk_issue(self, request):
        data = validated(s.BulkIssueSerializer, request.data)
        upload = data["file"]
        rows = bulk_issue.bulk_rows_parse(upload.read(), upload.name)
        if not data["confirm"]:
            preview = bulk_issue.bulk_issue_preview(
                actor=request.user, programme_id=data["programme"], rows=rows
            )
            return Response(_bulk_body(preview, []))
        preview, vouchers = bulk_issue.bulk_issue_confirm(actor=request.user, programme_id=data["programme"],
                                                          rows=rows)  # fmt: skip
        return Response(_bulk_body(preview, vouchers), status=status.HTTP_201_CREATED)


def _bulk_body(preview, vouchers) -> dict:
    return {"ok": preview.ok, "total_fen": preview.total_fen,
            "rows": [r.__dict__ for r in preview.rows], "issued": [v.pk for v in vouchers]}  # fmt: skip


class QuoteView(APIView):
    """What the chosen vouchers would pay of an order, and why (nothing is held)."""

    parser_classes = [JSONParser]

    @extend_schema(
        request=s.QuoteRequestSerializer, responses=s.QuoteSerializer,
        examples=[OpenApiExample("A booking with one voucher", request_only=True, value={
            "order_kind": "booking", "instrument": 12, "start": "2026-12-03T09:00:00+08:00",
            "end": "2026-12-03T12:00:00+08:00", "vouchers": [5]})],
    )  # fmt: skip
    def post(self, request):
        data = validated(s.QuoteRequestSerializer, request.data)
        if data["order_kind"] == "booking":
            instrument = instrument_get_for_booking(pk=data["instrument"])
            fee = booking_quote(actor=request.user, instrument=instrument, start_at=data["start"],
                                end_at=data["end"])["quote_fen"]  # fmt: skip
            item_id = instrument.pk
        else:
            service = orderable_service_get(pk=data["service"])
            fee, item_id = service.quote_fen(data["sample_count"]), service.pk
        quote = payments.order_quote(
            actor=request.user, firm_id=acting_firm_id(request, given=data.get("firm")),
            voucher_ids=data["vouchers"], order_kind=data["order_kind"], item_id=item_id, fee_fen=fee,
        )  # fmt: skip
        return Response(quote)


class RelatedPartyViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Legal representatives, shareholders and actual controllers the actor's firms and
    providers declared: a voucher cannot pay a provider related to the firm."""

    serializer_class = s.RelatedPartySerializer
    filterset_fields = ["organisation", "role"]

    def get_queryset(self):
        return selectors.related_party_list(actor=self.request.user)

    @extend_schema(request=s.RelatedPartySerializer, responses={201: s.RelatedPartySerializer})
    def create(self, request):
        data = validated(s.RelatedPartySerializer, request.data)
        party = parties.related_party_declare(
            actor=request.user, organisation_id=data["organisation"].pk, role=data["role"],
            name=data["name"], identifier=data["identifier"],
        )  # fmt: skip
        return Response(s.RelatedPartySerializer(party).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        parties.related_party_remove(actor=request.user, party_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
