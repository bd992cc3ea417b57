"""``/api/v1/instruments/``: public search and detail; managers write, incl. calendar actions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.acting import ACTING_PARAMETER
from config.bad_input import LimitedJSONParser
from facilities import selectors, services
from facilities.api import serializers as s
from facilities.api.common import (
    FILTER_PARAMETERS,
    FREE_PARAMETERS,
    ReadAnyoneWriteSignedIn,
    provider_for_write,
)
from facilities.api.pagination import CappedPagination
from facilities.models import Blackout, BlackoutCalendar, Qualification

# A manager's lists of an instrument's rules (exceptions, blackouts, calendars, trainees):
# answered as plain arrays, capped at 500, so not paginated (the schema said paginated);
# they are not the public catalogue, so a caller who is not signed in gets 401, not 404.
_MANAGER_LIST = {"pagination_class": None, "permission_classes": [IsAuthenticated]}
# A list of prices or of weekly hours has no form encoding: JSON only (a form was a 400
# for a body the schema, offering forms, called valid; now it is a 415).
_JSON_ONLY = [LimitedJSONParser]


@extend_schema_view(
    list=extend_schema(parameters=FILTER_PARAMETERS + FREE_PARAMETERS),
    retrieve=extend_schema(responses=s.InstrumentDetailSerializer),
)
class InstrumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadAnyoneWriteSignedIn]
    lookup_value_regex = r"\d+"
    pagination_class = CappedPagination
    filter_backends: list = []
    serializer_class = s.InstrumentListSerializer
    parser_classes = [LimitedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        filters = selectors.filters_from_query(self.request.query_params)
        return selectors.instrument_search(actor=self.request.user, filters=filters)

    def retrieve(self, request, pk=None):
        instrument = selectors.instrument_get(actor=request.user, pk=pk)
        return Response(s.InstrumentDetailSerializer(instrument, context={"request": request}).data)

    def _managed(self, pk):
        return selectors.instrument_get_for_manage(actor=self.request.user, pk=pk)

    def _detail(self, instrument, code=status.HTTP_200_OK):
        fresh = selectors.instrument_get_for_manage(actor=self.request.user, pk=instrument.pk)
        return Response(
            s.InstrumentDetailSerializer(fresh, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        request=s.InstrumentWriteSerializer,
        responses={201: s.InstrumentDetailSerializer},
        parameters=[ACTING_PARAMETER],
    )
    def create(self, request):
        body = s.InstrumentWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        provider = provider_for_write(request, data.pop("provider", None))
        instrument = services.instrument_create(actor=request.user, provider=provider, **data)
        return self._detail(instrument, status.HTTP_201_CREATED)

    @extend_schema(request=s.InstrumentWriteSerializer, responses=s.InstrumentDetailSerializer)
    def partial_update(self, request, pk=None):
        instrument = self._managed(pk)
        body = s.InstrumentWriteSerializer(instrument, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if k != "provider"}
        services.instrument_update(actor=request.user, instrument=instrument, **data)
        return self._detail(instrument)

    @extend_schema(request=None, responses=s.InstrumentDetailSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        instrument = services.instrument_retire(actor=request.user, instrument=self._managed(pk))
        return self._detail(instrument)

    @extend_schema(request=s.PricesWriteSerializer, responses=s.InstrumentDetailSerializer)
    @action(detail=True, methods=["put"], parser_classes=_JSON_ONLY)
    def prices(self, request, pk=None):
        body = s.PricesWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        instrument = self._managed(pk)
        services.prices_set(
            actor=request.user, instrument=instrument, prices=body.validated_data["prices"]
        )
        return self._detail(instrument)

    @extend_schema(request=s.OpeningHoursWriteSerializer, responses=s.InstrumentDetailSerializer)
    @action(detail=True, methods=["put"], url_path="opening-hours", parser_classes=_JSON_ONLY)
    def opening_hours(self, request, pk=None):
        body = s.OpeningHoursWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        weekly = [
            (w["weekday"], w["opens_at"], w["closes_at"]) for w in body.validated_data["weekly"]
        ]
        instrument = self._managed(pk)
        services.opening_hours_set(actor=request.user, instrument=instrument, weekly=weekly)
        return self._detail(instrument)

    @extend_schema(methods=["get"], responses=s.OpeningExceptionSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=s.OpeningExceptionSerializer,
        responses={201: s.OpeningExceptionSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="opening-exceptions", **_MANAGER_LIST)
    def opening_exceptions(self, request, pk=None):
        """Dated exceptions to the weekly hours (holidays, special hours); POST replaces
        the exception of that date."""
        instrument = self._managed(pk)
        if request.method == "GET":
            rows = instrument.opening_exceptions.order_by("date")[:500]
            return Response(s.OpeningExceptionSerializer(rows, many=True).data)
        body = s.OpeningExceptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.opening_exception_set(
            actor=request.user, instrument=instrument, **body.validated_data
        )
        return Response(s.OpeningExceptionSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses=s.BlackoutSerializer(many=True))
    @extend_schema(
        methods=["post"], request=s.BlackoutSerializer, responses={201: s.BlackoutSerializer}
    )
    @action(detail=True, methods=["get", "post"], **_MANAGER_LIST)
    def blackouts(self, request, pk=None):
        instrument = self._managed(pk)
        if request.method == "GET":
            rows = Blackout.objects.filter(instrument=instrument).order_by("start_at")[:500]
            return Response(s.BlackoutSerializer(rows, many=True).data)
        body = s.BlackoutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        blackout = services.blackout_create(
            actor=request.user, instrument=instrument, **body.validated_data
        )
        return Response(s.BlackoutSerializer(blackout).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"blackouts/(?P<blackout_id>\d+)")
    def blackout_delete(self, request, pk=None, blackout_id=None):
        instrument = self._managed(pk)
        blackout = get_object_or_404(Blackout, pk=blackout_id, instrument=instrument)
        services.blackout_delete(actor=request.user, blackout=blackout)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": s.IcsImportSerializer},
        responses=s.IcsResultSerializer,
        description="Import an .ics calendar, or re-import an edited one: the calendar's "
        "upcoming windows become exactly what the file says (added, moved, shortened, "
        "removed), all or nothing; 409 `blackout_overlaps_bookings` when a change would "
        "cover a live booking. `dry_run` only reports the changes.",
    )
    @action(detail=True, methods=["post"], url_path="import-ics")
    def import_ics(self, request, pk=None):
        body = s.IcsImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        upload = values["file"]
        args = {
            "actor": request.user,
            "instrument": self._managed(pk),
            "content": upload.read(2 * 1024 * 1024 + 1),  # the service enforces the real limit
            "filename": upload.name or "",
            "name": values.get("name", ""),
            "calendar_id": values.get("calendar"),
            "kind": values["kind"],
        }
        if values["dry_run"]:
            return Response(services.calendar_dry_run(**args))
        return Response(services.calendar_sync(**args))

    @extend_schema(responses=s.BlackoutCalendarSerializer(many=True))
    @action(detail=True, methods=["get"], **_MANAGER_LIST)
    def calendars(self, request, pk=None):
        """The instrument's imported .ics calendars, with how many windows each has."""
        instrument = self._managed(pk)
        rows = selectors.blackout_calendar_list(instrument=instrument)
        return Response(s.BlackoutCalendarSerializer(rows, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"calendars/(?P<calendar_id>\d+)")
    def calendar_delete(self, request, pk=None, calendar_id=None):
        """Remove an imported calendar and all its windows at once."""
        instrument = self._managed(pk)
        calendar = get_object_or_404(BlackoutCalendar, pk=calendar_id, instrument=instrument)
        services.calendar_delete(actor=request.user, calendar=calendar)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["get"], responses=s.QualificationSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=s.QualificationSerializer,
        responses={201: s.QualificationSerializer},
    )
    @action(detail=True, methods=["get", "post"], **_MANAGER_LIST)
    def qualifications(self, request, pk=None):
        instrument = self._managed(pk)
        if request.method == "GET":
            rows = Qualification.objects.filter(instrument=instrument).select_related("user")
            return Response(
                s.QualificationSerializer(rows.order_by("-granted_at")[:500], many=True).data
            )
        body = s.QualificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        q = services.qualification_grant(
            actor=request.user, instrument=instrument, user=values.get("user_id"),
            email=values.get("email", ""), expires_on=values.get("expires_on"),
            note=values.get("note", ""),
        )  # fmt: skip
        return Response(s.QualificationSerializer(q).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.QualificationSerializer)
    @action(
        detail=True, methods=["post"], url_path=r"qualifications/(?P<qualification_id>\d+)/revoke"
    )
    def qualification_revoke(self, request, pk=None, qualification_id=None):
        instrument = self._managed(pk)
        q = get_object_or_404(Qualification, pk=qualification_id, instrument=instrument)
        q = services.qualification_revoke(actor=request.user, qualification=q)
        return Response(s.QualificationSerializer(q).data)
