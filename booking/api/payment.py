"""The ``payment`` of an order in the API, read through booking.payments (one call per
page of orders, whatever app registered the reader)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.payments import payments_for
from config.fields import StrictIntegerField


class PaymentLineSerializer(serializers.Serializer):
    voucher = StrictIntegerField()
    voucher_code = serializers.CharField()
    state = serializers.CharField(help_text="held, captured or released")
    held_fen = StrictIntegerField()
    amount_fen = StrictIntegerField(help_text="What this voucher pays now")
    trace = serializers.ListField(
        child=serializers.DictField(), help_text="Rule steps, each with its text"
    )


class PaymentSerializer(serializers.Serializer):
    fee_fen = StrictIntegerField(help_text="The fee, or the quote while there is none")
    voucher_fen = StrictIntegerField()
    firm_fen = StrictIntegerField()
    lines = PaymentLineSerializer(many=True)


@extend_schema_field(PaymentSerializer)
class PaymentField(serializers.Field):
    """Reads ``payments`` from the serializer's context when the view put a page's worth
    there (``PaymentsPrefetch``); else asks for this one order."""

    def __init__(self, order_kind: str, **kwargs):
        self.order_kind = order_kind
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, order):
        known = self.context.get("payments")
        if known is not None and order.pk in known:
            return known[order.pk]
        return payments_for(self.order_kind, [order])[order.pk]


class PaymentsPrefetch:
    """A viewset mixin: a list page's payments are read in one call, not one per order."""

    payment_order_kind: str

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            orders = list(args[0])
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["payments"] = payments_for(self.payment_order_kind, orders)
            args = (orders, *args[1:])
        return super().get_serializer(*args, **kwargs)
