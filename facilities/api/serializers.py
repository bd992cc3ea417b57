"""API shapes of the catalogue. Money is integer fen in ``*_fen`` fields."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Accreditation, Organisation
from config.bounds import BoundedDateField
from config.fields import StrictIntegerField, StrictModelSerializer
from facilities.accreditation_scope import covering
from facilities.models import (
    Blackout,
    BlackoutCalendar,
    Category,
    Instrument,
    OpeningException,
    OpeningHours,
    Price,
    Qualification,
    TestingService,
)
from facilities.services.instruments import EDITABLE_FIELDS as INSTRUMENT_FIELDS
from facilities.services.testing_services import EDITABLE_FIELDS as SERVICE_FIELDS


class ProviderBriefSerializer(StrictModelSerializer):
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name_zh")
    kind = serializers.CharField(source="provider.kind")

    class Meta:
        model = Organisation
        fields = ["id", "name", "region", "region_name", "kind"]


class AccreditationSerializer(StrictModelSerializer):
    class Meta:
        model = Accreditation
        fields = ["type", "certificate_no", "expires_on", "scope"]


class CategorySerializer(StrictModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name_zh", "name_en", "parent", "path"]


class InstrumentListSerializer(StrictModelSerializer):
    provider = ProviderBriefSerializer()
    category_name = serializers.CharField(source="category.name_zh")
    accredited = serializers.BooleanField(read_only=True)
    photo = serializers.ImageField(read_only=True, use_url=True)

    class Meta:
        model = Instrument
        fields = [
            "id", "name", "name_en", "model_number", "manufacturer", "category", "category_name",
            "provider", "status", "voucher_eligible", "requires_approval", "requires_training",
            "external_price_fen", "accredited", "photo", "location", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class PriceSerializer(StrictModelSerializer):
    class Meta:
        model = Price
        fields = ["client_group", "per_hour_fen"]


class OpeningHoursSerializer(StrictModelSerializer):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens_at", "closes_at"]


class OpeningExceptionSerializer(StrictModelSerializer):
    class Meta:
        model = OpeningException
        fields = ["id", "date", "is_closed", "opens_at", "closes_at", "note"]
        read_only_fields = ["id"]
        # One exception per date is enforced by the service (it replaces), not here.
        validators: list = []


class InstrumentDetailSerializer(StrictModelSerializer):
    provider = ProviderBriefSerializer()
    category_name = serializers.CharField(source="category.name_zh")
    prices = PriceSerializer(many=True)
    opening_hours = OpeningHoursSerializer(many=True)
    accreditations = AccreditationSerializer(
        source="provider.provider.valid_accreditations", many=True
    )

    class Meta:
        model = Instrument
        fields = ["id", *INSTRUMENT_FIELDS, "category_name", "provider", "external_price_fen",
                  "prices", "opening_hours", "accreditations", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class InstrumentWriteSerializer(StrictModelSerializer):
    provider = StrictIntegerField(required=False, write_only=True)

    class Meta:
        model = Instrument
        fields = ["provider", *(f for f in INSTRUMENT_FIELDS if f != "photo")]


class PricesWriteSerializer(serializers.Serializer):
    prices = serializers.DictField(child=StrictIntegerField(min_value=0, allow_null=True))


class OpeningHoursWriteSerializer(serializers.Serializer):
    weekly = OpeningHoursSerializer(many=True)


class BlackoutSerializer(StrictModelSerializer):
    class Meta:
        model = Blackout
        fields = ["id", "kind", "start_at", "end_at", "reason", "source", "source_uid"]
        read_only_fields = ["id", "source", "source_uid"]


class BlackoutCalendarSerializer(StrictModelSerializer):
    windows = StrictIntegerField(source="window_count", read_only=True)

    class Meta:
        model = BlackoutCalendar
        fields = ["id", "name", "kind", "filename", "created_at", "synced_at", "windows"]
        read_only_fields = fields


class IcsImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=Blackout.Kind.choices, default=Blackout.Kind.MAINTENANCE)
    calendar = StrictIntegerField(
        required=False, min_value=1, help_text="Sync this imported calendar (its id)."
    )
    name = serializers.CharField(
        required=False, max_length=200, allow_blank=True,
        help_text="Calendar name; by default the file's X-WR-CALNAME, else its file name. "
        "A name the instrument already has re-imports that calendar.",
    )  # fmt: skip
    dry_run = serializers.BooleanField(
        default=False, help_text="Only say what would change (the preview); write nothing."
    )


class IcsChangeSerializer(serializers.Serializer):
    change = serializers.ChoiceField(choices=["added", "moved", "shortened", "changed", "removed"])
    summary = serializers.CharField()
    start_at = serializers.CharField(help_text="New start (ISO 8601); empty when removed.")
    end_at = serializers.CharField()
    old_start_at = serializers.CharField(help_text="Start before the import; empty when added.")
    old_end_at = serializers.CharField()


class IcsResultSerializer(serializers.Serializer):
    calendar = StrictIntegerField(allow_null=True)
    name = serializers.CharField()
    added = StrictIntegerField()
    moved = StrictIntegerField()
    shortened = StrictIntegerField()
    changed = StrictIntegerField()
    removed = StrictIntegerField()
    unchanged = StrictIntegerField()
    created = StrictIntegerField(help_text="Same as added (older clients).")
    skipped = StrictIntegerField(help_text="Same as unchanged (older clients).")
    dry_run = serializers.BooleanField()
    clash_dates = serializers.ListField(child=BoundedDateField(), required=False)
    changes = IcsChangeSerializer(many=True, required=False)


class QualificationSerializer(StrictModelSerializer):
    # A plain id (or an e-mail address), not a related field: DRF's "object does not exist"
    # would tell anyone which ids are accounts. The service accepts only the lab's people.
    user = StrictIntegerField(source="user_id", required=False, min_value=1)
    email = serializers.EmailField(write_only=True, required=False, max_length=254)
    # The account's address, or the address granted to (held_by_address: counts for whoever
    # signs in with it; the same whether or not such an account exists).
    user_email = serializers.EmailField(source="person", read_only=True)
    held_by_address = serializers.SerializerMethodField()

    class Meta:
        model = Qualification
        fields = ["id", "user", "email", "user_email", "held_by_address", "expires_on",
                  "granted_at", "revoked_at", "note"]  # fmt: skip
        read_only_fields = ["id", "user_email", "held_by_address", "granted_at", "revoked_at"]

    def get_held_by_address(self, obj) -> bool:
        return obj.user_id is None

    def validate(self, attrs):
        if not attrs.get("user_id") and not attrs.get("email"):
            raise serializers.ValidationError({"user": [_("Give the person's id or e-mail.")]})
        return attrs


class ServiceListSerializer(StrictModelSerializer):
    provider = ProviderBriefSerializer()
    category_name = serializers.CharField(source="category.name_zh")
    accredited = serializers.BooleanField(read_only=True)

    class Meta:
        model = TestingService
        fields = [
            "id", "name", "category", "category_name", "provider", "standards", "price_fen",
            "price_unit", "turnaround_days", "voucher_eligible", "statutory_testing",
            "in_accredited_scope", "accredited", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ServiceDetailSerializer(StrictModelSerializer):
    provider = ProviderBriefSerializer()
    category_name = serializers.CharField(source="category.name_zh")
    accreditations = AccreditationSerializer(
        source="provider.provider.valid_accreditations", many=True
    )
    marks_allowed = serializers.SerializerMethodField()

    class Meta:
        model = TestingService
        fields = ["id", *SERVICE_FIELDS, "in_accredited_scope", "marks_allowed", "category_name",
                  "provider", "accreditations", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    def get_marks_allowed(self, obj) -> list[str]:
        """The marks ("cma", "cnas") a report of this service may carry today: valid
        certificates whose scope covers it."""
        covers = covering(obj, on=timezone.localdate(),
                          certificates=obj.provider.provider.valid_accreditations)  # fmt: skip
        return sorted({c.accreditation.type for c in covers})


class ServiceWriteSerializer(StrictModelSerializer):
    provider = StrictIntegerField(required=False, write_only=True)

    class Meta:
        model = TestingService
        fields = ["provider", *SERVICE_FIELDS]


class ProviderSerializer(StrictModelSerializer):
    region = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name_zh")
    kind = serializers.CharField(source="provider.kind")
    description = serializers.CharField(source="provider.description")
    address = serializers.CharField(source="provider.address")
    contact_phone = serializers.CharField(source="provider.contact_phone")
    accreditations = AccreditationSerializer(source="provider.valid_accreditations", many=True)
    instrument_count = StrictIntegerField(required=False)
    service_count = StrictIntegerField(required=False)

    class Meta:
        model = Organisation
        fields = ["id", "name", "region", "region_name", "kind", "description", "address",
                  "contact_phone", "accreditations", "instrument_count", "service_count"]  # fmt: skip
        read_only_fields = fields
