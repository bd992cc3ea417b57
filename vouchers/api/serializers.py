"""How the vouchers API shows programmes, vouchers, their ledger and applications."""

from __future__ import annotations

from rest_framework import serializers

from vouchers.models import LedgerEntry, Programme, RelatedParty, Voucher, VoucherApplication


class ProgrammeSerializer(serializers.ModelSerializer):
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    region_name = serializers.CharField(source="region.name_zh", read_only=True)
    left_fen = serializers.IntegerField(read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id", "kind", "name", "description", "issuer", "issuer_name", "region", "region_name",
            "valid_from", "valid_to", "applications_open_on", "applications_close_on",
            "budget_fen", "issued_fen", "left_fen", "rules", "status", "version",
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


class ProgrammeWriteSerializer(serializers.Serializer):
    issuer = serializers.IntegerField(
        required=False, help_text="Needed only for reviewers of several departments."
    )
    region = serializers.CharField(max_length=6)
    kind = serializers.ChoiceField(choices=Programme.Kind.choices)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    budget_fen = serializers.IntegerField(min_value=1)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    applications_open_on = serializers.DateField(required=False, allow_null=True, default=None)
    applications_close_on = serializers.DateField(required=False, allow_null=True, default=None)
    rules = RulesField()


class ProgrammeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    budget_fen = serializers.IntegerField(min_value=1, required=False)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False)
    applications_open_on = serializers.DateField(required=False, allow_null=True)
    applications_close_on = serializers.DateField(required=False, allow_null=True)
    rules = RulesField(required=False)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What changed (a new version's note).",
    )


class VoucherReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class IssueSerializer(serializers.Serializer):
    firm = serializers.IntegerField()
    amount_fen = serializers.IntegerField(min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class VoucherSerializer(serializers.ModelSerializer):
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


class LedgerEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None, read_only=True)
    programme_version = serializers.IntegerField(
        source="programme_version.number", default=None, read_only=True
    )

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "amount_fen", "order_kind", "order_id", "programme_version",
                  "actor", "note", "at"]  # fmt: skip
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
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
    programme = serializers.IntegerField()
    firm = serializers.IntegerField(
        required=False, help_text="Needed only for members of several firms."
    )
    amount_fen = serializers.IntegerField(min_value=1)
    purpose = serializers.CharField(max_length=4000)


class ApproveSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField(
        min_value=1, required=False, help_text="Default: the amount asked."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BulkIssueSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX: credit code, amount in yuan.")
    confirm = serializers.BooleanField(
        default=False, help_text="False: preview only. True: issue all rows or none."
    )


class TraceStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    text = serializers.CharField()


class QuoteLineSerializer(serializers.Serializer):
    voucher = serializers.IntegerField()
    amount_fen = serializers.IntegerField()
    trace = TraceStepSerializer(many=True)


class RefusalSerializer(serializers.Serializer):
    voucher = serializers.IntegerField()
    code = serializers.CharField()
    reason = serializers.CharField()
    detail = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    fee_fen = serializers.IntegerField()
    voucher_fen = serializers.IntegerField()
    firm_fen = serializers.IntegerField()
    lines = QuoteLineSerializer(many=True)
    refusals = RefusalSerializer(many=True)


class QuoteRequestSerializer(serializers.Serializer):
    order_kind = serializers.ChoiceField(choices=["booking", "service_request"])
    firm = serializers.IntegerField(required=False)
    vouchers = serializers.ListField(child=serializers.IntegerField(), max_length=10)
    instrument = serializers.IntegerField(required=False)
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    service = serializers.IntegerField(required=False)
    sample_count = serializers.IntegerField(required=False, min_value=1)

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


class RelatedPartySerializer(serializers.ModelSerializer):
    class Meta:
        model = RelatedParty
        fields = ["id", "organisation", "role", "name", "identifier", "declared_at"]
        read_only_fields = ["id", "declared_at"]
