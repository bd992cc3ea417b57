"""``/api/v1/claims/``: build, document and submit reimbursement claims (provider), review,
decide and pay them (issuing department). Thin: parse, fetch through the scoping selector
(not yours → 404), call one service, answer."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.scoping import scope_of
from config.bounds import BoundedDateField
from config.errors import Invalid, NotFound
from config.fields import StrictIntegerField, StrictModelSerializer
from config.pagination import StandardPagination
from config.routers import ApiRouter
from vouchers import exports, uploads
from vouchers.audit_pack import claim_pack
from vouchers.flags import CODES as FLAG_CODES
from vouchers.flags import with_texts
from vouchers.models import Claim, ClaimLine, ClaimProof
from vouchers.selectors import claims as selectors
from vouchers.services import claim_review as review
from vouchers.services import claims as services


class ClaimSerializer(StrictModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    payable_fen = StrictIntegerField(read_only=True)
    has_invoice_file = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id", "number", "provider", "provider_name", "issuer", "issuer_name", "period_start",
            "period_end", "status", "line_count", "flagged_count", "claimed_fen", "approved_fen", "deduction_fen",
            "payable_fen", "invoice_number", "invoice_date", "invoice_amount_fen", "invoice_type",
            "has_invoice_file", "paid_on", "payment_reference", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_invoice_file(self, obj) -> bool:
        return bool(obj.invoice_file)


class FlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[(c, c) for c in FLAG_CODES])
    label = serializers.CharField()
    detail = serializers.CharField(help_text="Why it fired, in the request's language.")


class ClaimLineSerializer(StrictModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    voucher = serializers.CharField(source="capture_entry.voucher.code", read_only=True)
    flags = serializers.SerializerMethodField()

    class Meta:
        model = ClaimLine
        fields = [
            "id", "firm", "firm_name", "order_kind", "order_id", "completed_at", "fee_fen",
            "voucher_fen", "firm_fen", "voucher", "capture_entry", "state", "reason", "decided_at",
            "flags",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, obj) -> list[dict]:
        return with_texts(obj.flags)


class FlaggedLineSerializer(ClaimLineSerializer):
    claim = StrictIntegerField(source="claim_id", read_only=True)
    claim_number = serializers.CharField(source="claim.number", read_only=True)
    provider_name = serializers.CharField(source="claim.provider.name", read_only=True)

    class Meta(ClaimLineSerializer.Meta):
        fields = ["claim", "claim_number", "provider_name", *ClaimLineSerializer.Meta.fields]
        read_only_fields = fields


class ClaimBuildSerializer(serializers.Serializer):
    provider = StrictIntegerField(
        required=False, help_text="Needed only for managers of several providers."
    )
    period_start = BoundedDateField()
    period_end = BoundedDateField()


class ClaimInvoiceSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=40)
    invoice_date = BoundedDateField()
    invoice_amount_fen = StrictIntegerField(min_value=1)
    invoice_type = serializers.ChoiceField(choices=Claim.InvoiceType.choices)
    invoice_file = serializers.FileField(required=False)


class ClaimProofSerializer(serializers.Serializer):
    file = serializers.FileField()
    line = StrictIntegerField(required=False, allow_null=True, default=None)


class ClaimProofReadSerializer(StrictModelSerializer):
    class Meta:
        model = ClaimProof
        fields = ["id", "line", "file_name", "uploaded_at"]
        read_only_fields = fields


class ClaimDecideSerializer(serializers.Serializer):
    lines = serializers.ListField(child=StrictIntegerField(), min_length=1, max_length=5000)
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ClaimReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ClaimPaySerializer(serializers.Serializer):
    paid_on = BoundedDateField()
    payment_reference = serializers.CharField(max_length=60)


def acting_provider_id(user, provider_id) -> int:
    """The provider the manager claims for: the one named, else their only provider."""
    provider_ids = scope_of(user).provider_ids
    if provider_id is None and len(provider_ids) == 1:
        provider_id = next(iter(provider_ids))
    if provider_id is None or provider_id not in provider_ids:
        raise Invalid(_("Name the provider you claim for."), code="provider_required",
                      fields={"provider": [str(_("Not one of your providers."))]})  # fmt: skip
    return provider_id


def file_response(name: str, filename: str) -> FileResponse:
    """Stream a stored claim file to a caller already checked."""
    if not name:
        raise NotFound(_("No file uploaded."), code="file_not_found")
    response = FileResponse(uploads.storage().open(name, "rb"), as_attachment=True,
                            filename=filename, content_type=uploads.content_type_of(name))  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pack_response(out, filename: str) -> FileResponse:
    size = out.seek(0, 2)
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=filename,
                            content_type="application/zip")  # fmt: skip
    response["Content-Length"] = str(size)
    response["Cache-Control"] = "private, no-store"
    return response


def _claim_action(name: str, request_serializer, call):
    """A POST ``/{id}/<name>/`` that calls ``call(actor, claim_id, data)`` and answers the claim."""

    def view(self, request, pk=None):
        claim = selectors.claim_get(request.user, pk)
        data = request_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        call(request.user, claim.pk, data.validated_data)
        return Response(ClaimSerializer(selectors.claim_get(request.user, pk)).data)

    view.__name__ = view.__qualname__ = name.replace("-", "_")
    decorate = action(detail=True, methods=["post"], url_path=name,
                      parser_classes=[JSONParser, FormParser, MultiPartParser])  # fmt: skip
    return extend_schema(request=request_serializer, responses={200: ClaimSerializer})(
        decorate(view)
    )


EXPORT = OpenApiParameter(
    "export", str, enum=list(exports.FORMATS),
    description="csv or xlsx: the same rows as a file (Chinese headers, yuan).",
)  # fmt: skip
FILE = {(200, "application/octet-stream"): OpenApiTypes.BINARY}


class LinesPagination(StandardPagination):
    """A claim's lines: the page's ids first, then their rows (selectors.IdsFirstPaginator)."""

    django_paginator_class = selectors.IdsFirstPaginator


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ClaimSerializer
    filterset_fields = ["status", "provider", "issuer"]

    @extend_schema(parameters=[EXPORT])
    def list(self, request, *args, **kwargs):
        if fmt := request.query_params.get("export"):
            exports.check_format(fmt)
            qs = self.filter_queryset(self.get_queryset())
            return exports.claims_export(qs, fmt=fmt)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("code", str, enum=[*FLAG_CODES])],
        responses={200: FlaggedLineSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="flagged-lines")
    def flagged_lines(self, request):
        """Lines with a red flag on the claims the caller may see (a department: submitted
        ones), newest claims first; ``?code=`` keeps one kind of flag."""
        code = request.query_params.get("code") or None
        if code is not None and code not in FLAG_CODES:
            raise Invalid(_("Unknown flag."), code="invalid_flag",
                          fields={"code": [str(_("Unknown flag."))]})  # fmt: skip
        qs = selectors.flagged_lines(request.user, code=code)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(FlaggedLineSerializer(page, many=True).data)

    def get_queryset(self):
        return selectors.claim_list(self.request.user)

    def get_object(self):
        return selectors.claim_get(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ClaimBuildSerializer, responses={201: ClaimSerializer(many=True)})
    def create(self, request):
        data = ClaimBuildSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        claims = services.claim_build(
            actor=request.user, provider_id=acting_provider_id(request.user, values.get("provider")),
            period_start=values["period_start"], period_end=values["period_end"],
        )  # fmt: skip
        return Response(ClaimSerializer(claims, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[EXPORT, OpenApiParameter("state", str, enum=[*ClaimLine.State.values]),
                    OpenApiParameter("flagged", bool)],
        responses={200: ClaimLineSerializer(many=True)},
    )  # fmt: skip
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        claim = selectors.claim_get(request.user, pk)
        state = request.query_params.get("state") or None
        if state is not None and state not in ClaimLine.State.values:
            raise Invalid(_("Unknown line state."), code="invalid_state",
                          fields={"state": [str(_("Unknown line state."))]})  # fmt: skip
        flagged = request.query_params.get("flagged") in ("1", "true", "yes")
        qs = selectors.claim_lines(claim, state=state, flagged=flagged)
        if fmt := request.query_params.get("export"):
            exports.check_format(fmt)
            return exports.lines_export(claim, qs, fmt=fmt)
        paginator = LinesPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ClaimLineSerializer(page, many=True).data)

    @extend_schema(request=ClaimDecideSerializer, responses={200: ClaimSerializer})
    @action(detail=True, methods=["post"], url_path="lines/decide")
    def lines_decide(self, request, pk=None):
        claim = selectors.claim_get(request.user, pk)
        data = ClaimDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        review.claim_lines_decide(actor=request.user, claim_id=claim.pk, line_ids=values["lines"],
                                  approve=values["decision"] == "approve", reason=values["reason"])  # fmt: skip
        return Response(ClaimSerializer(selectors.claim_get(request.user, pk)).data)

    @extend_schema(
        request={"multipart/form-data": ClaimProofSerializer},
        responses={201: ClaimProofReadSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def proofs(self, request, pk=None):
        claim = selectors.claim_get(request.user, pk)
        data = ClaimProofSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proof = services.claim_proof_add(actor=request.user, claim_id=claim.pk,
                                         file=data.validated_data["file"],
                                         line_id=data.validated_data["line"])  # fmt: skip
        return Response(ClaimProofReadSerializer(proof).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="audit-pack")
    def audit_pack(self, request, pk=None):
        """A ZIP of the claim: summary, lines, ledger entries, session logs, reports,
        invoice and proofs."""
        claim = selectors.claim_get(request.user, pk)
        return pack_response(claim_pack(claim), f"claim-{claim.number}.zip")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="invoice-file")
    def invoice_file(self, request, pk=None):
        claim = selectors.claim_get(request.user, pk)
        return file_response(claim.invoice_file, claim.invoice_file_name or "invoice")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"proofs/(?P<proof_pk>\d+)/file")
    def proof_file(self, request, pk=None, proof_pk=None):
        claim = selectors.claim_get(request.user, pk)
        proof = claim.proofs.filter(pk=proof_pk).first()
        if proof is None:
            raise NotFound(_("No file uploaded."), code="file_not_found")
        return file_response(proof.file, proof.file_name)

    invoice = _claim_action("invoice", ClaimInvoiceSerializer, lambda u, pk, d: services.claim_invoice_set(
        actor=u, claim_id=pk, number=d["invoice_number"], date=d["invoice_date"],
        amount_fen=d["invoice_amount_fen"], invoice_type=d["invoice_type"],
        file=d.get("invoice_file")))  # fmt: skip
    submit = _claim_action("submit", ClaimReasonSerializer,
                           lambda u, pk, d: services.claim_submit(actor=u, claim_id=pk))  # fmt: skip
    review = _claim_action("review", ClaimReasonSerializer,
                                 lambda u, pk, d: review.claim_review_start(actor=u, claim_id=pk))  # fmt: skip
    approve = _claim_action("approve", ClaimReasonSerializer, lambda u, pk, d: review.claim_approve(
        actor=u, claim_id=pk, reason=d["reason"]))  # fmt: skip
    reject = _claim_action("reject", ClaimReasonSerializer, lambda u, pk, d: review.claim_reject(
        actor=u, claim_id=pk, reason=d["reason"]))  # fmt: skip
    pay = _claim_action("pay", ClaimPaySerializer, lambda u, pk, d: review.claim_pay(
        actor=u, claim_id=pk, paid_on=d["paid_on"], payment_reference=d["payment_reference"]))  # fmt: skip


router = ApiRouter()
router.include_root_view = False
router.register("claims", ClaimViewSet, basename="claim")
urlpatterns = [*router.urls]
