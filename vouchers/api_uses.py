"""``/api/v1/voucher-uses/``: voucher uses (captured ledger entries) with their order's
provider and service, what was reversed and the claim holding them. A firm's members see
the firm's (``?firm=``), an issuer's reviewers the issuer's (``?issuer=``); ``export=csv|xlsx``
answers the same rows as a file."""

from __future__ import annotations

import datetime as dt

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from accounts.scoping import scope_of
from config.bounds import BoundedDateTimeField
from config.errors import Invalid
from config.fields import StrictIntegerField
from config.pagination import StandardPagination
from vouchers import exports
from vouchers.api_claims import EXPORT
from vouchers.selectors import uses as selectors


class UseSerializer(serializers.Serializer):
    entry_id = StrictIntegerField()
    at = BoundedDateTimeField()
    firm = serializers.CharField()
    firm_id = StrictIntegerField()
    provider = serializers.CharField()
    service = serializers.CharField()
    order_kind = serializers.CharField()
    order_id = StrictIntegerField()
    voucher = serializers.CharField()
    programme = serializers.CharField()
    voucher_fen = StrictIntegerField()
    reversed_fen = StrictIntegerField()
    claim_number = serializers.CharField()


def _int(value, name):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise Invalid(
            _("Give a number."), code="invalid", fields={name: [str(_("Give a number."))]}
        ) from None


def _date(value, name):
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = _("Give a date as YYYY-MM-DD.")
        raise Invalid(message, code="invalid", fields={name: [str(message)]}) from None


class VoucherUsesView(APIView):
    pagination_class = StandardPagination  # the schema documents the page it answers

    @extend_schema(
        parameters=[
            OpenApiParameter("firm", int), OpenApiParameter("issuer", int),
            OpenApiParameter("period_start", dt.date), OpenApiParameter("period_end", dt.date),
            EXPORT,
        ],
        responses={200: UseSerializer(many=True)},
    )  # fmt: skip
    def get(self, request):
        q = request.query_params
        firm_id, issuer_id = _int(q.get("firm"), "firm"), _int(q.get("issuer"), "issuer")
        if firm_id is None and issuer_id is None:
            scope = scope_of(request.user)
            if len(scope.firm_ids) == 1:
                firm_id = next(iter(scope.firm_ids))
            elif len(scope.department_ids) == 1:
                issuer_id = next(iter(scope.department_ids))
        entries = selectors.use_entries(
            request.user, firm_id=firm_id, issuer_id=issuer_id,
            period_start=_date(q.get("period_start"), "period_start"),
            period_end=_date(q.get("period_end"), "period_end"),
        )  # fmt: skip
        if fmt := q.get("export"):
            exports.check_format(fmt)
            return exports.uses_export(selectors.uses_iter(entries), fmt=fmt)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(
            UseSerializer(selectors.uses_read(page), many=True).data
        )


urlpatterns = [path("voucher-uses/", VoucherUsesView.as_view(), name="voucher-uses")]
