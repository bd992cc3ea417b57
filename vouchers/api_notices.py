"""``/api/v1/notices/``: public notices (公示) of a programme's voucher uses. Reading is
public, like the page (no sign-in); publishing and correcting are for the reviewers of the
programme's issuer. A published notice is frozen: a correction is a new row beside it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response

from config.bounds import BoundedDateField
from config.errors import NotFound
from config.fields import StrictIntegerField, StrictModelSerializer
from config.routers import ApiRouter
from vouchers.models import NoticeCorrection, PublicNotice
from vouchers.services import notices as services

PUBLIC_ROW_KEYS = ("firm", "provider", "service", "order", "completed_on", "fee_fen", "voucher_fen")


class NoticeRowSerializer(serializers.Serializer):
    firm = serializers.CharField()
    provider = serializers.CharField()
    service = serializers.CharField()
    order = serializers.CharField()
    completed_on = BoundedDateField()
    fee_fen = StrictIntegerField()
    voucher_fen = StrictIntegerField()


class NoticeCorrectionSerializer(StrictModelSerializer):
    class Meta:
        model = NoticeCorrection
        fields = ["id", "text", "published_at"]
        read_only_fields = fields


class NoticeSerializer(StrictModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    issuer = StrictIntegerField(source="programme.issuer_id", read_only=True)
    issuer_name = serializers.CharField(source="programme.issuer.name", read_only=True)
    row_count = serializers.SerializerMethodField()

    class Meta:
        model = PublicNotice
        fields = ["id", "programme", "programme_name", "issuer", "issuer_name", "period_start",
                  "period_end", "notice_until", "total_fen", "row_count", "audit_seed",
                  "published_at"]  # fmt: skip
        read_only_fields = fields

    def get_row_count(self, obj) -> int:
        return len(obj.rows)


class NoticeDetailSerializer(NoticeSerializer):
    rows = serializers.SerializerMethodField()
    corrections = NoticeCorrectionSerializer(many=True, read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "rows", "corrections"]
        read_only_fields = fields

    @extend_schema_field(NoticeRowSerializer(many=True))
    def get_rows(self, obj) -> list[dict]:
        # Only the published columns: the firm's id is kept for its own page, not shown.
        return [{k: r.get(k) for k in PUBLIC_ROW_KEYS} for r in obj.rows]


class NoticePublishSerializer(serializers.Serializer):
    programme = StrictIntegerField()
    period_start = BoundedDateField()
    period_end = BoundedDateField()
    notice_days = StrictIntegerField(default=7, help_text="1 to 90 days.")
    audit_seed = StrictIntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=2**62,
        help_text="The seed of the audit sample drawn for this period, published with it.",
    )  # fmt: skip


class NoticeCorrectSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NoticeSerializer
    filterset_fields = ["programme"]

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return PublicNotice.objects.select_related("programme__issuer").order_by(
            "-published_at", "-pk"
        )

    def get_serializer_class(self):
        return NoticeDetailSerializer if self.action == "retrieve" else NoticeSerializer

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError):
            pk = None
        notice = self.get_queryset().prefetch_related("corrections").filter(pk=pk).first()
        if notice is None:
            raise NotFound(_("Notice not found."), code="notice_not_found")
        return notice

    @extend_schema(request=NoticePublishSerializer, responses={201: NoticeDetailSerializer})
    def create(self, request):
        data = NoticePublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        notice = services.notice_publish(
            actor=request.user, programme_id=v["programme"], period_start=v["period_start"],
            period_end=v["period_end"], notice_days=v["notice_days"], audit_seed=v["audit_seed"],
        )  # fmt: skip
        return Response(NoticeDetailSerializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoticeCorrectSerializer, responses={201: NoticeCorrectionSerializer})
    @action(detail=True, methods=["post"])
    def corrections(self, request, pk=None):
        data = NoticeCorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = services.notice_correct(
            actor=request.user, notice_id=self.get_object().pk, text=data.validated_data["text"]
        )
        return Response(NoticeCorrectionSerializer(correction).data, status=status.HTTP_201_CREATED)


router = ApiRouter()
router.include_root_view = False
router.register("notices", NoticeViewSet, basename="notice")
urlpatterns = [*router.urls]
