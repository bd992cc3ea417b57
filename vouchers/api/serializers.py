"""How the vouchers API shows programmes, vouchers, their ledger and applications."""

from __future__ import annotations

from rest_framework import serializers

from config.bounds import BoundedDateField, BoundedDateTimeField
from config.fields import StrictIntegerField, StrictModelSerializer
from vouchers.models import LedgerEntry, Programme, RelatedParty, Voucher, VoucherApplication
from vouchers.services.programmes import FLAG_BOUNDS, FLAG_DEFAULTS


class ProgrammeSerializer(StrictModelSerializer):
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    region_name = serializers.CharField(source="region.name_zh", read_only=True)
    left_fen = StrictIntegerField(read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id", "kind", "name", "description", "issuer", "issuer_name", "region", "region_name",
            "valid_from", "valid_to", "applications_open_on", "applications_close_on",
            "budget_fen", "issued_fen", "left_fen", "rules", "flag_near_cap_pct",
            "flag_many_orders", "flag_short_session_pct", "status", "version",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ProgrammeDetailSerializer(ProgrammeSerializer):
    figures = serializers.SerializerMethodField()

    class Meta(ProgrammeSerializer.Meta):
        fields = [*ProgrammeSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    def get_figures(self, obj) -> dict[str, int]:
        return self.context["figures"]


class RulesField(serializers.JSONField):
    """The programme's rules as JSON (docs/vouchers.md); ``vouchers.rules.rules_parse``
    validates them in the service, with one message per broken field."""


FLAG_HELP = {
    "flag_near_cap_pct": "A voucher part from this % of the per-order cap (but below it) is flagged.",
    "flag_many_orders": "This many orders or more between one firm and the provider in one claim are flagged.",
    "flag_short_session_pct": "A session shorter than this % of the booked time is flagged.",
}  # fmt: skip


def _flag_field(name: str, *, on_create: bool) -> StrictIntegerField:
    """A red-flag threshold (vouchers.services.programmes.FLAG_BOUNDS): on create it
    defaults to the model's default, on update it is optional."""
    low, high = FLAG_BOUNDS[name]
    extra = {"default": FLAG_DEFAULTS[name]} if on_create else {}
    return StrictIntegerField(min_value=low, max_value=high, required=False,
                              help_text=FLAG_HELP[name], **extra)  # fmt: skip


class ProgrammeWriteSerializer(serializers.Serializer):
    issuer = StrictIntegerField(
        required=False, help_text="Needed only for reviewers of several departments."
    )
    region = serializers.CharField(max_length=6)
    kind = serializers.ChoiceField(choices=Programme.Kind.choices)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    budget_fen = StrictIntegerField(min_value=1)
    valid_from = BoundedDateField()
    valid_to = BoundedDateField()
    applications_open_on = BoundedDateField(required=False, allow_null=True, default=None)
    applications_close_on = BoundedDateField(required=False, allow_null=True, default=None)
    rules = RulesField()
    flag_near_cap_pct = _flag_field("flag_near_cap_pct", on_create=True)
    flag_many_orders = _flag_field("flag_many_orders", on_create=True)
    flag_short_session_pct = _flag_field("flag_short_session_pct", on_create=True)


class ProgrammeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    budget_fen = StrictIntegerField(min_value=1, required=False)
    valid_from = BoundedDateField(required=False)
    valid_to = BoundedDateField(required=False)
    applications_open_on = BoundedDateField(required=False, allow_null=True)
    applications_close_on = BoundedDateField(required=False, allow_null=True)
    rules = RulesField(required=False)
    flag_near_cap_pct = _flag_field("flag_near_cap_pct", on_create=False)
    flag_many_orders = _flag_field("flag_many_orders", on_create=False)
    flag_short_session_pct = _flag_field("flag_short_session_pct", on_create=False)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What changed (a new version's note).",
    )


class VoucherReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class IssueSerializer(serializers.Serializer):
    firm = StrictIntegerField()
    amount_fen = StrictIntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class VoucherSerializer(StrictModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    programme_kind = serializers.CharField(source="programme.kind", read_only=True)
    firm_name = serializers.CharField(source="firm.name", read_only=True)

    class Meta:
        model = Voucher
        fields = [
            "id", "code", "programme", "programme_name", "programme_kind", "firm", "firm_name",
            "face_fen", "available_fen", "held_fen", "captured_fen", "expired_fen",
            "issued_at", "expires_at",
        ]  # fmt: skip
        read_only_fields = fields


class LedgerEntrySerializer(StrictModelSerializer):
    actor = serializers.CharField(
        source="actor.display_name", default=None, read_only=True, allow_null=True
    )
    programme_version = StrictIntegerField(
        source="programme_version.number", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount_fen", "order_kind", "order_id", "programme_version",
                  "actor", "note", "at"]  # fmt: skip
        read_only_fields = fields


class ApplicationSerializer(StrictModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    voucher = serializers.SerializerMethodField()

    class Meta:
        model = VoucherApplication
        fields = ["id", "programme", "programme_name", "firm", "firm_name", "amount_fen", "purpose",
                  "status", "approved_fen", "decision_reason", "applied_at", "decided_at", "voucher"]  # fmt: skip
        read_only_fields = fields

    def get_voucher(self, obj) -> int | None:
        voucher = getattr(obj, "voucher", None)
        return voucher.pk if voucher else None


class ApplicationCreateSerializer(serializers.Serializer):
    programme = StrictIntegerField()
    firm = StrictIntegerField(required=False, help_text="Needed only for members of several firms.")
    amount_fen = StrictIntegerField(min_value=1)
    purpose = serializers.CharField(max_length=4000)


class ApproveSerializer(serializers.Serializer):
    amount_fen = StrictIntegerField(
        min_value=1, required=False, help_text="Default: the amount asked."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BulkIssueSerializer(serializers.Serializer):
    programme = StrictIntegerField()
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX: credit code, amount in yuan.")
    confirm = serializers.BooleanField(
        default=False, help_text="False: preview only. True: issue all rows or none."
    )


class TraceStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    text = serializers.CharField()


class QuoteLineSerializer(serializers.Serializer):
    voucher = StrictIntegerField()
    amount_fen = StrictIntegerField()
    trace = TraceStepSerializer(many=True)


class RefusalSerializer(serializers.Serializer):
    voucher = StrictIntegerField()
    code = serializers.CharField()
    reason = serializers.CharField()
    detail = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    fee_fen = StrictIntegerField()
    voucher_fen = StrictIntegerField()
    firm_fen = StrictIntegerField()
    lines = QuoteLineSerializer(many=True)
    refusals = RefusalSerializer(many=True)


class QuoteRequestSerializer(serializers.Serializer):
    order_kind = serializers.ChoiceField(choices=["booking", "service_request"])
    firm = StrictIntegerField(required=False)
    vouchers = serializers.ListField(child=StrictIntegerField(), max_length=10)
    instrument = StrictIntegerField(required=False)
    start = BoundedDateTimeField(required=False)
    end = BoundedDateTimeField(required=False)
    service = StrictIntegerField(required=False)
    sample_count = StrictIntegerField(required=False, min_value=1)

    def validate(self, attrs):
        needed = (
            ("instrument", "start", "end")
            if attrs["order_kind"] == "booking"
            else ("service", "sample_count")
        )
        missing = {name: serializers.ErrorDetail(str(serializers.Field.default_error_messages["required"]), "required")
                   for name in needed if attrs.get(name) is None}  # fmt: skip
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class RelatedPartySerializer(StrictModelSerializer):
    class Meta:
        model = RelatedParty
        fields = ["id", "organisation", "role", "name", "identifier", "declared_at"]
        read_only_fields = ["id", "declared_at"]
