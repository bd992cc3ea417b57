"""``/api/v1/accreditations/``: the CMA / CNAS certificates of the providers the caller
manages (a site administrator: all), each with the services its scope covers."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from accounts.acting import ACTING_PARAMETER
from accounts.models import Accreditation
from accounts.scoping import Scope
from config.bounds import BoundedDateField
from config.errors import NotFound
from config.fields import StrictIntegerField, StrictModelSerializer
from config.serializing import validated
from facilities import services
from facilities.accreditation_scope import matching_line
from facilities.api.common import provider_for_write
from facilities.models import TestingService


class AccreditationManageSerializer(StrictModelSerializer):
    provider = StrictIntegerField(source="provider_id", read_only=True)
    is_valid = serializers.SerializerMethodField()
    services_covered = serializers.SerializerMethodField()

    class Meta:
        model = Accreditation
        fields = ["id", "provider", "type", "certificate_no", "expires_on", "scope", "is_valid",
                  "services_covered"]  # fmt: skip
        read_only_fields = ["id", "is_valid", "services_covered"]

    def get_is_valid(self, obj) -> bool:
        return obj.is_valid_on(self.context["today"])

    def get_services_covered(self, obj) -> list[int]:
        """Ids of the provider's active services within this certificate's scope."""
        rows = self.context["services"].get(obj.provider_id, [])
        return [pk for pk, name, std in rows if matching_line(obj.scope, name=name, standards=std)]


class AccreditationInputSerializer(serializers.Serializer):
    """What a manager sends; uniqueness is the service's to judge (``certificate_taken``)."""

    provider = StrictIntegerField(required=False, min_value=1)
    type = serializers.ChoiceField(choices=Accreditation.Type.choices)
    certificate_no = serializers.CharField(max_length=50)
    expires_on = BoundedDateField()
    scope = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AccreditationPatchSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Accreditation.Type.choices, required=False)
    certificate_no = serializers.CharField(max_length=50, required=False)
    expires_on = BoundedDateField(required=False)
    scope = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class AccreditationViewSet(viewsets.ViewSet):
    lookup_value_regex = r"\d+"

    def _rows(self):
        scope = Scope.for_user(self.request.user)
        qs = Accreditation.objects.order_by("provider_id", "type", "certificate_no")
        return qs if scope.is_admin else qs.filter(provider_id__in=scope.provider_ids)

    def _context(self, certificates) -> dict:
        providers = {c.provider_id for c in certificates}
        services: dict[int, list] = {}
        rows = TestingService.objects.filter(provider_id__in=providers, is_active=True)
        for pk, provider_id, name, std in rows.values_list(
            "pk", "provider_id", "name", "standards"
        ):
            services.setdefault(provider_id, []).append((pk, name, std))
        return {"today": timezone.localdate(), "services": services}

    def _one(self, pk) -> Accreditation:
        cert = self._rows().filter(pk=pk).first()
        if cert is None:
            raise NotFound(code="not_found")
        return cert

    def _show(self, certificates, *, many=False, code=status.HTTP_200_OK):
        rows = list(certificates) if many else [certificates]
        data = AccreditationManageSerializer(
            rows if many else certificates, many=many, context=self._context(rows)
        ).data
        return Response(data, status=code)

    @extend_schema(responses=AccreditationManageSerializer(many=True))
    def list(self, request):
        return self._show(self._rows()[:500], many=True)

    @extend_schema(responses=AccreditationManageSerializer)
    def retrieve(self, request, pk=None):
        return self._show(self._one(pk))

    @extend_schema(
        request=AccreditationInputSerializer,
        responses={201: AccreditationManageSerializer},
        parameters=[ACTING_PARAMETER],
    )
    def create(self, request):
        body = validated(AccreditationInputSerializer, request.data)
        provider = provider_for_write(request, body.get("provider"))
        cert = services.accreditation_create(
            actor=request.user, provider_id=provider.pk, type=body["type"],
            certificate_no=body["certificate_no"], expires_on=body["expires_on"],
            scope=body["scope"],
        )  # fmt: skip
        return self._show(cert, code=status.HTTP_201_CREATED)

    @extend_schema(request=AccreditationPatchSerializer, responses=AccreditationManageSerializer)
    def partial_update(self, request, pk=None):
        body = validated(AccreditationPatchSerializer, request.data)
        cert = services.accreditation_update(actor=request.user, accreditation=self._one(pk),
                                             **body)  # fmt: skip
        return self._show(cert)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        services.accreditation_delete(actor=request.user, accreditation=self._one(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
