"""``/api/v1/audits/``: draw a reproducible audit sample of a period's voucher uses, read its
records, record each check's result. Only the issuing department's reviewers; others 404."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scoping import scope_of
from config.bounds import BoundedDateField
from config.errors import Invalid, NotFound
from config.fields import StrictIntegerField, StrictModelSerializer
from config.pagination import StandardPagination
from config.routers import ApiRouter
from vouchers.api_claims import pack_response
from vouchers.audit_pack import record_pack
from vouchers.models import AuditRecord, AuditSample
from vouchers.selectors import audits as selectors
from vouchers.services import audits as services


class AuditSampleSerializer(StrictModelSerializer):
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)

    class Meta:
        model = AuditSample
        fields = ["id", "issuer", "issuer_name", "programme", "period_start", "period_end",
                  "rate_bp", "seed", "population", "size", "drawn_at"]  # fmt: skip
        read_only_fields = fields


class AuditRecordSerializer(StrictModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    reversed_fen = StrictIntegerField(source="reverse_entry.amount_fen", default=0, read_only=True)

    class Meta:
        model = AuditRecord
        fields = ["id", "capture_entry", "order_kind", "order_id", "firm", "firm_name", "provider",
                  "provider_name", "voucher_fen", "result", "note", "checked_at", "reversed_fen"]  # fmt: skip
        read_only_fields = fields


class AuditDrawSerializer(serializers.Serializer):
    issuer = StrictIntegerField(
        required=False, help_text="Needed only for reviewers of several departments."
    )
    programme = StrictIntegerField(required=False, allow_null=True, default=None)
    period_start = BoundedDateField()
    period_end = BoundedDateField()
    rate_bp = StrictIntegerField(
        default=services.MIN_RATE_BP, help_text="Basis points; at least 500 (5%)."
    )
    seed = StrictIntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=2**62
    )


class AuditResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[("fine", "fine"), ("problem", "problem")])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    reverse_fen = StrictIntegerField(required=False, default=0, min_value=0)
    block_firm = serializers.BooleanField(required=False, default=False)
    block_provider = serializers.BooleanField(required=False, default=False)


def acting_issuer_id(user, issuer_id) -> int:
    ids = scope_of(user).department_ids
    if issuer_id is None and len(ids) == 1:
        issuer_id = next(iter(ids))
    if issuer_id is None or issuer_id not in ids:
        raise Invalid(_("Name the department you audit for."), code="issuer_required",
                      fields={"issuer": [str(_("Not one of your departments."))]})  # fmt: skip
    return issuer_id


class AuditSampleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditSampleSerializer

    def get_queryset(self):
        return selectors.audit_sample_list(self.request.user)

    def get_object(self):
        return selectors.audit_sample_get(self.request.user, self.kwargs["pk"])

    @extend_schema(request=AuditDrawSerializer, responses={201: AuditSampleSerializer})
    def create(self, request):
        data = AuditDrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        sample = services.audit_sample_draw(
            actor=request.user, issuer_id=acting_issuer_id(request.user, v.get("issuer")),
            period_start=v["period_start"], period_end=v["period_end"], rate_bp=v["rate_bp"],
            seed=v["seed"], programme_id=v["programme"],
        )  # fmt: skip
        return Response(AuditSampleSerializer(sample).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: AuditRecordSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def records(self, request, pk=None):
        sample = selectors.audit_sample_get(request.user, pk)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.audit_records(sample), request, view=self)
        return paginator.get_paginated_response(AuditRecordSerializer(page, many=True).data)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"records/(?P<record_pk>\d+)/audit-pack")
    def record_pack(self, request, pk=None, record_pk=None):
        """A ZIP of one sampled use: summary, ledger entries, session log or report, and the
        invoice and proofs of the claim holding it."""
        sample = selectors.audit_sample_get(request.user, pk)
        record = selectors.audit_records(sample).filter(pk=record_pk).first()
        if record is None:
            raise NotFound(_("Audit record not found."), code="audit_record_not_found")
        return pack_response(record_pack(record), f"audit-{sample.pk}-{record.pk}.zip")

    @extend_schema(request=AuditResultSerializer, responses={200: AuditRecordSerializer})
    @action(detail=True, methods=["post"], url_path=r"records/(?P<record_pk>\d+)/result")
    def record_result(self, request, pk=None, record_pk=None):
        sample = selectors.audit_sample_get(request.user, pk)
        record = sample.records.filter(pk=record_pk).first()
        if record is None:
            raise NotFound(_("Audit record not found."), code="audit_record_not_found")
        data = AuditResultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.audit_record_result(
            actor=request.user, record_id=record.pk, **data.validated_data
        )
        return Response(AuditRecordSerializer(record).data)


router = ApiRouter()
router.include_root_view = False
router.register("audits", AuditSampleViewSet, basename="audit")
urlpatterns = [*router.urls]
