"""``/api/v1/services/`` (testing services) and ``/api/v1/providers/``: public reads, manager writes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.acting import ACTING_PARAMETER
from facilities import selectors, services
from facilities.api import serializers as s
from facilities.api.common import FILTER_PARAMETERS, ReadAnyoneWriteSignedIn, provider_for_write
from facilities.api.pagination import CappedPagination


@extend_schema_view(
    list=extend_schema(parameters=FILTER_PARAMETERS),
    retrieve=extend_schema(responses=s.ServiceDetailSerializer),
)
class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadAnyoneWriteSignedIn]
    lookup_value_regex = r"\d+"
    pagination_class = CappedPagination
    filter_backends: list = []
    serializer_class = s.ServiceListSerializer

    def get_queryset(self):
        filters = selectors.filters_from_query(self.request.query_params)
        return selectors.service_search(actor=self.request.user, filters=filters)

    def retrieve(self, request, pk=None):
        return Response(
            s.ServiceDetailSerializer(selectors.service_get(actor=request.user, pk=pk)).data
        )

    def _detail(self, service, code=status.HTTP_200_OK):
        fresh = selectors.service_get_for_manage(actor=self.request.user, pk=service.pk)
        return Response(s.ServiceDetailSerializer(fresh).data, status=code)

    @extend_schema(
        request=s.ServiceWriteSerializer,
        responses={201: s.ServiceDetailSerializer},
        parameters=[ACTING_PARAMETER],
    )
    def create(self, request):
        body = s.ServiceWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        provider = provider_for_write(request, data.pop("provider", None))
        service = services.service_create(actor=request.user, provider=provider, **data)
        return self._detail(service, status.HTTP_201_CREATED)

    @extend_schema(request=s.ServiceWriteSerializer, responses=s.ServiceDetailSerializer)
    def partial_update(self, request, pk=None):
        service = selectors.service_get_for_manage(actor=request.user, pk=pk)
        body = s.ServiceWriteSerializer(service, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if k != "provider"}
        services.service_update(actor=request.user, service=service, **data)
        return self._detail(service)

    @extend_schema(request=None, responses=s.ServiceDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        service = selectors.service_get_for_manage(actor=request.user, pk=pk)
        return self._detail(services.service_withdraw(actor=request.user, service=service))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Name or description"),
            OpenApiParameter("city", str, description="GB/T 2260 city or county code"),
            OpenApiParameter("kind", str, description="Provider kind"),
        ]
    )
)
class ProviderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadAnyoneWriteSignedIn]
    lookup_value_regex = r"\d+"
    filter_backends: list = []
    serializer_class = s.ProviderSerializer

    def get_queryset(self):
        p = self.request.query_params
        return selectors.provider_list(
            actor=self.request.user,
            q=(p.get("search") or p.get("q") or "").strip()[:100],
            region=(p.get("county") or p.get("city") or "").strip(),
            kind=(p.get("kind") or "").strip(),
        )

    def retrieve(self, request, pk=None):
        return Response(
            s.ProviderSerializer(selectors.provider_get(actor=request.user, pk=pk)).data
        )
