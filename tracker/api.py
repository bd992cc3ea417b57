"""``/api/v1/tracker/``: target progress, usage counts by any breakdown, a provider's
sharing figures, targets (for departments), the public summary.

Thin: parse the filters once (tracker.selectors.filters: 400 for bad input, 404 outside
the reader's region, 403 for anyone but reviewers), call one selector or service,
answer JSON or, with ``export=csv|xlsx``, the same table as a file.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.bounds import BoundedDateField, BoundedDateTimeField
from config.errors import Invalid
from config.fields import StrictIntegerField, StrictModelSerializer
from tracker import exports
from tracker.models import Target, UsageKind
from tracker.selectors.filters import parse_day, usage_filters_parse
from tracker.selectors.plans import custom_plans
from tracker.selectors.progress import target_list, target_progress_list
from tracker.selectors.providers import provider_statistics
from tracker.selectors.public import public_summary
from tracker.selectors.usage import (
    BREAKDOWNS,
    firms_served,
    usage_breakdown,
    usage_series,
    usage_top_items,  # fmt: skip
    usage_totals,
)
from tracker.services import targets as target_services
from tracker.services.reconciliation import reconciliation_last

FILTERS = [
    OpenApiParameter("from", OpenApiTypes.STR, description="YYYY-MM or YYYY-MM-DD"),
    OpenApiParameter("to", OpenApiTypes.STR, description="YYYY-MM or YYYY-MM-DD"),
    OpenApiParameter("region", OpenApiTypes.STR, description="GB/T 2260 code (city or county)"),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=UsageKind.values),
    OpenApiParameter("category", OpenApiTypes.INT, description="category id, subtree included"),
    OpenApiParameter("provider", OpenApiTypes.INT, description="provider organisation id"),
]
EXPORT = OpenApiParameter("export", OpenApiTypes.STR, enum=list(exports.FORMATS))
USAGE_BY = [*BREAKDOWNS, "instrument", "service"]


def file_response(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class TargetSerializer(StrictModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.__str__", read_only=True)

    class Meta:
        model = Target
        fields = ["id", "name", "kind", "region", "region_name", "starts_on", "ends_on",
                  "target_count", "department", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class TargetInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=UsageKind.choices)
    region = serializers.CharField(max_length=6)
    starts_on = BoundedDateField()
    ends_on = BoundedDateField()
    target_count = StrictIntegerField(min_value=1, max_value=100_000_000)


class TargetProgressSerializer(serializers.Serializer):
    target = TargetSerializer()
    achieved = StrictIntegerField()
    total_days = StrictIntegerField()
    elapsed_days = StrictIntegerField()
    percent_elapsed = serializers.FloatField()
    percent_achieved = serializers.FloatField()
    remaining = StrictIntegerField()
    pace_needed_per_day = serializers.FloatField(allow_null=True)
    pace_needed_per_month = serializers.FloatField(allow_null=True)
    current_pace_per_day = serializers.FloatField()
    projected_total = StrictIntegerField()
    projected_met_on = BoundedDateField(allow_null=True)
    met_on = BoundedDateField(allow_null=True)
    shortfall = StrictIntegerField()
    status = serializers.CharField()


class ReconciliationSerializer(serializers.Serializer):
    finished_at = BoundedDateTimeField()
    differences = StrictIntegerField()
    repaired = serializers.BooleanField()


class ProgressResponseSerializer(serializers.Serializer):
    results = TargetProgressSerializer(many=True)
    last_reconciliation = ReconciliationSerializer(allow_null=True)


class UsageRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    count = StrictIntegerField()
    hours = serializers.FloatField()
    outside_hours = serializers.FloatField()
    samples = StrictIntegerField()
    fee_fen = StrictIntegerField()
    voucher_fen = StrictIntegerField()


class UsageResponseSerializer(serializers.Serializer):
    by = serializers.CharField()
    totals = serializers.DictField(child=serializers.DictField())
    firms = serializers.DictField(child=StrictIntegerField())
    rows = UsageRowSerializer(many=True)


class SeriesPointSerializer(serializers.Serializer):
    month = BoundedDateField()
    kind = serializers.CharField()
    count = StrictIntegerField()
    cumulative = StrictIntegerField()


class ProgressView(APIView):
    @extend_schema(parameters=[*FILTERS, EXPORT], responses=ProgressResponseSerializer)
    @custom_plans()
    def get(self, request):
        """Each target in your region: achieved, period, pace needed, projection."""
        filters = usage_filters_parse(actor=request.user, params=request.query_params)
        if fmt := request.query_params.get("export"):
            return file_response(
                *exports.progress_export(actor=request.user, filters=filters, fmt=fmt)
            )
        progress = target_progress_list(actor=request.user, filters=filters)
        last = reconciliation_last()
        return Response(
            {
                "results": TargetProgressSerializer(progress, many=True).data,
                "last_reconciliation": ReconciliationSerializer(last).data if last else None,
            }
        )


class UsageView(APIView):
    @extend_schema(
        parameters=[*FILTERS, EXPORT, OpenApiParameter("by", OpenApiTypes.STR, enum=USAGE_BY)],
        responses=UsageResponseSerializer,
    )
    @custom_plans()
    def get(self, request):
        """Counts, hours, samples, fees and voucher part by one breakdown (default city);
        ``by=instrument`` / ``service`` gives the top 100."""
        filters = usage_filters_parse(actor=request.user, params=request.query_params)
        by = request.query_params.get("by") or "city"
        if by not in USAGE_BY:
            message = _("Unknown breakdown.")
            raise Invalid(message, code="invalid_breakdown", fields={"by": [message]})
        if fmt := request.query_params.get("export"):
            return file_response(*exports.usage_export(filters=filters, by=by, fmt=fmt))
        if by in ("instrument", "service"):
            kind = UsageKind.USE if by == "instrument" else UsageKind.BATCH
            rows = usage_top_items(filters=filters, kind=kind, limit=100)
        else:
            rows = usage_breakdown(filters=filters, by=by)
        return Response(
            {
                "by": by,
                "totals": usage_totals(filters=filters),
                "firms": firms_served(filters=filters),
                "rows": UsageRowSerializer(rows, many=True).data,
            }
        )


class UsageSeriesView(APIView):
    @extend_schema(parameters=FILTERS, responses=SeriesPointSerializer(many=True))
    @custom_plans()
    def get(self, request):
        """Month by month with running totals, for the cumulative line."""
        filters = usage_filters_parse(actor=request.user, params=request.query_params)
        return Response(SeriesPointSerializer(usage_series(filters=filters), many=True).data)


class ProviderStatisticsView(APIView):
    @extend_schema(
        parameters=[FILTERS[0], FILTERS[1], EXPORT,
                    OpenApiParameter("table", OpenApiTypes.STR, enum=["instruments", "services"])],
        responses=OpenApiTypes.OBJECT,
    )  # fmt: skip
    @custom_plans()
    def get(self, request, pk: int):
        """Sharing figures per instrument and per testing service (lab managers of the
        provider, reviewers of its region)."""

        start = parse_day(request.query_params.get("from"), "from", first=True)
        end = parse_day(request.query_params.get("to"), "to", first=False)
        if fmt := request.query_params.get("export"):
            table = request.query_params.get("table") or "instruments"
            return file_response(*exports.provider_statistics_export(
                actor=request.user, provider_id=pk, start=start, end=end, fmt=fmt, table=table))  # fmt: skip
        stats = provider_statistics(actor=request.user, provider_id=pk, start=start, end=end)
        return Response(
            {
                "provider": {"id": stats["provider"].pk, "name": stats["provider"].name},
                "period": {"from": stats["period"].start, "to": stats["period"].end},
                "instruments": stats["instruments"],
                "services": stats["services"],
            }
        )


def _target_values(data: dict) -> dict:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "region_code": data["region"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "target_count": data["target_count"],
    }


class TargetListView(APIView):
    @extend_schema(responses=TargetSerializer(many=True))
    def get(self, request):
        """Targets in your region."""
        return Response(TargetSerializer(target_list(actor=request.user), many=True).data)

    @extend_schema(request=TargetInputSerializer, responses={201: TargetSerializer})
    def post(self, request):
        """Add a target for your region (or one of its cities or counties)."""
        data = _valid(TargetInputSerializer(data=request.data))
        target = target_services.target_create(actor=request.user, **_target_values(data))
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)


class TargetDetailView(APIView):
    @extend_schema(responses=TargetSerializer)
    def get(self, request, pk: int):
        target = target_services.target_get(actor=request.user, target_id=pk)
        return Response(TargetSerializer(target).data)

    @extend_schema(request=TargetInputSerializer, responses=TargetSerializer)
    def put(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(request=TargetInputSerializer, responses=TargetSerializer)
    def patch(self, request, pk: int):
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        target = target_services.target_get(actor=request.user, target_id=pk)
        target_services.target_delete(actor=request.user, target=target)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, pk: int, *, partial: bool):
        target = target_services.target_get(actor=request.user, target_id=pk)
        current = {"name": target.name, "kind": target.kind, "region": target.region_id,
                   "starts_on": target.starts_on, "ends_on": target.ends_on,
                   "target_count": target.target_count}  # fmt: skip
        data = _valid(TargetInputSerializer(data=request.data, partial=partial))
        target = target_services.target_update(
            actor=request.user, target=target, **_target_values({**current, **data})
        )
        return Response(TargetSerializer(target).data)


def _valid(serializer: serializers.Serializer) -> dict:
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PublicSummaryView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @custom_plans()
    def get(self, request):
        """The province's progress towards each target, by city (no personal data;
        refreshed every few minutes)."""
        return Response(public_summary())
