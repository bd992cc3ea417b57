"""``/api/v1/catalogue-imports/``: the bulk import of instruments or services, as on the
manager's pages (upload → preview with each row's values, errors and warnings → confirm),
and ``/api/v1/categories/``: the category codes the import's 分类代码 column takes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.scoping import Scope
from config.fields import StrictIntegerField, StrictModelSerializer
from facilities import imports
from facilities.api.common import provider_for_write
from facilities.models import Category, ImportBatch


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportBatch.Kind.choices)
    file = serializers.FileField(help_text="CSV (UTF-8 or GBK) or XLSX, as the template.")
    provider = StrictIntegerField(required=False, min_value=1)


class ImportRowSerializer(serializers.Serializer):
    line = StrictIntegerField()
    action = serializers.ChoiceField(choices=["create", "update", "example"])
    shown = serializers.DictField(child=serializers.CharField(), help_text="Cells as typed.")
    resolved = serializers.DictField(
        child=serializers.CharField(), help_text="Blank cells: the value the row will get."
    )
    errors = serializers.DictField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())


class ImportBatchSerializer(StrictModelSerializer):
    rows = serializers.SerializerMethodField()
    ready = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = ["id", "kind", "filename", "status", "created_at", "confirmed_at",
                  "saved_count", "ready", "rows"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ImportRowSerializer(many=True))
    def get_rows(self, batch) -> list[dict]:
        defaults = {"shown": {}, "resolved": {}, "errors": {}, "warnings": []}
        return [
            {"line": row["line"], "action": row.get("action", "create"),
             **{k: row.get(k, empty) for k, empty in defaults.items()}}
            for row in batch.rows
        ]  # fmt: skip

    def get_ready(self, batch) -> int:
        """Rows the confirmation will save."""
        return sum(1 for r in batch.rows if not r["errors"] and r.get("action") != "example")


class ImportConfirmSerializer(serializers.Serializer):
    saved = StrictIntegerField()


class CatalogueImportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own uploads only: another person's batch is a 404."""

    permission_classes = [IsAuthenticated]
    serializer_class = ImportBatchSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        scope = Scope.for_user(self.request.user)
        return ImportBatch.objects.filter(
            created_by=self.request.user, provider_id__in=scope.provider_ids
        )

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer},
                   responses={201: ImportBatchSerializer})  # fmt: skip
    def create(self, request):
        """Check an upload; nothing reaches the catalogue before ``confirm``."""
        body = ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        batch = imports.import_preview(
            actor=request.user,
            provider=provider_for_write(request, body.validated_data.get("provider")),
            kind=body.validated_data["kind"],
            filename=upload.name or "",
            content=upload.read(5 * 1024 * 1024 + 1),  # the reader enforces the real limit
        )
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ImportConfirmSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Save the good rows once; a second confirm is 409 ``import_already_confirmed``."""
        batch = self.get_object()
        return Response({"saved": imports.import_confirm(actor=request.user, batch=batch)})


class CategorySerializer(StrictModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default="", read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name_zh", "name_en", "parent_code"]
        read_only_fields = fields


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every category, in tree order (a few hundred rows: not paginated)."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.select_related("parent").order_by("path")
